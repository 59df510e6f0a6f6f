"""Rescoring the top of a ranking by how well each title matches the query as a whole.

Why: the ranking model (:mod:`indexer.searching.planner`) is a sum of per-word
evidence, so it cannot see what a title *lacks*. "Định nghĩa" and "Từ điển thuật
ngữ tổng quát" both hold one word of ``JDBC định nghĩa``; a law's heading
"Điều 123. Tội giết người" is the query ``tội giết người`` plus two syllables,
where "Tội giết người trong trạng thái tinh thần bị kích động mạnh" is the query
plus eight. Full length normalisation of the title (``B_TITLE`` = 1) stood in
for that and cost the topical queries, whose answers often have a longer title
(issue 11). The squared Jaccard similarity of the folded syllable sets of title
and query measures it directly: 1 when the title is the query, falling fast as
either has words the other lacks.

As in Elasticsearch's rescore, only the top :data:`WINDOW` of the first ranking
is rescored, always the same window whatever the page, so pages stay
consistent; the bonus is :data:`TITLE_MATCH` times the best score of the window,
so it weighs the same against the rest of the evidence on every corpus.
"""

from __future__ import annotations

from functools import lru_cache

from indexer.searching.query import ParsedQuery
from indexer.whoosh_ext.analyzers import folded_analyzer

WINDOW = 50
"""How many of the first ranking's best are rescored."""
TITLE_MATCH = 0.2
"""The bonus of a title equal to the query, as a share of the window's best score."""


def query_syllables(parsed: ParsedQuery) -> frozenset[str]:
    """The folded syllables the user typed to be found (not excluded, not synonyms,
    not ``source:`` constraints), as the index spells them."""
    found: set[str] = set()
    for unit in parsed.positive:
        if unit.scope == "source":
            continue
        for alt in unit.leaves():
            if alt.weight < 1.0:
                continue
            for word in alt.words:
                found.update(word.parts or (word.folded,))
    return frozenset(found)


@lru_cache(maxsize=1)
def _analyzer():
    return folded_analyzer()


def title_syllables(title: str) -> frozenset[str]:
    """The folded syllables of a title, as the ``title_f`` field indexes them."""
    return frozenset(token.text for token in _analyzer()(title or ""))


def title_match(title: frozenset[str], query: frozenset[str]) -> float:
    """Squared Jaccard similarity of the two syllable sets (0 when either is empty)."""
    if not title or not query:
        return 0.0
    shared = len(title & query)
    return (shared / (len(title) + len(query) - shared)) ** 2


def rescore(items: list[tuple[int, float]], query: frozenset[str], title_of
            ) -> list[tuple[int, float]]:
    """``items`` (docnum, score), best first, with the top :data:`WINDOW` rescored and
    reordered (ties: the lower docnum first, as in the first ranking); ``title_of``
    gives a document's title from its docnum."""
    if not items or not query:
        return items
    window, rest = items[:WINDOW], items[WINDOW:]
    bonus = TITLE_MATCH * max(score for _, score in window)
    rescored = [(docnum, score + bonus * title_match(title_syllables(title_of(docnum)), query))
                for docnum, score in window]
    rescored.sort(key=lambda item: (-item[1], item[0]))
    return rescored + rest
