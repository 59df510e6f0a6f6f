"""Did you mean: the query with accents restored or a typo fixed, offered only if useful.

Why apart: a suggestion is a nicety with its own rules (never invented language: the
restored text must be a sequence the corpus has; never the query itself; only if it
finds something), and it must never fail or slow down a search beyond its deadline.
"""

from __future__ import annotations

from indexer.accents.wording import attested
from indexer.searching.budget import Deadline
from indexer.searching.engine import SearchIndex
from indexer.searching.paging import Scope
from indexer.searching.planner import build_query
from indexer.searching.query import ParsedQuery, clean, parse
from indexer.searching.results import ResultsDraft
from indexer.searching.topdocs import top_docs
from indexer.text.folding import fold
from indexer.text.syllables import syllables
from indexer.text.variants import i_spelling


def restored_query(index: SearchIndex, query: str, parsed: ParsedQuery) -> str | None:
    """The query with accents restored / typos fixed by the corpus's own model."""
    if not parsed.positive or len(query) > 200:
        return None
    try:
        return index.model().restore(clean(query)) or None
    except Exception:  # restoration is a nicety; never fail a search for it
        return None


def suggestion(index: SearchIndex, searcher, query: str, restored: str, results: ResultsDraft,
               scope: Scope, deadline: Deadline) -> str | None:
    """Did-you-mean: the restored query, capitalised as the corpus writes it, if it is a
    sequence the corpus has (never invented language) and differs from what was typed."""
    model = index.model()
    if not attested(model, restored) or _excludes_itself(restored):
        return None
    restored = model.cased(restored)
    if spelt_alike(restored, query):
        return None
    if fold(restored) == fold(query) and results.total:
        return restored  # same letters: it finds what this query found
    return _finds_results(searcher, restored, scope, deadline)


def _excludes_itself(text: str) -> bool:
    """``bán -bán``: restoring ``ban -bán`` gave a word the same form as one it excludes."""
    units = parse(text).units
    forms = [{(w.folded, w.accented) for alt in u.leaves(True) for w in alt.words}
             for u in units]
    wanted = set().union(*(f for u, f in zip(units, forms, strict=True) if not u.negated))
    unwanted = set().union(*(f for u, f in zip(units, forms, strict=True) if u.negated))
    return bool(wanted & unwanted)


def spelt_alike(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` are the same words as Vietnamese writes them: letter case,
    NFC/NFD, tone placement (``hoà``/``hòa``) and i/y (``kĩ``/``kỹ``) aside. Suggesting
    one for the other repeats the query to the user."""
    return _spelling_key(a) == _spelling_key(b)


def _spelling_key(text: str) -> list[str]:
    # accented: lowercase NFC, canonical tone placement; kỹ -> kĩ
    return [i_spelling(syllable.accented) for syllable in syllables(text)]


def _finds_results(searcher, restored: str, scope: Scope, deadline: Deadline) -> str | None:
    """``restored`` if searching it would find something (a useful "did you mean")."""
    candidate = build_query(parse(restored), searcher.reader())
    if candidate is None:
        return None
    total, _ = top_docs(searcher, candidate, 1, scope.allowed, scope.deleted,
                        deadline=deadline)
    return restored if total and not deadline.expired() else None
