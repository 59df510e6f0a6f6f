"""A segment writer for full rebuilds: postings gathered in memory, no sort, no pool.

Whoosh's :class:`~whoosh.writing.SegmentWriter` turns every posting into a
``(field, term, docnum, weight, value)`` tuple, spills them to a sorting pool
and, at flush, looks each posting's field length up in the length column
again. For a full rebuild nearly all the time went there, not into analysis.

:class:`BulkWriter` keeps Whoosh's files, TOC and commit logic (it *is* a
``SegmentWriter``) but inverts documents itself: documents arrive in docnum
order, so appending each posting to its term's arrays keeps every posting list
sorted for free. Field lengths are remembered in arrays next to the postings,
so writing a term needs no column look-ups. The postings, stored fields,
columns and lengths it writes are exactly what ``SegmentWriter`` would write
for the same documents (``tests/test_build.py`` compares the two).

When the gathered postings outgrow ``limitmb`` the segment is written out and
a new one started; a commit lists all of them. Only for empty indexes (a new
generation): merging older segments is the ordinary writer's job.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from itertools import repeat

from whoosh.analysis import IDTokenizer
from whoosh.codec.base import Segment
from whoosh.formats import Existence
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.indexing.schema import (
    AccentedFrequency,
    FoldedPositions,
    LeadFrequency,
    PairFrequency,
)
from indexer.whoosh_ext.codec import build_codec
from indexer.whoosh_ext.fieldterms import (
    add_counts,
    add_items,
    add_positions,
    counted,
    folded_positions,
    generic_items,
    split_values,
)

TERM_BYTES = 300
"""Memory cost of a new term: dict slot, key string and its arrays (measured)."""
TOKEN_BYTES = 10
"""Memory cost per counted token: posting id, weight, position bytes (measured)."""

ITEM_CACHE = 1024
"""Distinct values per field whose items are remembered."""


def quantized(length: int) -> int:
    """The field length Whoosh reads back from its one-byte length column.

    Block statistics (min/max length) are computed from this value by
    ``SegmentWriter``, so the bulk writer must feed the same one.
    """
    return byte_to_length(length_to_byte(length)) if length else 0


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` for a new, empty index that inverts documents in memory.

    ``limitmb`` bounds the estimated size of the gathered postings: past it
    the current segment is written and a new one begun (documents are never
    split). :meth:`commit` publishes every segment at once;
    :meth:`finish_segments` instead hands them back to a parent process that
    commits the segments of several workers together.
    """

    def __init__(self, ix, limitmb: float = 256, **kwargs) -> None:
        # Always our codec: its field writer takes a whole term at once (add_term).
        super().__init__(ix, limitmb=limitmb, codec=build_codec(), **kwargs)
        if self.segments:
            raise ValueError("BulkWriter only writes into an empty index")
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"BulkWriter does not support vectors or spelling ({name})")
        self._limit = int(limitmb * 1024 * 1024)
        self._written: list[Segment] = []
        self._item_cache: dict[str, dict] = {}
        self._reset()

    def _reset(self) -> None:
        # field -> term (str; bytes for non-text fields) -> postings (see fieldterms)
        self._terms: dict[str, dict] = {}
        self._lengths: dict[str, array] = {}  # field -> quantized length per docnum
        self._estimate = 0

    # --- adding documents ---------------------------------------------------------------

    def add_document(self, **fields) -> None:
        """Add one document, as ``SegmentWriter.add_document`` would (same per-doc records)."""
        self._check_state()
        schema = self.schema
        perdoc = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    length = self._invert(name, field, value, boost, docnum)
                custom = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, custom if field.stored else None, length)
                if field.column_type and custom is not None:
                    perdoc.add_column_value(name, field.column_type,
                                            field.to_column_value(custom))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1
        if self._estimate > self._limit:
            self._next_segment()

    def _invert(self, name: str, field, value, boost: float, docnum: int) -> int:
        """Append the field's postings for this document; return its length."""
        table = self._terms.get(name)
        if table is None:
            table = self._terms[name] = {}
        before = len(table)
        fmt = field.format
        if isinstance(fmt, FoldedPositions):
            length = add_positions(table, docnum, folded_positions(value),
                                   fmt.field_boost, boost)
        elif isinstance(fmt, (AccentedFrequency, PairFrequency, LeadFrequency)):
            length = add_counts(table, docnum, counted(value, fmt.component),
                                fmt.field_boost, boost)
        else:
            length = add_items(table, docnum, self._items(name, field, value), boost)
        if not field.scorable:
            length = 0
        elif length:
            lengths = self._lengths.get(name)
            if lengths is None:
                lengths = self._lengths[name] = array("I")
            if len(lengths) < docnum:
                lengths.extend(repeat(0, docnum - len(lengths)))
            lengths.append(quantized(length))
        self._estimate += (len(table) - before) * TERM_BYTES + length * TOKEN_BYTES
        return length

    def _items(self, name: str, field, value) -> Iterable[tuple]:
        """Items of a field without a fast path; remembered for values that repeat
        (sources, dates: a handful of values over the whole corpus)."""
        if (type(field.format) is Existence and type(field.analyzer) is IDTokenizer
                and isinstance(value, str)):
            return ((value, 1, field.format.field_boost, b""),)  # what an ID field indexes
        try:
            cache = self._item_cache.setdefault(name, {})
            items = cache.get(value)
        except TypeError:  # unhashable value (a list)
            return generic_items(field, value)
        if items is None:
            if len(cache) >= ITEM_CACHE:
                cache.clear()
            items = cache[value] = list(generic_items(field, value))
        return items

    # --- writing segments ---------------------------------------------------------------

    def _flush_segment(self) -> None:
        # Replaces SegmentWriter's: postings come from memory, lengths from arrays.
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    def _write_postings(self) -> None:
        """Write every field's terms in (field, term bytes) order, as the pool would."""
        writer = self.fieldwriter
        doccount = self.docnum
        for name in sorted(self._terms):
            table = self._terms.pop(name)
            if not table:
                continue
            lengths = self._lengths.pop(name, None)
            if lengths is not None:
                lengths.extend(repeat(0, doccount - len(lengths)))
                length_of = lengths.__getitem__
            writer.start_field(name, self.schema[name])
            add_term = writer.add_term  # our codec's field writer: a whole term a call
            text = isinstance(next(iter(table)), str)
            for term in sorted(table):
                postings = table.pop(term)  # popped: memory shrinks as the segment is written
                ids = postings[0]
                buf = postings[2] if len(postings) > 2 else None
                add_term(term.encode("utf-8") if text else term, ids, postings[1],
                         [] if buf is None else split_values(bytes(buf), postings[3]),
                         [0] * len(ids) if lengths is None else list(map(length_of, ids)))
            writer.finish_field()

    def _next_segment(self) -> None:
        """Write the current segment out and start an empty one."""
        self._written.append(self._finalize_segment())
        codec, storage = self.codec, self.storage
        self.newsegment = codec.new_segment(storage, self.indexname)
        self.compound = self.newsegment.should_assemble()
        self.perdocwriter = codec.per_document_writer(storage, self.newsegment)
        self.fieldwriter = codec.field_writer(storage, self.newsegment)
        self.docnum = 0
        self._added = False
        self._reset()

    def finish_segments(self) -> list[Segment]:
        """Write the last segment and return all, without committing or cleaning up.

        For worker processes: the parent commits every worker's segments in
        one TOC, and only it may remove the shared temporary folder.
        """
        self._check_state()
        if self._added:
            self._written.append(self._finalize_segment())
        else:
            self._close_segment()
        self.is_closed = True
        return self._written

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        """Publish all the segments written (nothing to merge: the index was empty)."""
        self._commit_toc(self.finish_segments())
        self._finish()


def commit_segments(ix, segments: Iterable[Segment]) -> None:
    """Commit segments written by worker processes as one new generation of ``ix``."""
    writer = SegmentWriter(ix, codec=build_codec())
    try:
        writer._close_segment()  # its own (empty) segment is never used
        writer._commit_toc(list(segments))
    finally:
        writer._finish()
