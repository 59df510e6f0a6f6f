"""Exact top-N by scoring whole posting lists at once, instead of one matcher call per posting.

Whoosh evaluates a query document by document: for every candidate each
matcher of the tree is asked ``id()``, ``skip_to()``, ``score()``, several
Python calls per posting per level. With the evidence clauses of
:mod:`indexer.searching.planner` a common query scores tens of thousands of candidates,
and that per-posting Python dominated search time on a 100k-document index.

Here the same query tree is evaluated list by list: candidates are
intersections and unions of docnum sets (in C); a term's BM25F score is one
tight loop over its decoded arrays (:mod:`indexer.searching.postcache`), added into a
dense per-segment array; phrases are checked on decoded positions. Queries of
words plus evidence take :mod:`indexer.searching.maxscore`'s pruned path. The scores
are Whoosh's (same BM25F, idf, field lengths and boosts, see
:class:`indexer.searching.planner.Bm25f`), so the ranking is unchanged; query nodes this
module does not know are scored by Whoosh's own matcher.

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
from bisect import bisect_left
from itertools import repeat
from operator import add, mul, neg

from whoosh import query as Q

from indexer.searching import arrayscore
from indexer.searching.bm25 import Coverage, _lengths
from indexer.searching.budget import NEVER, Deadline
from indexer.searching.maxscore import _add_for, flat_terms, top_flat
from indexer.searching.postcache import POSTING_CACHE

Scores = dict[int, float]


def _norms(searcher, sub, fieldname: str, B: float, K1: float) -> tuple[list[float], float]:
    """``K1 * (1 - B + B * length / avgfl)`` of every document of ``sub``'s segment
    (from the same one-byte lengths Whoosh scores with), and the least of them
    (for score bounds)."""
    avgfl = searcher.avg_field_length(fieldname) or 1
    cache = sub.reader().__dict__.setdefault("_vnsearch_norms", {})
    key = (fieldname, B, K1, avgfl)
    norms = cache.get(key)
    if norms is None:
        a, b = K1 * (1 - B), K1 * B / avgfl
        norms = [a + b * (length or 0) for length in _lengths(sub, fieldname)]
        norms = cache[key] = (norms, min(norms, default=a))
    return norms


class _Segment:
    """One segment's evaluation: posting lists are read once and shared by the tree."""

    def __init__(self, searcher, sub, context, deadline: Deadline = NEVER):
        self.searcher, self.sub, self.context = searcher, sub, context
        self.deadline = deadline
        self.reader = sub.reader()
        self.weighting = searcher.weighting
        self._lists: dict[tuple[str, bytes], tuple] = {}
        self._fallback: dict[int, Scores] = {}
        self._candidates: dict[int, set[int]] = {}
        self._within: dict[int, set[int]] = {}  # a phrase's matches among its And's others

    # -- posting lists ---------------------------------------------------------------

    def postings(self, node: Q.Term, with_values: bool = False):
        """(docnums, weights, values or None) of a term, read once per query."""
        try:
            btext = self.searcher.schema[node.fieldname].to_bytes(node.text)
        except (KeyError, ValueError):
            return [], [], []
        key = (node.fieldname, btext)
        found = self._lists.get(key)
        if found is None or (with_values and found[2] is None):
            found = POSTING_CACHE.get(self.reader, node.fieldname, btext, with_values)
            self._lists[key] = found
        return found

    def fallback(self, node: Q.Query) -> Scores:
        """Whoosh's own matcher, for node types without a bulk evaluation here."""
        found = self._fallback.get(id(node))
        if found is None:
            found = {}
            matcher = node.matcher(self.sub, self.context)
            while matcher.is_active():
                found[matcher.id()] = matcher.score()
                matcher.next()
            self._fallback[id(node)] = found
        return found

    # -- candidates: docnum sets, no scoring -----------------------------------------------

    def candidates(self, node: Q.Query, negative: bool = False) -> set[int]:
        """``negative``: under a negation, where a deadline may only add documents."""
        found = self._candidates.get(id(node))
        if found is None:
            found = self._candidates[id(node)] = self._find(node, negative)
        return found

    def _find(self, node: Q.Query, negative: bool) -> set[int]:
        if self._is_term(node):
            return set(self.postings(node)[0])
        if isinstance(node, Q.Phrase) and self._bulk_phrase(node):
            return self._phrase_matches(node, negative)
        if isinstance(node, Q.AndMaybe):
            return self.candidates(node.a, negative)
        if isinstance(node, Q.AndNot):
            return self.candidates(node.a, negative) - self.candidates(node.b, not negative)
        if isinstance(node, Q.And):
            # A term's docnums are intersected straight from its array: no set
            # is built for the long lists of common words. Phrases come last and
            # are checked only in the documents every other part has.
            parts, phrases = [], []
            for child in node.subqueries:
                if self._is_term(child):
                    parts.append(self.postings(child)[0])
                elif isinstance(child, Q.Phrase) and self._bulk_phrase(child):
                    phrases.append(child)
                else:
                    parts.append(self.candidates(child, negative))
            parts.sort(key=len)
            found = set(parts[0]) if parts else None
            for part in parts[1:]:
                if self.deadline.expired() and not negative:
                    return set()  # an unfinished intersection is no match
                found = found.intersection(part)
            for phrase in phrases:
                if found is None:
                    found = self.candidates(phrase, negative)
                else:
                    found = self._within[id(phrase)] = self._phrase_matches(
                        phrase, negative, found)
            return found or set()
        if isinstance(node, Q.Or):
            # A term's docnums go into the union straight from its array, once
            # per list (a word's BM25 and coverage terms share one list).
            found: set[int] = set()
            seen_lists: set[tuple[str, str]] = set()
            for child in node.subqueries:
                if self.deadline.expired() and not negative:
                    break  # the branches so far: fewer documents, each a match
                if self._is_term(child):
                    key = (child.fieldname, child.text)
                    if key not in seen_lists:
                        seen_lists.add(key)
                        found.update(self.postings(child)[0])
                else:
                    found |= self.candidates(child, negative)
            return found
        if node is Q.NullQuery or isinstance(node, Q.NullQuery.__class__):
            return set()
        return set(self.fallback(node))

    # -- scores ------------------------------------------------------------------

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
        if boost != 1.0:  # never built by indexer.searching.planner; kept exact anyway
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

    def _scorable(self, fieldname: str):
        """The schema field if it is scored by length (BM25F), else None."""
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        return field if field is not None and field.scorable else None

    def _bulk_phrase(self, node: Q.Phrase) -> bool:
        field = self._scorable(node.fieldname)
        return (field is not None and node.slop == 1 and bool(node.words)
                and field.format.supports("positions"))

    def _phrase_matches(self, node: Q.Phrase, negative: bool = False,
                        within: set[int] | None = None) -> set[int]:
        """Documents with the words at consecutive positions (among ``within``, if given).

        Past the deadline, the documents not yet checked are left out, or, under
        a negation (``negative``), counted in.
        """
        if not negative and self.deadline.expired():
            return set()
        field = self.searcher.schema[node.fieldname]
        terms = [Q.Term(node.fieldname, word) for word in node.words]
        found = within
        for ids in sorted((self.postings(term)[0] for term in terms), key=len):
            if self.deadline.expired() and not negative:
                return set()
            found = set(ids) if found is None else found.intersection(ids)
            if not found:
                return found
        if len(terms) == 1:
            return found
        # Positions take a while to decode: the deadline is looked at between lists.
        decode = field.format.decode_positions
        values = []
        for term in terms:
            if self.deadline.expired():
                return found if negative else set()
            ids, _, vals = self.postings(term, with_values=True)
            values.append(_values_of(found, ids, vals))
        matched = set()
        docs = list(found)
        for i, docnum in enumerate(docs):
            if not i & 255 and self.deadline.expired():
                if negative:
                    matched.update(docs[i:])
                break
            starts = set(decode(values[0][docnum]))
            for offset, by_doc in enumerate(values[1:], 1):
                starts &= {p - offset for p in decode(by_doc[docnum])}
                if not starts:
                    break
            else:
                matched.add(docnum)
        return matched

    def _is_term(self, node: Q.Query) -> bool:
        """A term this module scores itself (scorable field)."""
        return isinstance(node, Q.Term) and self._scorable(node.fieldname) is not None

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
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        norms, least = _norms(self.searcher, self.sub, fieldname, B, K1)
        btext = self.searcher.schema[fieldname].to_bytes(node.text)
        scale = self.searcher.idf(fieldname, btext) * (K1 + 1) * node.boost
        top = self.reader.term_info(fieldname, btext).max_weight() or max(tfs)
        return scale * top / (top + least), ids, tfs, scale, norms

    def _zeros(self) -> list[float]:
        cache = self.reader.__dict__.setdefault("_vnsearch_norms", {})
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
        if restrict is not None:
            _add_for(restrict, ids, tfs, scale, norms, acc)
            return
        # A plain loop: in CPython 3.11 it beats chains of map(operator...).
        for docnum, tf in zip(ids, tfs, strict=True):
            acc[docnum] += scale * tf / (tf + norms[docnum])


