"""Merging segments into one, without their deleted documents, list by list.

Whoosh merges through its writer's posting pool: every posting of every segment becomes
a ``(field, term, docnum, weight, value)`` tuple, sorted on disk, then written one
``add_posting`` call at a time. Purging 2,000 deletions from a 20k-document index that
way took 194 s, three times its full build. Here each term's posting lists are read whole
(:func:`~indexer.whoosh_ext.codec.read_postings`), their docnums renumbered past the
deleted documents with one array look-up, and written with
:meth:`~indexer.whoosh_ext.codec.CompactPostingsWriter.add_many`: a k-way merge of the
segments' term tables, one step per term instead of per posting.

Stored fields, columns and one-byte lengths are copied by Whoosh's own
``SegmentWriter.write_per_doc``, so the new segment holds what Whoosh's merge would
write (``tests/test_compaction.py`` compares the answers with a fresh build's).
:class:`MergeWriter` is a ``SegmentWriter``: the merged segment replaces its sources in
one TOC commit, which a live server picks up like any other (and a crash before it
leaves the index as it was: the next commit cleans the unused files).
"""

from __future__ import annotations

import heapq
from array import array
from itertools import compress, groupby

import numpy as np
from whoosh.codec.base import Segment
from whoosh.columns import TranslatingColumnReader
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from indexer.whoosh_ext.codec import build_codec
from indexer.whoosh_ext.readers import fixed_column_bytes, length_column

_BYTE_LENGTHS = [0] + [byte_to_length(b) for b in range(1, 256)]
_LENGTHS = np.array(_BYTE_LENGTHS, dtype=np.int64)


class MergeWriter(SegmentWriter):
    """A writer that only merges: :meth:`write_merged` some segments, then :meth:`commit`."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, codec=build_codec(), **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"MergeWriter does not merge vectors or spelling ({name})")
        self._replaced: list[Segment] = []

    def write_merged(self, segment_ids: set[str]) -> None:
        """Write the live documents of the segments named into this writer's segment,
        in index order (call once)."""
        sources = [s for s in self.segments if s.segment_id() in segment_ids]
        if len(sources) != len(segment_ids):
            raise ValueError("merge: a segment named is not in the index")
        readers = [SegmentReader(self.storage, self.schema, s) for s in sources]
        try:
            fields = sorted({name for r in readers for name in r.indexed_field_names()
                             if name in self.schema})
            lengths = [_length_bytes(reader, fields) for reader in readers]
            docmaps = [self._copy_documents(reader, raw)
                       for reader, raw in zip(readers, lengths, strict=True)]
            self._added = self.docnum > 0
            if self._added:
                self.perdocwriter.close()
                self._write_postings(readers, docmaps, lengths, fields)
                self.fieldwriter.close()
        finally:
            for reader in readers:
                reader.close()
        self._replaced = sources

    def _copy_documents(self, reader, lengths: dict[str, np.ndarray]) -> np.ndarray | int:
        """Stored fields, one-byte lengths and columns of ``reader``'s live documents,
        appended (what ``write_per_doc`` does, with lengths read from whole arrays instead
        of a column look-up per document and field); returns the renumbering."""
        schema, pdw = self.schema, self.perdocwriter
        base = self.docnum
        columns = {}
        for name, field in schema.items():
            if field.column_type and reader.has_column(name):
                column = reader.column_reader(name, field.column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                columns[name] = (field.column_type, column)
        byte_columns = [(name, schema[name], raw.tolist()) for name, raw in lengths.items()]
        deleted = bool(getattr(reader, "deleted_docs_set", ()))
        docmap = np.full(reader.doc_count_all(), -1, dtype=np.int64) if deleted else None
        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            sized = {name: _BYTE_LENGTHS[raw[docnum]] for name, _, raw in byte_columns
                     if raw[docnum]}
            for name, value in stored.items():
                if name in schema:
                    pdw.add_field(name, schema[name], value, sized.pop(name, 0))
            for name, length in sized.items():
                pdw.add_field(name, schema[name], None, length)
            for name, (column_type, column) in columns.items():
                pdw.add_column_value(name, column_type, column[docnum])
            pdw.finish_doc()
            self.docnum += 1
        return base if docmap is None else docmap

    def _write_postings(self, readers, docmaps, lengths, fields: list[str]) -> None:
        """Every field's terms in order: a k-way merge of the sources' term tables."""
        writer = self.fieldwriter
        for name in fields:
            merged_lengths = _merged_lengths(docmaps, lengths, name, self.docnum)
            fmt = self.schema[name].format
            tagged = [_terms_of(reader, name, i) for i, reader in enumerate(readers)
                      if name in reader.indexed_field_names()]
            started = False
            for btext, group in groupby(heapq.merge(*tagged), key=lambda item: item[0]):
                ids, weights, values = _gather(readers, docmaps, fmt,
                                               [(i, info) for _, i, info in group])
                if not ids:
                    continue  # only deleted documents held it
                if not started:
                    writer.start_field(name, self.schema[name])
                    add_many = writer._postwriter.add_many
                    started = True
                writer.start_term(btext)
                add_many(ids, weights, values,
                         merged_lengths[np.frombuffer(ids, np.uint32)].tolist())
                writer.finish_term()
            if started:
                writer.finish_field()

    def commit(self, mergetype=None, optimize=None, merge=None) -> str | None:
        """Publish the index with the merged segment in place of its sources (at the
        first source's place, so documents keep their order); returns its id (None when
        no document of the sources was live: they are just dropped)."""
        self._check_state()
        self._close_segment()
        merged = []
        if self._added:
            self._assemble_segment()
            merged = [self.get_segment()]
        new_id = merged[0].segment_id() if merged else None
        gone = {s.segment_id() for s in self._replaced}
        segments: list[Segment] = []
        for segment in self.segments:
            if segment.segment_id() not in gone:
                segments.append(segment)
            elif merged:
                segments += merged
                merged = []
        self._commit_toc(segments)
        self._finish()
        return new_id


def _length_bytes(reader, fields: list[str]) -> dict[str, np.ndarray]:
    """Each scorable field's one-byte length column of ``reader``, whole (absent: none)."""
    found = {}
    count = reader.doc_count_all()
    for name in fields:
        if not reader.schema[name].scorable:
            continue
        column = length_column(reader, name)
        raw = None if column is None else fixed_column_bytes(column, 1, count)
        if raw:
            padded = np.zeros(count, dtype=np.uint8)
            padded[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)
            found[name] = padded
    return found


