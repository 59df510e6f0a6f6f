"""MaxScore pruning for the common query shape: required terms plus optional evidence terms.

Most queries are a conjunction of words (``hop dong``) with evidence terms
(title, accents, pairs; see :mod:`indexer.searching.planner`). Their long posting lists
(*đồng* is in most documents) carry small scores, while the short title lists
carry large ones. Scoring terms from the largest possible contribution down,
once the best partial scores so far are out of reach of everything left,
documents not yet seen cannot enter the top N: the long lists are then only
read for the few documents still in the running. Every score is still exact,
so the top N is exactly the one full evaluation would give.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from itertools import compress

from whoosh import query as Q

from indexer.searching.norms import as_list

# Bounds are sums of floats added in another order than the scores: a margin
# keeps rounding from ever pruning a document that ties the N-th one.
_MARGIN = 1e-9


def flat_terms(query: Q.Query) -> list[Q.Term] | None:
    """The scoring terms of ``[AndNot(] AndMaybe(terms, terms) [, ...)]``, else None.

    The first part may be an And (every term required) or an Or (any term
    makes a candidate): either way the candidates are worked out apart, as
    sets, and a candidate's score is the sum of the scores of its terms.

    Only plain terms qualify (phrases, prefixes and ORs take the full path):
    then a document's score is the sum of its terms' scores.
    """
    if isinstance(query, Q.AndNot):
        query = query.a
    parts = [query.a, query.b] if isinstance(query, Q.AndMaybe) else [query]
    terms: list[Q.Term] = []
    for part in parts:
        children = part.subqueries if isinstance(part, (Q.And, Q.Or)) else [part]
        if isinstance(part, (Q.And, Q.Or)) and getattr(part, "boost", 1.0) != 1.0:
            return None
        for child in children:
            if not isinstance(child, Q.Term):
                return None
            terms.append(child)
    return terms


def add_list(ids, tfs, scale: float, norms, acc: list[float], const: float = 0.0) -> None:
    """The BM25F inner loop: ``acc[d] += const + scale * tf / (tf + norms[d])`` for every
    posting of one list (:meth:`~indexer.searching.segmentscore.SegmentScorer.term_plan`
    says what ``scale`` and ``norms`` are). A plain loop: in CPython 3.11 it beats chains
    of map(operator...)."""
    norms = as_list(norms)
    if const:
        for docnum, tf in zip(ids, tfs, strict=True):
            acc[docnum] += const + scale * tf / (tf + norms[docnum])
        return
    for docnum, tf in zip(ids, tfs, strict=True):
        acc[docnum] += scale * tf / (tf + norms[docnum])


def _add_for(pool: set[int], ids, tfs, scale: float, norms, acc: list[float],
             const: float = 0.0) -> None:
    """Add one list's scores for the documents of ``pool`` only.

    A small pool looks its documents up in the sorted docnums (binary search,
    in C) instead of walking a list that may hold most of the collection.
    """
    norms = as_list(norms)
    if len(pool) * 24 < len(ids):
        size = len(ids)
        for docnum in pool:
            i = bisect_left(ids, docnum)
            if i < size and ids[i] == docnum:
                tf = tfs[i]
                acc[docnum] += const + scale * tf / (tf + norms[docnum])
        return
    keep = list(map(pool.__contains__, ids))
    for docnum, tf in zip(compress(ids, keep), compress(tfs, keep), strict=True):
        acc[docnum] += const + scale * tf / (tf + norms[docnum])


def top_flat(segment, terms: list[Q.Term], candidates: set[int], limit: int,
             acc: list[float]) -> set[int]:
    """Add the terms' scores into ``acc``; return the candidates that can still be in
    the top ``limit`` (every one of them with its exact score in ``acc``)."""
    plans = ordered_plans(segment, terms)
    rest = sum(plan[0] for plan in plans)
    seen: set[int] = set()
    pool: set[int] | None = None
    for bound, ids, tfs, scale, norms, const in plans:
        if segment.deadline.expired():
            break  # the largest contributions came first: the best ranking so far
        rest -= bound
        reach = rest * (1 + _MARGIN) + _MARGIN
        if pool is not None:
            _add_for(pool, ids, tfs, scale, norms, acc, const)
            if len(pool) > 4 * limit:  # less left to come: fewer documents still in reach
                pool = _in_reach(pool, acc, limit, reach)
            continue
        add_list(ids, tfs, scale, norms, acc, const)
        seen.update(ids)
        live = seen & candidates
        if len(live) < limit:
            continue
        if reach < heapq.nlargest(limit, map(acc.__getitem__, live))[-1]:
            # Unseen candidates have at most `rest` to come: out of the race.
            pool = _in_reach(live, acc, limit, reach)
    return candidates if pool is None else pool


def ordered_plans(segment, terms: list[Q.Term]) -> list[tuple]:
    """The terms' plans (see :func:`_merged`), largest bound first: the order both
    executors add them in, so that their scores are the same floats."""
    plans = []
    for term in terms:  # reading a long list takes a while: look at the deadline between
        if segment.deadline.expired():
            break
        plan = segment.term_plan(term)
        if plan is not None:
            plans.append(plan)
    plans = _merged(plans, segment._zeros())
    plans.sort(key=lambda plan: plan[0], reverse=True)
    return plans


def _merged(plans: list[tuple], zeros: list[float]) -> list[tuple]:
    """Plans with a constant per document (coverage, ``norms`` all zero) folded into
    the BM25 plan of the same posting list: one pass over a long list, not two.

    A plan becomes ``(bound, ids, tfs, scale, norms, const)``; a posting scores
    ``const + scale * tf / (tf + norms[docnum])``.
    """
    merged: dict[int, list] = {}
    out: list[list] = []
    constants = []
    for bound, ids, tfs, scale, norms in plans:
        if norms is zeros:
            constants.append((bound, ids, tfs, scale))
            continue
        plan = [bound, ids, tfs, scale, norms, 0.0]
        merged.setdefault(id(ids), plan)
        out.append(plan)
    for bound, ids, tfs, scale in constants:
        plan = merged.get(id(ids))
        if plan is None:
            out.append([bound, ids, tfs, scale, zeros, 0.0])
        else:
            plan[0] += bound
            plan[5] += scale
    return [tuple(plan) for plan in out]


def _in_reach(docs: set[int], acc: list[float], limit: int, reach: float) -> set[int]:
    """The documents whose score so far plus ``reach`` still reaches the ``limit``-th best."""
    threshold = heapq.nlargest(limit, map(acc.__getitem__, docs))[-1]
    return {d for d in docs if acc[d] + reach >= threshold}
