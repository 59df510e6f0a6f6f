"""Reading what Whoosh's readers and searchers hold, where its public API is too slow or
has no call for it.

Why here: each of these reaches into Whoosh's private attributes (a column's file and
offset, a reader's storage, the TOC's schema, a searcher's filter and idf cache), which
only :mod:`indexer.whoosh_ext` may do, so that a Whoosh upgrade is checked in one package.
The searching and indexing code call these functions instead.
"""

from __future__ import annotations

import sys
from array import array

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.index import TOC, FileIndex
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from indexer.whoosh_ext.readerstate import cache_of

_BYTE_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]
BYTE_LENGTHS: tuple[int, ...] = (0, *_BYTE_LENGTHS[1:])
"""The field length each one-byte code of :func:`length_codes` stands for."""


# --- per-document columns, read whole ----------------------------------------------


def fixed_column_bytes(column, itemsize: int, count: int | None = None) -> bytes | None:
    """The raw bytes of a fixed-width numeric column (``count`` items at most), read in
    one call instead of one look-up per document; None for any other kind of column."""
    try:
        items = column._count if count is None else min(column._count, count)
        return column._dbfile.get(column._basepos, items * itemsize)
    except (AttributeError, TypeError):
        return None


def numeric_column_values(column, doc_count: int) -> array | list:
    """Every document's raw value of a numeric column (a ``translate=False`` reader)."""
    try:  # the fixed-width numbers in one read, instead of one unpack per document
        values = array(getattr(column, "_typecode", None))
        raw = fixed_column_bytes(column, values.itemsize)
        if raw is None:
            raise TypeError("not a fixed-width column")
        values.frombytes(raw)
    except (TypeError, ValueError):
        return [column[docnum] for docnum in range(doc_count)]
    if sys.byteorder == "little":
        values.byteswap()  # stored big-endian
    return values


def length_column(reader, fieldname: str):
    """The raw one-byte-per-document length column of a W3 segment, or None."""
    perdoc = getattr(reader, "_perdoc", None)
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except (AttributeError, KeyError, TypeError):
        return None
    if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", 0) != 1:
        return None
    return column


def length_codes(reader, fieldname: str) -> bytes | None:
    """The one-byte length codes of ``fieldname`` (:data:`BYTE_LENGTHS`), one per document
    of a segment ``reader`` (fewer if the last ones have none), or None if the segment
    does not keep them in a one-byte column."""
    column = length_column(reader, fieldname)
    return None if column is None else fixed_column_bytes(column, 1, reader.doc_count_all())


def field_lengths(searcher, fieldname: str) -> list[int | None]:
    """Every document's length in ``fieldname`` (as Whoosh's ``doc_field_length``
    gives it), cached per segment reader.

    Whoosh keeps lengths as one byte per document in a column: read the bytes
    in one go and decode them through a table, instead of a column look-up per
    document (a second or so per field for the first query on a 100k index).
    """
    reader = searcher.reader()
    cache = cache_of(reader, "lengths")
    lengths = cache.get(fieldname)
    if lengths is None:
        count = reader.doc_count_all()
        column = length_column(reader, fieldname)
        raw = None if column is None else fixed_column_bytes(column, 1, count)
        if raw is not None:
            lengths = [_BYTE_LENGTHS[b] for b in raw] + [None] * (count - len(raw))
        else:
            dfl = reader.doc_field_length
            lengths = [dfl(docnum, fieldname, 1) for docnum in range(count)]
        cache[fieldname] = lengths
    return lengths


# --- searchers ------------------------------------------------------------------------


def deleted_docs(searcher) -> set[int]:
    """Deleted (updated or removed, not yet merged away) documents, as global numbers."""
    if searcher.is_atomic():
        return set(getattr(searcher.reader(), "deleted_docs_set", ()))
    return {offset + docnum for sub, offset in searcher.subsearchers
            for docnum in getattr(sub.reader(), "deleted_docs_set", ())}


def filter_docnums(searcher, query) -> set[int]:
    """The global document numbers a filter query allows (Whoosh's own filter set)."""
    return searcher._filter_to_comb(query)


def trim_idf_cache(searcher, limit: int) -> None:
    """Forget a searcher's cached idfs once it holds more than ``limit`` terms (the
    cache grows with every distinct query term a pooled searcher is asked)."""
    if len(searcher._idf_cache) > limit:
        searcher._idf_cache.clear()


def storage_folder(reader) -> str | None:
    """The index folder of a segment reader (a copied index has the same segment ids)."""
    storage = reader._storage
    for candidate in (storage, getattr(storage, "b", None), getattr(storage, "a", None)):
        folder = getattr(candidate, "folder", None)
        if folder:
            return str(folder)
    return None


# --- one commit -----------------------------------------------------------------------


def read_toc(ix: FileIndex, indexname: str, generation: int) -> TOC:
    """The TOC of one commit of ``ix`` (its segments and schema)."""
    return TOC.read(ix.storage, indexname, gen=generation, schema=ix._schema)


def open_reader(ix: FileIndex, toc: TOC):
    """A fresh reader over exactly ``toc``'s segments (never one of Whoosh's reused ones:
    see :mod:`indexer.searching.searchers`)."""
    return FileIndex._reader(ix.storage, toc.schema, list(toc.segments), toc.generation)


def segment_leaves(reader):
    """``(leaf reader, segment id)`` of each segment reader under ``reader``."""
    for leaf, _ in reader.leaf_readers():
        if isinstance(leaf, SegmentReader):
            yield leaf, leaf.segment().segment_id()


def segment_counts(ix) -> list[tuple[str, int, int]]:
    """(segment id, documents including deleted, deleted) of each segment of ``ix``'s
    latest commit, in index order."""
    return [(s.segment_id(), s.doc_count_all(), s.deleted_count()) for s in ix._segments()]
