"""The two forms of a Vietnamese syllable: *folded* (matching) and *accented* (evidence).

Why one module: a syllable typed by a user and the same syllable in a document must
always meet as the same index term, so indexing, query parsing, highlighting and
accent restoration all fold and place tones here, and nowhere else.

* the *folded* form: lowercase, every mark removed and ``đ`` mapped to ``d``
  (``Đảng`` -> ``dang``); it is what matching uses, so unaccented queries work;
* the *accented* form: lowercase NFC with the tone mark on the canonical vowel
  (``hoà``/``hòa`` -> ``hòa``, ``thuỷ`` -> ``thủy``); it is the evidence used to
  rank exact-accent matches first.

Pure text, no Whoosh: the Whoosh filters that apply these forms to an index's
tokens are in :mod:`indexer.whoosh_ext.analyzers`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indexer.text.variants import fix_lookalikes, index_form

MAX_TOKEN_CHARS = 64
"""Longer runs (base64, hashes, mark floods) are cut: they are never words."""

# Tone marks in NFD: grave, acute, tilde, hook above, dot below.
TONE_MARKS = {"\u0300": 0, "\u0301": 1, "\u0303": 2, "\u0309": 3, "\u0323": 4}
COMBINING_RE = re.compile(r"[\u0300-\u036f]")
"""A combining mark: what folding drops (also what highlighting maps offsets past)."""
_QUALITY_VOWELS = set("ăâêôơư")
SYLLABLE_RE = re.compile(
    r"(?P<onset>qu|gi(?=[aăâeêioôơuưy])|[bcdđghklmnpqrstvx]*)"
    r"(?P<nucleus>[aăâeêioôơuưy]{1,3})"
    r"(?P<coda>c|ch|m|n|ng|nh|p|t|)\Z"
)
"""One unmarked Vietnamese syllable: onset, vowel nucleus, final consonant."""


def _fold_by_decomposing(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", fix_lookalikes(text.lower()))
    return COMBINING_RE.sub("", decomposed).replace("đ", "d")


# Latin letters (Vietnamese included) and combining marks fold one character at a
# time (NFD decomposes per character, and every mark is dropped): a translate
# table does the whole text in one C pass.
_TABLE_RANGES = ((0x0000, 0x0250), (0x0300, 0x0370), (0x1E00, 0x1F00))
_FOLD_TABLE = {code: _fold_by_decomposing(chr(code)) for low, high in _TABLE_RANGES
               for code in range(low, high)
               if _fold_by_decomposing(chr(code)) != chr(code).lower()}
_OUTSIDE_TABLE = re.compile("[^\u0000-\u024f\u0300-\u036f\u1e00-\u1eff]")


def fold(text: str) -> str:
    """Lowercase and strip all marks; ``đ``/``Đ`` and their look-alikes (``Ð``) become ``d``."""
    lowered = text.lower()
    if _OUTSIDE_TABLE.search(lowered) is None:
        return lowered.translate(_FOLD_TABLE)
    return _fold_by_decomposing(text)


def has_marks(text: str) -> bool:
    """True if folding would change the (lowercased) text."""
    return fold(text) != text.lower()


def _strip_tone(nfd: str) -> tuple[str, str | None, int]:
    """Remove tone marks from an NFD string; return (rest, tone, count)."""
    tone = None
    count = 0
    out = []
    for ch in nfd:
        if ch in TONE_MARKS:
            tone = ch
            count += 1
        else:
            out.append(ch)
    return "".join(out), tone, count


def canonical(text: str) -> str:
    """Lowercase NFC form with the tone mark on the canonical vowel.

    Canonical placement is the traditional one used by most Vietnamese text
    (``hòa``, ``thủy``, ``ủy``): in an open syllable with two vowels the tone
    sits on the first, with three on the middle one; a vowel with a quality
    mark (ă â ê ô ơ ư) or a final consonant pulls it to that vowel / the last
    vowel. ``qu`` and ``gi`` are onsets, so ``quý`` and ``già`` are untouched.
    Strings that are not a single Vietnamese syllable are only lowercased.
    """
    lowered = unicodedata.normalize("NFC", fix_lookalikes(text.lower()))
    nfd = unicodedata.normalize("NFD", lowered)
    if not any(ch in TONE_MARKS for ch in nfd):
        return lowered
    bare_nfd, tone, count = _strip_tone(nfd)
    if count != 1:
        return lowered
    bare = unicodedata.normalize("NFC", bare_nfd)
    match = SYLLABLE_RE.match(bare)
    if not match:
        return lowered
    nucleus = match.group("nucleus")
    start = match.start("nucleus")
    quality = [i for i, ch in enumerate(nucleus) if ch in _QUALITY_VOWELS]
    if quality:
        index = quality[-1]
    elif match.group("coda"):
        index = len(nucleus) - 1
    elif len(nucleus) == 3:
        index = 1
    else:
        index = 0
    target = start + index
    marked = unicodedata.normalize("NFC", bare[target] + tone)
    return bare[:target] + marked + bare[target + 1 :]


@lru_cache(maxsize=200_000)
def forms(raw: str) -> tuple[str, str]:
    """(accented, folded) forms of one token as written; memoised for the hot path.

    The folded form is the *index* form: spelling variants meet there too
    (``kỹ``/``kĩ`` -> ``ki``, see :mod:`indexer.text.variants`).
    """
    # Bound the work before normalising (mark floods), then cut the NFC form so
    # NFC and NFD spellings of a long token cut at the same letter.
    accented = canonical(raw[: MAX_TOKEN_CHARS * 4])[:MAX_TOKEN_CHARS]
    return accented, index_form(fold(accented))


def term(text: str) -> str:
    """The index form of a syllable (what :func:`forms` gives as folded)."""
    return index_form(fold(text))


def carries_marks(accented: str, folded: str) -> bool:
    """True if ``accented`` carries marks (not only a y the index form spells i): what
    the exact-accent fields keep."""
    return accented != folded and (accented[-1:] != "y" or has_marks(accented))
