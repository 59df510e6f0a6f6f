"""Vietnamese alphabetical order, for lists people scan (sources on the page and in stats).

Python sorts by code point, which puts ``Đ`` after ``Z`` and ``Ă``/``Â`` after
every plain letter. Vietnamese dictionaries order the letters
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, and tones only
break ties (ngang, huyền, hỏi, ngã, sắc, nặng), so *Bộ luật dân sự* sorts
among the *B*, not after *Z*.
"""

from __future__ import annotations

import unicodedata

_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letter(base: str, mark: int) -> tuple[int, int]:
    if base == "đ":
        return (ord("d"), 1)
    return (ord(base), mark)


def vn_key(text: str) -> tuple:
    """A sort key: letters in Vietnamese order, case and tones only breaking ties."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    case: list[int] = []
    for char in unicodedata.normalize("NFD", text):
        if char in _LETTER_MARKS and letters:
            base, _ = letters[-1]
            letters[-1] = (base, _LETTER_MARKS[char])
        elif char in _TONES:
            if tones:
                tones[-1] = _TONES[char]
        elif unicodedata.combining(char):
            continue
        else:
            lower = char.lower()
            letters.append(_letter(lower, 0))
            tones.append(0)
            case.append(0 if char == lower else 1)
    return (letters, tones, case)


def vn_sorted(names) -> list[str]:
    """``names`` in Vietnamese alphabetical order."""
    return sorted(names, key=vn_key)