def _values_of(docs: set[int], ids, values) -> dict[int, bytes]:
    """The posting values of ``docs`` (each in the sorted ``ids``): looked up by binary
    search when they are few, else from the whole list."""
    if len(docs) * 24 < len(ids):
        return {docnum: values[bisect_left(ids, docnum)] for docnum in docs}
    return dict(zip(ids, values, strict=False))


def _accumulate(acc: list[float], ids, scores) -> None:
    """``acc[d] += score`` for every pair."""
    for docnum, score in zip(ids, scores, strict=True):
        acc[docnum] += score


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
        segment = _Segment(searcher, sub, context, deadline)
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
        acc = [0.0] * size
        if terms is not None:
            candidates = top_flat(segment, terms, candidates, limit, acc)
        else:
            segment.add_scores(query, acc, None, exact=True)
        docs = list(candidates)
        values = map(acc.__getitem__, docs)
        shifted = map(add, docs, repeat(offset))
        best += heapq.nlargest(limit, zip(values, map(neg, shifted), strict=False))
    best = heapq.nlargest(limit, best)
    return total, [(-negdoc, score) for score, negdoc in best]


def _top_arrays(segment: _Segment, terms: list[Q.Term], mask, offset: int, limit: int,
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
        candidates = _Segment(searcher, sub, context, deadline).candidates(query)
        size = sub.reader().doc_count_all()
        if excluded:
            candidates = candidates - {d - offset for d in excluded
                                       if offset <= d < offset + size}
        found.append((sub.reader(), offset, candidates))
    return found
