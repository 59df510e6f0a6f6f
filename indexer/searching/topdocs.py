"""Exact top-N by scoring whole posting lists at once, instead of one matcher call per posting.

Whoosh evaluates a query document by document: for every candidate each
matcher of the tree is asked ``id()``, ``skip_to()``, ``score()``, several
Python calls per posting per level. With the evidence clauses of
:mod:`indexer.searching.planner` a common query scores tens of thousands of candidates,
and that per-posting Python dominated search time on a 100k-document index.

Here the same query tree is evaluated segment by segment and list by list: the
candidates are docnum sets (:mod:`indexer.searching.candidates`), a term's BM25F
score one tight loop over its decoded arrays (:mod:`indexer.searching.segmentscore`);
the flat ranking query of words plus evidence is scored as arrays
(:mod:`indexer.searching.arrayscore`) or by :mod:`indexer.searching.maxscore`'s pruned
path. The scores are Whoosh's, so the ranking is unchanged. This module runs that
over the segments of a searcher and keeps the best ``limit``, in Whoosh's order.

A :class:`indexer.searching.budget.Deadline` is looked at between units of work (a
posting list, a segment, a few hundred phrase candidates). Once it has passed,
work that can only *add* documents stops (the rest of an Or, phrase checks), so
every document returned still matches; under a negation, where stopping early
would let through documents the query excludes, unchecked documents count as
matches instead (excluded, never wrongly shown). Scores then miss the terms not
yet added, and totals the documents not yet found. The deadline is looked at
under a negation too: it is also where a long query lets cheap ones run first.
"""

from __future__ import annotations

import heapq
from itertools import repeat
from operator import add, neg

import numpy as np
from whoosh import query as Q

from indexer.searching import arrayscore
from indexer.searching.budget import NEVER, Deadline
from indexer.searching.candidates import SegmentCandidates
from indexer.searching.maxscore import flat_terms, top_flat
from indexer.searching.segmentscore import SegmentScorer

FEW_CANDIDATES = 8
"""Candidates fewer than a segment's documents divided by this are "few" (see top_docs)."""


def top_docs(searcher, query: Q.Query, limit: int, allowed: set[int] | None = None,
             excluded: set[int] | None = None, matched: list | None = None,
             deadline: Deadline = NEVER,
             ) -> tuple[int, list[tuple[int, float]]]:
    """(number of matches, best ``limit`` (global docnum, score)), Whoosh's order.

    ``allowed``: global docnums a filter lets through (None: all);
    ``excluded``: global docnums to leave out (deleted documents);
    ``matched``: if given, receives (segment reader, offset, matches minus
    ``excluded``, before ``allowed``) per segment, for facet counts;
    ``deadline``: when to stop (see the module docstring).
    Ties are broken by docnum, as Whoosh's collector does.
    """
    context = searcher.context()
    terms = flat_terms(query)
    total = 0
    best: list[tuple[float, int]] = []
    for sub, offset in searcher.leaf_searchers():
        if deadline.expired():
            break  # segments not reached: fewer documents, each a match
        segment = SegmentScorer(searcher, sub, context, deadline)
        size = sub.reader().doc_count_all()
        mask = arrayscore.candidate_mask(segment, query, size) if terms is not None else None
        if mask is not None:  # the flat ranking query: scored as arrays
            total += _top_arrays(segment, terms, mask, offset, limit, allowed, excluded,
                                 matched, best)
            continue
        candidates = segment.candidates(query)  # cached for the tree: not changed in place
        if excluded:
            candidates = candidates - {d - offset for d in excluded
                                       if offset <= d < offset + size}
        if matched is not None:
            matched.append((sub.reader(), offset, candidates))
        if allowed is not None:
            candidates = candidates & {d - offset for d in allowed if offset <= d < offset + size}
        if not candidates:
            continue
        total += len(candidates)
        if terms is not None:
            acc = [0.0] * size
            candidates = top_flat(segment, terms, candidates, limit, acc)
            docs = list(candidates)
            values = map(acc.__getitem__, docs)
        else:
            # Few candidates (a phrase, a rare word): the evidence lists are scored for
            # them alone (a binary search each), not walked whole. Only candidates'
            # totals are read, so any other document may collect anything. Many: whole
            # lists are added into a numpy array (a prefix's or an OR's dozens of lists).
            few = candidates if len(candidates) * FEW_CANDIDATES < size else None
            acc = [0.0] * size if few is not None else np.zeros(size)
            segment.add_scores(query, acc, few, exact=True)
            docs = list(candidates)
            values = (acc[docs].tolist() if few is None
                      else list(map(acc.__getitem__, docs)))
        shifted = map(add, docs, repeat(offset))
        best += heapq.nlargest(limit, zip(values, map(neg, shifted), strict=False))
    best = heapq.nlargest(limit, best)
    return total, [(-negdoc, score) for score, negdoc in best]


def _top_arrays(segment: SegmentScorer, terms: list[Q.Term], mask, offset: int, limit: int,
                allowed: set[int] | None, excluded: set[int] | None, matched: list | None,
                best: list) -> int:
    """:func:`top_docs` for one segment with :mod:`indexer.arrayscore`: adds the
    segment's best to ``best`` and returns its number of matches."""
    size = len(mask)
    if excluded:
        local = [d - offset for d in excluded if offset <= d < offset + size]
        mask[local] = False
    if matched is not None:
        matched.append((segment.reader, offset, set(arrayscore.np.flatnonzero(mask).tolist())))
    if allowed is not None:
        keep = arrayscore.np.zeros(size, dtype=bool)
        keep[[d - offset for d in allowed if offset <= d < offset + size]] = True
        mask &= keep
    count = int(mask.sum())
    if count:
        acc = arrayscore.scores(segment, terms, size)
        best += [(score, negdoc - offset)
                 for score, negdoc in arrayscore.top(acc, mask, limit)]
    return count


def matches(searcher, query: Q.Query, excluded: set[int] | None = None,
            deadline: Deadline = NEVER) -> list:
    """Per segment: (segment reader, offset, documents matching ``query`` minus
    ``excluded``): the candidates of :func:`top_docs`, unscored (date order)."""
    context = searcher.context()
    found = []
    for sub, offset in searcher.leaf_searchers():
        if deadline.expired():
            break  # segments not reached: fewer documents, each a match
        candidates = SegmentCandidates(searcher, sub, context, deadline).candidates(query)
        size = sub.reader().doc_count_all()
        if excluded:
            candidates = candidates - {d - offset for d in excluded
                                       if offset <= d < offset + size}
        found.append((sub.reader(), offset, candidates))
    return found
