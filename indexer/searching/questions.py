"""Question words in a query: kept, but weighed little.

Why: people type questions (``án treo là gì``, ``nghỉ thai sản bao nhiêu tháng``,
``ly hôn nộp đơn ở đâu``). A question word says what kind of answer is wanted, not
what it is about, and it is rare in the texts that answer it (a law article never
asks "gì"), so as a plain word its high idf made the few texts holding it win
(*những gì* in the evidence articles beat *án treo*). Its evidence keeps
``QUESTION_WEIGHT`` of its weight (:mod:`indexer.searching.weights`); a query made of
question words only is searched as typed.

A word counts as a question word by the form typed or, unmarked, by the reading the
accent model predicts (``la gi`` -> *là gì*); *không* only at the end of a question
of three words or more (``có bị đi tù không``), where it asks yes or no.
"""

from __future__ import annotations

from indexer.searching.query import Unit
from indexer.text.folding import canonical

QUESTION_WORDS = frozenset({
    "gì", "là gì", "nào", "thế nào", "như thế nào", "ra sao", "bao nhiêu", "bao lâu",
    "bao giờ", "khi nào", "đâu", "ở đâu", "tại sao", "vì sao", "có phải",
})
"""Whole query units (a dictionary word or one syllable), accented, lowercase."""


FILLERS = frozenset({"là", "thì", "vậy"})
"""Syllables that join a question word without saying anything of the topic (``thế nào
là``, ``là gì vậy``): a unit of them and question syllables is a question unit."""


def _forms(unit: Unit) -> list[str] | None:
    if unit.kind != "word" or unit.scope is not None or unit.negated or unit.alternatives:
        return None
    forms = [w.accented or w.predicted for w in unit.words]
    return [canonical(f) for f in forms] if all(forms) else None


def question_units(units: list[Unit]) -> set[int]:
    """Indexes of the units of ``units`` that are question words, unless all are.

    The question phrases are looked for over the query's syllables, not its units: the
    segmentation may cut across them (``thế | nào là | tội phạm``).
    """
    flat: list[tuple[int, str | None]] = []
    for i, unit in enumerate(units):
        forms = _forms(unit)
        flat += [(i, f) for f in forms] if forms else [(i, None)]
    marked = [False] * len(flat)
    syllables = [f for _, f in flat]
    for phrase in _PHRASES:
        size = len(phrase)
        for start in range(len(flat) - size + 1):
            if tuple(syllables[start:start + size]) == phrase:
                marked[start:start + size] = [True] * size
    if len(units) >= 3 and syllables and syllables[-1] == "không":  # có ... không
        marked[-1] = True
    found = set()
    for i in range(len(units)):
        mine = [(m, f) for (j, f), m in zip(flat, marked, strict=True) if j == i]
        if any(m for m, _ in mine) and all(m or f in FILLERS for m, f in mine):
            found.add(i)
    return found if len(found) < len(units) else set()


_PHRASES = sorted({tuple(words.split()) for words in QUESTION_WORDS}, key=len, reverse=True)
