"""Which documents of one segment a query tree matches: docnum sets, no scores.

Why apart from scoring: candidates are what every evaluation needs first (the
ranking, the date order, the every-word total, the facets), and their rules are their
own: a term is its posting list, an And an intersection (phrases checked last, only
in the documents every other part has), an Or a union, a phrase consecutive
positions. Posting lists are read once per query and shared by the whole tree
(:mod:`indexer.searching.postcache` shares them across queries).

A :class:`indexer.searching.budget.Deadline` is looked at between units of work.
Once it has passed, work that can only *add* documents stops, so every document
returned still matches; under a negation (``negative``), where stopping early
would let through documents the query excludes, unchecked documents count as
matches instead (excluded, never wrongly shown). Node types without a bulk
evaluation here are run through Whoosh's own matcher (:meth:`fallback`).
"""

from __future__ import annotations

import numpy as np
from whoosh import query as Q

from indexer.indexing.schema import FoldedPositions
from indexer.searching import phrasecheck
from indexer.searching.budget import NEVER, Deadline
from indexer.searching.postcache import POSTING_CACHE

Scores = dict[int, float]


class SegmentCandidates:
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

    def _scorable(self, fieldname: str):
        """The schema field if it is scored by length (BM25F), else None."""
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        return field if field is not None and field.scorable else None

    def _bulk_phrase(self, node: Q.Phrase) -> bool:
        field = self._scorable(node.fieldname)
        # Positions as FoldedPositions encodes them, read back packed (read_postings):
        # what phrasecheck decodes. Any other format goes through Whoosh's matcher.
        return (field is not None and 1 <= node.slop <= phrasecheck.MAX_SLOP
                and bool(node.words)
                and isinstance(field.format, FoldedPositions))

    def _phrase_matches(self, node: Q.Phrase, negative: bool = False,
                        within: set[int] | None = None) -> set[int]:
        """Documents with the words at consecutive positions (among ``within``, if given).

        Past the deadline, the documents not yet checked are left out, or, under
        a negation (``negative``), counted in.
        """
        if not negative and self.deadline.expired():
            return set()
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
        lists = []
        for term in terms:
            if self.deadline.expired():
                return found if negative else set()
            ids, _, vals = self.postings(term, with_values=True)
            lists.append((ids, vals))
        ranked = np.asarray(sorted(found), dtype=np.int64)
        ranks = phrasecheck.adjacent([phrasecheck.gather(ranked, ids, vals)
                                      for ids, vals in lists], self.deadline.expired,
                                     node.slop)
        if ranks is None:  # the deadline passed
            return found if negative else set()
        return set(ranked[ranks].tolist())

    def _is_term(self, node: Q.Query) -> bool:
        """A term this module scores itself (scorable field)."""
        return isinstance(node, Q.Term) and self._scorable(node.fieldname) is not None
