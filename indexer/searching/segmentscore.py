"""A query tree's BM25F scores in one segment, whole posting lists at a time.

Why: Whoosh scores document by document (``id()``, ``skip_to()``, ``score()`` on
every matcher of the tree, per posting), and with the evidence clauses of
:mod:`indexer.searching.planner` that per-posting Python dominated search time.
Here a term's score is one tight loop over its decoded arrays, added into a dense
per-segment array, for the candidates :class:`SegmentCandidates` found. The
scores are Whoosh's (same BM25F, idf, field lengths and boosts, see
:class:`indexer.whoosh_ext.bm25.Bm25f`), so the ranking is unchanged. Past the
deadline, terms not yet added are left out: the terms added so far rank the
candidates.
"""

from __future__ import annotations

from itertools import repeat
from operator import add, mul

import numpy as np
from whoosh import query as Q

from indexer.searching import arrayscore
from indexer.searching.candidates import SegmentCandidates
from indexer.searching.maxscore import _add_for, add_list
from indexer.searching.norms import norms_of
from indexer.whoosh_ext.bm25 import Coverage
from indexer.whoosh_ext.readerstate import cache_of


class SegmentScorer(SegmentCandidates):
    """:class:`SegmentCandidates` that also score: what :func:`~indexer.searching.topdocs.top_docs`,
    :mod:`indexer.searching.maxscore` and :mod:`indexer.searching.arrayscore` rank with."""

    def add_scores(self, node: Q.Query, acc: list[float], restrict: set[int] | None,
                   exact: bool) -> None:
        """Add ``node``'s score into ``acc[d]`` for the documents ``d`` it matches.

        Only the final candidates' totals are read, so documents outside them may
        collect anything. ``restrict``: the only documents that may receive a
        score (None: any). ``exact``: every candidate in ``restrict`` matches
        ``node``, as at the top of the tree and down through its Ands; an And
        met elsewhere (under an Or) restricts its children to its own matches.
        """
        boost = 1.0 if isinstance(node, Q.Term) else getattr(node, "boost", 1.0)
        if boost != 1.0:  # a synonym expansion's phrase or Or, boosted by its weight (planner)
            if isinstance(acc, np.ndarray):
                part = np.zeros(len(acc), dtype=np.float64)
                self._add(node, part, restrict, exact)
                acc += part * boost
                return
            part = [0.0] * len(acc)
            self._add(node, part, restrict, exact)
            acc[:] = map(add, acc, map(mul, part, repeat(boost)))
        else:
            self._add(node, acc, restrict, exact)

    def _add(self, node, acc: list[float], restrict: set[int] | None, exact: bool) -> None:
        if self._is_term(node):
            self._add_term(node, acc, restrict)
            return
        if isinstance(node, Q.Phrase) and self._bulk_phrase(node):
            # Whoosh scores a phrase as the sum of its words' scores (SpanNear2
            # over an intersection of plain terms), in the documents that have it
            # (on an exact path only its And's candidates are read: the phrase's
            # matches among them are enough)
            matched = self._within.get(id(node)) if exact else None
            if matched is None:
                matched = self.candidates(node)
            if restrict is not None:
                matched = matched & restrict
            for word in node.words if matched else ():
                self._add_term(Q.Term(node.fieldname, word), acc, matched)
            return
        if node is Q.NullQuery or isinstance(node, Q.NullQuery.__class__):
            return
        if isinstance(node, Q.Or):
            for child in node.subqueries:
                self.add_scores(child, acc, restrict, False)
            return
        if isinstance(node, (Q.And, Q.AndMaybe, Q.AndNot)):
            if not exact:
                own = self.candidates(node)
                restrict = own if restrict is None else restrict & own
                if not restrict:
                    return
            if isinstance(node, Q.And):
                for child in node.subqueries:
                    self.add_scores(child, acc, restrict, True)
                return
            self.add_scores(node.a, acc, restrict, True)
            if isinstance(node, Q.AndMaybe):
                self.add_scores(node.b, acc, restrict, False)
            return
        found = self.fallback(node)
        docs = [d for d in found if restrict is None or d in restrict]
        _accumulate(acc, docs, [found[d] for d in docs])

    def term_plan(self, node: Q.Term):
        """(upper bound of one posting's score, docnums, weights, scale, norms), or None.

        A posting scores ``scale * tf / (tf + norms[docnum])``: Whoosh's BM25F,
        ``idf * (tf * (K1 + 1)) / (tf + norm)``, times the term's boost (qf).
        """
        ids, tfs, _ = self.postings(node)
        if not ids:
            return None
        if isinstance(node, Coverage):  # a constant per document: idf x boost
            btext = self.searcher.schema[node.fieldname].to_bytes(node.text)
            scale = self.searcher.idf(node.fieldname, btext) * node.boost
            return scale, ids, tfs, scale, self._zeros()
        weighting = self.weighting
        fieldname = node.fieldname
        B = weighting.b_of(fieldname)
        K1 = weighting.K1
        norms = norms_of(self.searcher, self.sub, fieldname, B, K1)
        least = norms.least
        btext = self.searcher.schema[fieldname].to_bytes(node.text)
        scale = self.searcher.idf(fieldname, btext) * (K1 + 1) * node.boost
        top = self.reader.term_info(fieldname, btext).max_weight() or max(tfs)
        return scale * top / (top + least), ids, tfs, scale, norms

    def _zeros(self) -> list[float]:
        cache = cache_of(self.reader, "norms")
        zeros = cache.get("zeros")
        if zeros is None:
            zeros = cache["zeros"] = [0.0] * self.reader.doc_count_all()
        return zeros

    def _add_term(self, node: Q.Term, acc: list[float], restrict: set[int] | None) -> None:
        if self.deadline.expired():
            return  # the terms added so far rank the candidates
        plan = self.term_plan(node)
        if plan is None:
            return
        _, ids, tfs, scale, norms = plan
        if isinstance(acc, np.ndarray) and (restrict is None or len(restrict) * 24 >= len(ids)):
            arrayscore.add_array(self, ids, tfs, scale, norms, acc, restrict)
            return
        if restrict is not None:
            _add_for(restrict, ids, tfs, scale, norms, acc)
            return
        add_list(ids, tfs, scale, norms, acc)



def _accumulate(acc: list[float], ids, scores) -> None:
    """``acc[d] += score`` for every pair."""
    for docnum, score in zip(ids, scores, strict=True):
        acc[docnum] += score
