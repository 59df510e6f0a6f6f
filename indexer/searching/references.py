"""A reference typed: ``điều 111``, ``khoản 2``, ``nghị định 30``, ``chương 3``.

Why: a number the user types next to a word names an item by its heading
(*Điều 111. Tội xâm phạm an ninh lãnh thổ*, *Nghị định 30/2020/NĐ-CP*). The first
ranking weighs a number found in a title (``NUMBER_TITLE_BOOST``) but syllable by
syllable, so in ``điều 111 bộ luật hình sự`` the articles whose titles hold the
code's name (*Điều 1. Nhiệm vụ của Bộ luật hình sự*) outrank article 111. A title
*beginning* with the heading word and the number is the item referred to, and the rescoring
(:mod:`indexer.searching.rescore`) says so. Beginning: a numbered item's heading
starts with its number, where a title merely holding a number and the word before it
is about something else (``người lao động dưới 18 tuổi`` is not a reference to the
titles holding *dưới 18*: eight articles of the penal codes ranked above the labour
code's answer when any place in the title counted).
"""

from __future__ import annotations

import re

from indexer.searching.query import ParsedQuery

References = tuple[tuple[str, ...], ...]
"""Runs of folded syllables typed in a row, each ending with a number."""

LONGEST = 4
"""Most syllables of a reference's run (``quyết định số 15``)."""

HEADING_WORDS = frozenset({
    # the numbered parts of a text, and of the law, as Vietnamese numbers them
    "dieu", "khoan", "diem", "chuong", "muc", "phan", "tiet", "so", "bai", "phu luc",
    "luat", "nghi dinh", "quyet dinh", "thong tu", "nghi quyet", "chi thi", "cong van",
    "thong bao", "bieu mau", "mau",
})
"""Words (folded) that number a heading: ``điều 111`` refers to a heading, where
``năm 2023``, ``tháng 12`` or ``top 10`` are words of a topic ("Năm 2023: bóng đá nhìn
lại" is not what ``kinh tế năm 2023`` asks for)."""

_NUMBER = re.compile(r"[0-9]+[a-z]?")  # 51, 51a (an article added by an amendment)


def references(parsed: ParsedQuery) -> References:
    """The runs that may begin a heading: each number typed after a heading word
    (:data:`HEADING_WORDS`), with the one to three syllables before it (``điều 111``;
    ``nghị định 30`` as *định 30* and *nghị định 30*: a heading may begin with either)."""
    typed = parsed.typed_folds(prefixes=False)
    runs = []
    for end, number in enumerate(typed):
        if not _NUMBER.fullmatch(number) or not _after_heading_word(typed, end):
            continue
        first = max(0, end - LONGEST + 1)
        runs += [tuple(typed[start:end + 1]) for start in range(end - 1, first - 1, -1)]
    return tuple(dict.fromkeys(runs))


def _after_heading_word(typed: list[str], end: int) -> bool:
    return any(" ".join(typed[end - size:end]) in HEADING_WORDS
               for size in (1, 2) if end - size >= 0)


def refers(title: tuple[str, ...], runs: References) -> bool:
    """True if the title (folded syllables) begins with one of the runs."""
    return any(tuple(title[:len(run)]) == run for run in runs)
