"""A reference typed: ``điều 111``, ``khoản 2``, ``nghị định 30``, ``chương 3``.

Why: a number the user types next to a word names an item by its heading
(*Điều 111. Tội xâm phạm an ninh lãnh thổ*, *Nghị định 30/2020/NĐ-CP*). The first
ranking weighs a number found in a title (``NUMBER_TITLE_BOOST``) but syllable by
syllable, so in ``điều 111 bộ luật hình sự`` the articles whose titles hold the
code's name (*Điều 1. Nhiệm vụ của Bộ luật hình sự*) outrank article 111. A title
*beginning* with the word and its number is the item referred to, and the rescoring
(:mod:`indexer.searching.rescore`) says so. Beginning: a numbered item's heading
starts with its number, where a title merely holding a number and the word before it
is about something else (``người lao động dưới 18 tuổi`` is not a reference to the
titles holding *dưới 18*: eight articles of the penal codes ranked above the labour
code's answer when any place in the title counted).
"""

from __future__ import annotations

from indexer.searching.query import ParsedQuery

References = tuple[tuple[str, str], ...]
"""(folded word, number) typed in a row."""


def references(parsed: ParsedQuery) -> References:
    """The (word, number) pairs typed in a row among the positive words, a number
    being a syllable of digits after a syllable that is not one."""
    typed: list[str] = []
    for unit in parsed.positive:
        if unit.scope is not None or unit.kind == "group":
            continue
        for word in unit.words:
            typed += list(word.parts) if word.parts else [word.folded]
    return tuple(dict.fromkeys(
        (word, number) for word, number in zip(typed, typed[1:], strict=False)
        if number.isdigit() and not word.isdigit()))


def refers(title: tuple[str, ...], pairs: References) -> bool:
    """True if the title (folded syllables) begins with one of the pairs."""
    return tuple(title[:2]) in pairs