def _merged_lengths(docmaps, lengths, name: str, doccount: int) -> np.ndarray:
    """The merged segment's lengths of ``name`` per new docnum (one-byte precision)."""
    merged = np.zeros(doccount, dtype=np.int64)
    for docmap, raw in zip(docmaps, lengths, strict=True):
        if name not in raw:
            continue
        decoded = _LENGTHS[raw[name]]
        if isinstance(docmap, int):
            merged[docmap:docmap + len(decoded)] = decoded
        else:
            live = docmap >= 0
            merged[docmap[live]] = decoded[live]
    return merged


def _terms_of(reader, fieldname: str, tag: int):
    """(term bytes, ``tag``, term info) of every term of a field, in order."""
    for (name, btext), info in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield btext, tag, info


def _postings(reader, fmt, info):
    """(docnums, weights, values) of one term of ``reader`` from its term info."""
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return array("I", ids), array("f", weights), list(values) or [b""] * len(ids)
    terms = reader._terms
    matcher = terms._codec.postings_reader(terms._postfile, info, fmt)
    return matcher.all_arrays(True)


def _gather(readers, docmaps, fmt, sources: list[tuple[int, object]]):
    """A term's merged (docnums, weights, values) over its ``(source, term info)``:
    docnums renumbered, deleted documents' postings left out; values ``[]`` for a
    value-less format."""
    ids = array("I")
    weights = array("f")
    values: list[bytes] = []
    for i, info in sources:
        got_ids, got_weights, got_values = _postings(readers[i], fmt, info)
        docmap = docmaps[i]
        old = np.frombuffer(got_ids, dtype=np.uint32)
        if isinstance(docmap, int):
            ids.frombytes((old.astype(np.int64) + docmap).astype(np.uint32).tobytes())
            weights.extend(got_weights)
            values += got_values
            continue
        new = docmap[old]
        keep = new >= 0
        ids.frombytes(new[keep].astype(np.uint32).tobytes())
        weights.frombytes(np.frombuffer(got_weights, dtype=np.float32)[keep].tobytes())
        values += compress(got_values, keep.tolist())
    return ids, weights, (values if any(values) else [])
