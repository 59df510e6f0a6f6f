"""Exact top-N of the flat ranking query with array arithmetic (numpy).

The ranking query of :mod:`indexer.searching.planner` is a sum of per-posting-list
contributions over the documents holding any query word (candidates by OR).
:func:`indexer.searching.maxscore.top_flat` prunes that sum in Python, posting by posting;
here every list is one vectorised step instead: the candidates are a boolean
mask, each list adds ``const + scale * tf / (tf + norm)`` to a score array, and
the top N comes from a partition. Same operations in the same order as the
Python path, so the scores are the same floats; ties go to the lower docnum, as
in Whoosh's collector. A list of 50,000 postings costs about a tenth of a
millisecond instead of several: the OR over common syllables stays cheap.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as Q

from indexer.searching.maxscore import ordered_plans
from indexer.searching.norms import Norms
from indexer.whoosh_ext.readerstate import cache_of

_WEIGHT_DTYPES = {"B": np.uint8, "H": np.uint16, "I": np.uint32, "f": np.float32}


def _weights_array(weights) -> np.ndarray:
    """Posting weights (an array of any of the codec's type codes, or a list) as float64."""
    dtype = _WEIGHT_DTYPES.get(getattr(weights, "typecode", None))
    if dtype is None:
        return np.asarray(weights, dtype=np.float64)
    return np.frombuffer(weights, dtype=dtype).astype(np.float64)


def _as_array(values, dtype) -> np.ndarray:
    """A posting array (``array('I')``/``array('f')``) or list, as numpy, without a
    copy when it supports the buffer protocol."""
    try:
        return np.frombuffer(values, dtype=dtype)
    except TypeError:
        return np.asarray(values, dtype=dtype)


def _norms_array(segment, norms) -> np.ndarray:
    """A plan's norms as a float64 array: a :class:`~indexer.searching.norms.Norms`'s own,
    or a list's (the zeros of constant plans) converted once per reader."""
    if isinstance(norms, Norms):
        return norms.as_array()
    cache = cache_of(segment.reader, "np_norms")
    found = cache.get(id(norms))
    if found is None or found[0] is not norms:
        found = cache[id(norms)] = (norms, np.asarray(norms, dtype=np.float64))
    return found[1]


def add_array(segment, ids, tfs, scale: float, norms, acc: np.ndarray,
              pool: set[int] | None = None, const: float = 0.0) -> None:
    """:func:`indexer.searching.maxscore.add_list` (or ``_add_for`` with ``pool``) on a numpy
    accumulator: the same float operations in the same order, per posting, in C."""
    docs = _as_array(ids, np.uint32)
    tf = _weights_array(tfs)
    if pool is not None:
        wanted = np.zeros(len(acc), dtype=bool)
        wanted[np.fromiter(pool, dtype=np.int64, count=len(pool))] = True
        keep = wanted[docs]
        docs, tf = docs[keep], tf[keep]
    acc[docs] += const + scale * tf / (tf + _norms_array(segment, norms)[docs])


def candidate_mask(segment, node: Q.Query, size: int) -> np.ndarray | None:
    """The documents ``node`` matches, as a mask, for the flat shapes the ranking
    builds (``[AndNot(] AndMaybe(And|Or of terms, …) [)]``); None for any other."""
    if isinstance(node, Q.AndNot):
        mask = candidate_mask(segment, node.a, size)
        if mask is None:
            return None
        unwanted = segment.candidates(node.b, True)
        if unwanted:
            mask[np.fromiter(unwanted, dtype=np.int64, count=len(unwanted))] = False
        return mask
    if isinstance(node, Q.AndMaybe):
        return candidate_mask(segment, node.a, size)
    if isinstance(node, Q.Term):
        mask = np.zeros(size, dtype=bool)
        mask[_as_array(segment.postings(node)[0], np.uint32)] = True
        return mask
    if isinstance(node, Q.Or):
        mask = np.zeros(size, dtype=bool)
        for child in node.subqueries:
            if not isinstance(child, Q.Term):
                return None
            mask[_as_array(segment.postings(child)[0], np.uint32)] = True
        return mask
    if isinstance(node, Q.And):
        mask = None
        for child in node.subqueries:
            part = candidate_mask(segment, child, size)
            if part is None:
                return None
            mask = part if mask is None else mask & part
        return mask if mask is not None else np.zeros(size, dtype=bool)
    return None


def scores(segment, terms: list[Q.Term], size: int) -> np.ndarray:
    """Every document's score: the terms' contributions, largest bound first (the
    order :func:`indexer.searching.maxscore.top_flat` adds them in)."""
    plans = ordered_plans(segment, terms)
    acc = np.zeros(size, dtype=np.float64)
    for _, ids, tfs, scale, norms, const in plans:
        if segment.deadline.expired():
            break  # the largest contributions came first: the best ranking so far
        add_array(segment, ids, tfs, scale, norms, acc, const=const)
    return acc


def top(acc: np.ndarray, mask: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The best ``limit`` (score, -docnum) of the masked documents: higher score
    first, the lower docnum first among equals."""
    docs = np.flatnonzero(mask)
    values = acc[docs]
    if limit < len(docs):
        threshold = values[np.argpartition(-values, limit - 1)[limit - 1]]
        keep = values >= threshold  # ties at the threshold: all, sorted below
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))[:limit]
    return list(zip(values[order].tolist(), (-docs[order]).tolist(), strict=True))
