"""A reference typed: ``điều 111``, ``khoản 2``, ``nghị định 30``, ``chương 3``.

Why: a number the user types next to a word names an item by its heading
(*Điều 111. Tội xâm phạm an ninh lãnh thổ*, *Nghị định 30/2020/NĐ-CP*). The first
ranking weighs a number found in a title (``NUMBER_TITLE_BOOST``) but syllable by
syllable, so in ``điều 111 bộ luật hình sự`` the articles whose titles hold the
code's name (*Điều 1. Nhiệm vụ của Bộ luật hình sự*) outrank article 111. A title
*beginning* with the word(s) and the number is the item referred to, and the rescoring
(:mod:`indexer.searching.rescore`) says so. Beginning: a numbered item's heading
starts with its number, where a title merely holding a number and the word before it
is about something else (``người lao động dưới 18 tuổi`` is not a reference to the
titles holding *dưới 18*: eight articles of the penal codes ranked above the labour
code's answer when any place in the title counted).
"""

from __future__ import annotations

from indexer.searching.query import ParsedQuery

References = tuple[tuple[str, ...], ...]
"""Runs of folded syllables typed in a row, each ending with a number."""

LONGEST = 4
"""Most syllables of a reference's run (``quyết định số 15``)."""


def references(parsed: ParsedQuery) -> References:
    """The runs that may begin a heading: each number typed after a syllable that is
    not one, with the one to three syllables before it (``điều 111``; ``nghị định
    30`` as *định 30* and *nghị định 30*: a heading may begin with either)."""
    typed: list[str] = []
    for unit in parsed.positive:
        if unit.scope is not None or unit.kind == "group":
            continue
        for word in unit.words:
            typed += list(word.parts) if word.parts else [word.folded]
    runs = []
    for end, number in enumerate(typed):
        if end and number.isdigit() and not typed[end - 1].isdigit():
            runs += [tuple(typed[start:end + 1])
                     for start in range(end - 1, max(-1, end - LONGEST), -1)]
    return tuple(dict.fromkeys(runs))


def refers(title: tuple[str, ...], runs: References) -> bool:
    """True if the title (folded syllables) begins with one of the runs."""
    return any(tuple(title[:len(run)]) == run for run in runs)
