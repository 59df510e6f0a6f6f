"""Whoosh plumbing of the scoring model: BM25F with array-backed lengths, term
queries without per-posting wrappers, constant-score coverage terms, AndNot.

Kept apart from :mod:`indexer.searching.planner` (which decides *what* is scored) so
that the model reads as a list of evidence, not as Whoosh internals.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F, BaseScorer, BM25FScorer
from whoosh.util.numeric import byte_to_length

from indexer.whoosh_ext.readerstate import cache_of

_BYTE_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]


def _lengths(searcher, fieldname: str) -> list[int | None]:
    """Every document's length in ``fieldname`` (as Whoosh's ``doc_field_length``
    gives it), cached on the segment reader.

    Whoosh keeps lengths as one byte per document in a column: read the bytes
    in one go and decode them through a table, instead of a column look-up per
    document (a second or so per field for the first query on a 100k index).
    """
    reader = searcher.reader()
    cache = cache_of(reader, "lengths")
    lengths = cache.get(fieldname)
    if lengths is None:
        count = reader.doc_count_all()
        column = _length_column(reader, fieldname)
        if column is not None:
            raw = column._dbfile.get(column._basepos, min(column._count, count))
            lengths = [_BYTE_LENGTHS[b] for b in raw] + [None] * (count - len(raw))
        else:
            dfl = reader.doc_field_length
            lengths = [dfl(docnum, fieldname, 1) for docnum in range(count)]
        cache[fieldname] = lengths
    return lengths


def _length_column(reader, fieldname: str):
    """The raw one-byte-per-document length column of a W3 segment, or None."""
    perdoc = getattr(reader, "_perdoc", None)
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except (AttributeError, KeyError, TypeError):
        return None
    if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", 0) != 1:
        return None
    return column


class _ArrayLengthScorer(BM25FScorer):
    def setup(self, searcher, fieldname, text):
        lengths = _lengths(searcher, fieldname)
        super().setup(searcher, fieldname, text)
        self.dfl = lengths.__getitem__

    def _score(self, weight, length):
        # qf carries the query term's boost (see Term below): scaling here
        # avoids a wrapping matcher around every posting list.
        return super()._score(weight, length) * self.qf


class Bm25f(BM25F):
    """Whoosh's BM25F with array-backed field lengths (the hot path of scoring)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        B = self._field_B.get(fieldname, self.B)
        return _ArrayLengthScorer(searcher, fieldname, text, B, self.K1, qf=qf)


def deleted_docs(searcher) -> set[int]:
    """Deleted (updated or removed, not yet merged away) documents, as global numbers."""
    if searcher.is_atomic():
        return set(getattr(searcher.reader(), "deleted_docs_set", ()))
    return {offset + docnum for sub, offset in searcher.subsearchers
            for docnum in getattr(sub.reader(), "deleted_docs_set", ())}


def _postings(searcher, fieldname: str, btext: bytes, weighting, qf: float,
              constant: bool = False):
    """``Searcher.postings`` without its per-posting filter of deleted documents.

    After an incremental reindex a segment has deletions, and Whoosh then
    wraps every posting list in a Python filter: that doubled query time on
    a 100k index. Search drops deleted documents once, in the collector.
    """
    fmt = searcher.schema[fieldname].format
    if constant:
        weighting = _COVERAGE
    if searcher.is_atomic():
        scorer = weighting.scorer(searcher, fieldname, btext, qf=qf)
        return searcher.reader()._terms.matcher(fieldname, btext, fmt, scorer=scorer)
    matchers, offsets = [], []
    for sub, offset in searcher.subsearchers:
        reader = sub.reader()
        if (fieldname, btext) in reader:
            scorer = weighting.scorer(sub, fieldname, btext, qf=qf)
            matchers.append(reader._terms.matcher(fieldname, btext, fmt, scorer=scorer))
            offsets.append(offset)
    return matching.MultiMatcher(matchers, offsets,
                                 weighting.scorer(searcher, fieldname, btext, qf=qf))


class Term(Q.Term):
    """A term query for :func:`indexer.searching.service.search`'s collector.

    Its boost is applied by the scorer (``qf``), not by a ``WrappingMatcher``,
    and its postings are not filtered for deletions (see :func:`_postings`):
    on the hot path, where intersections skip through every posting list,
    each extra Python layer per call costs more than the scoring itself. Only
    valid with a collector that removes :func:`deleted_docs`.
    """

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        try:
            text = searcher.schema[self.fieldname].to_bytes(self.text)
        except ValueError:
            return matching.NullMatcher()
        if (self.fieldname, text) not in searcher.reader():
            return matching.NullMatcher()
        weighting = (context.weighting if context else None) or searcher.weighting
        return _postings(searcher, self.fieldname, text, weighting, self.boost,
                         constant=isinstance(self, Coverage))


class Coverage(Term):
    """A document holds this word: ``boost * idf``, whatever the frequency or length.

    The soft coordination of :mod:`indexer.searching.planner`: every query word a
    document holds adds its idf once, so covering more (and rarer) words of
    the query counts, without any word being required.
    """


class _CoverageScorer(BaseScorer):
    def __init__(self, value: float):
        self.value = value

    def supports_block_quality(self):
        return True

    def block_quality(self, matcher):
        return self.value

    def max_quality(self):
        return self.value

    def score(self, matcher):
        return self.value


class _CoverageWeighting:
    """Whoosh's view of :class:`Coverage` (the slow path and the reference in tests)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        return _CoverageScorer(searcher.idf(fieldname, text) * qf)


_COVERAGE = _CoverageWeighting()


class _AndNotMatcher(matching.AndNotMatcher):
    """Whoosh's AndNotMatcher, except that the first document is checked too.

    whoosh-reloaded 2.7.5 only skips the prohibited list to the first
    candidate when both lists start on the same document: a prohibited list
    starting earlier let the first candidate through (``thua ke -di chuc``
    returned an article saying "di chúc").
    """

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class AndNot(Q.AndNot):
    """``a`` without ``b``, with :class:`_AndNotMatcher` (also for sorting by date)."""

    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


