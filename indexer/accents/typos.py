"""Typos corrected in the search: one edit per word, or a run-together word split.

Why: a query with a typo (``trach nhiem hnh su``) finds no document with all its
words, and its best partial matches are about something else (*trách nhiệm dân
sự*). When a correction finds documents with every word, those are what the
user wanted; :mod:`indexer.searching.forgiving` shows them with a link to the query as
typed.

Candidates come from the index's own vocabulary, so a correction always finds
something: a word that is no term of the index is either replaced by a term
one edit away, the one most often seen beside its neighbours (the ``pairs``
field), or split into terms that the index has side by side (``hopdong`` ->
``hop dong``). Plain Python: on this vocabulary (tens of
thousands of syllables) the one-edit set of a word is a few hundred strings
probed in a dict, under a millisecond; a library (symspellpy, rapidfuzz) would
add a dependency and an index of its own for no measurable gain here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from indexer.accents.ngrams import edits
from indexer.text.syllables import is_compound, splice, syllables
from indexer.text.telex import ENGLISH, plain_words

MAX_PIECES = 4
MIN_PIECE = 1
_VOWEL = re.compile("[aeiouy]")
"""Every Vietnamese syllable has a vowel: a lone consonant term (a list's *đ)*) is no piece."""


def split_word(word: str, known: Callable[[str], bool], pair: Callable[[str, str], int]
               ) -> list[str] | None:
    """Syllables of a run-together ``word`` (``hopdong`` -> ``[hop, dong]``), or None.

    Every piece must be a term of the index and every two neighbours a pair the
    index has side by side (``pair(a, b)`` > 0: how many documents have it). Of
    all such splits the one with the fewest pieces, then the most frequent
    pairs, wins.
    """
    if not word.isalpha() or not word.isascii() or len(word) < 4 or len(word) > 40:
        return None
    best: tuple[int, int, list[str]] | None = None

    def walk(rest: str, pieces: list[str], weight: int) -> None:
        nonlocal best
        if not rest:
            if len(pieces) > 1:
                key = (-len(pieces), weight, pieces)
                if best is None or key[:2] > best[:2]:
                    best = key
            return
        if len(pieces) >= MAX_PIECES:
            return
        for cut in range(MIN_PIECE, min(len(rest), 7) + 1):
            head = rest[:cut]
            if not known(head) or not _VOWEL.search(head):  # dden is no "d den"
                continue
            seen = pair(pieces[-1], head) if pieces else 1
            if seen > 0:
                walk(rest[cut:], [*pieces, head], weight + seen)

    walk(word, [], 0)
    return best[2] if best else None


def split_query(text: str, known: Callable[[str], bool], pair: Callable[[str, str], int]
                ) -> str | None:
    """``text`` with its unknown run-together words split, or None if none was."""
    out, at, changed = [], 0, False
    for syl in plain_words(text):
        if known(syl.folded):
            continue
        pieces = split_word(syl.folded, known, pair)
        if pieces:
            out += (text[at:syl.start], " ".join(pieces))
            at, changed = syl.end, True
    if not changed:
        return None
    out.append(text[at:])
    return "".join(out)


def fix_words(text: str, known: Callable[[str], bool], pair: Callable[[str, str], int],
              frequency: Callable[[str], int]) -> str | None:
    """``text`` with each unknown word replaced by the index term one edit away that
    its neighbours are most often seen beside (then the most frequent), or None.

    ``hnh`` between ``nhiem`` and ``su`` -> ``hinh`` (*trách nhiệm hình sự*): the
    pairs field says which neighbours occur side by side.
    """
    toks = [s for s in syllables(text) if not is_compound(s)]
    folded = [t.folded for t in toks]
    plain = {s.start for s in plain_words(text)}
    shouting = text.isupper() and len(toks) > 1  # caps lock on: capitals are no initials
    changes: list[tuple[int, int, str]] = []
    for k, tok in enumerate(toks):
        word = tok.folded
        if tok.start not in plain or known(word) or not word.isascii() \
                or not word.isalpha() or len(word) < 2 or word in ENGLISH:  # has: no há typo
            continue
        vowel = _VOWEL.search(word) is not None
        if not vowel and ((tok.text.isupper() and not shouting) or len(word) < 3):
            continue  # HCM, tp: initials or an abbreviation, not hầm or từ
        left = folded[k - 1] if k and tok.joined else None
        right = folded[k + 1] if k + 1 < len(toks) and toks[k + 1].joined else None

        def fit(candidate: str, left=left, right=right) -> tuple[int, int, int]:
            beside = (pair(left, candidate) if left else 0) + (
                pair(candidate, right) if right else 0)
            return (beside > 0, beside, frequency(candidate))

        candidates = [c for c in edits(word) if known(c)]
        if not candidates:
            continue
        best = max(sorted(candidates), key=fit)
        if not vowel and not fit(best)[0]:
            # a dropped vowel (hnh between nhiem and su) when the neighbours say so,
            # else initials (hcm)
            continue
        folded[k] = best
        # in the case typed: TRACH NHIEM HNH SU -> ... HINH SU, not ... hình SỰ
        cased = best.upper() if tok.text.isupper() else (
            best.capitalize() if tok.text[:1].isupper() else best)
        changes.append((tok.start, tok.end, cased))
    return splice(text, changes) if changes else None
