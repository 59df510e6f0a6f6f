"""Whoosh plumbing of the scoring model: BM25F with array-backed lengths, term
queries without per-posting wrappers, constant-score coverage terms, AndNot.

Kept apart from :mod:`indexer.searching.planner` (which decides *what* is scored) so
that the model reads as a list of evidence, not as Whoosh internals; in
:mod:`indexer.whoosh_ext` because these are Whoosh subclasses reaching into its
matchers and scorers. ``tests/test_upstream.py`` checks them against stock Whoosh.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as Q
from whoosh.scoring import BM25F, BaseScorer, BM25FScorer

from indexer.whoosh_ext.readers import field_lengths


class _ArrayLengthScorer(BM25FScorer):
    def setup(self, searcher, fieldname, text):
        lengths = field_lengths(searcher, fieldname)
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
        return _ArrayLengthScorer(searcher, fieldname, text, self.b_of(fieldname), self.K1,
                                  qf=qf)

    def b_of(self, fieldname: str) -> float:
        """The length normalisation ``B`` of a field (its own, else the default)."""
        return self._field_B.get(fieldname, self.B)


def _postings(searcher, fieldname: str, btext: bytes, weighting, qf: float,
              constant: bool = False):
    """``Searcher.postings`` without its per-posting filter of deleted documents.

    After an incremental reindex a segment has deletions, and Whoosh then
    wraps every posting list in a Python filter: that doubled query time on
    a 100k index. Search drops deleted documents once, in the collector.

    ``searcher`` is a one-segment searcher: Whoosh's collectors, ``docs_for_query`` and
    :mod:`indexer.searching.topdocs` all ask for matchers segment by segment.
    """
    scorer = (_COVERAGE if constant else weighting).scorer(searcher, fieldname, btext, qf=qf)
    return searcher.reader()._terms.matcher(fieldname, btext, searcher.schema[fieldname].format,
                                            scorer=scorer)


class Term(Q.Term):
    """A term query for :func:`indexer.searching.service.search`'s collector.

    Its boost is applied by the scorer (``qf``), not by a ``WrappingMatcher``,
    and its postings are not filtered for deletions (see :func:`_postings`):
    on the hot path, where intersections skip through every posting list,
    each extra Python layer per call costs more than the scoring itself. Only
    valid with a collector that removes
    :func:`~indexer.whoosh_ext.readers.deleted_docs`.
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


