"""Telex and VNI typed without the input method: ``cans booj`` -> *cán bộ*.

Why: with the Vietnamese keyboard off, the keys that would add marks land in
the text as letters (Telex: ``aa`` â, ``aw`` ă, ``ee`` ê, ``oo`` ô, ``ow`` ơ,
``uw``/``w`` ư, ``dd`` đ, tones ``s f r x j``) or digits (VNI: tones 1-5, ``6``
circumflex, ``7`` horn, ``8`` breve, ``9`` đ). Such a word finds nothing.

Decoding alone would also turn English into Vietnamese (``has`` -> *há*,
``tax`` -> *tã*), so a word is decoded only if (see :func:`decode_query`)

* it is not a term of the index itself, nor a common English word that
  decodes (:data:`ENGLISH`, hand-made for this purpose);
* its decoding is a valid syllable that the index's own text contains
  (the accent model's vocabulary: ``inventory``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from indexer.text.folding import SYLLABLE_RE, canonical
from indexer.text.syllables import Syllable, is_compound, splice, syllables

_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
_TELEX_SHAPES = (("uow", "ươ"), ("uwow", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"),
                 ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"))
_LETTERS = re.compile(r"[a-z]+")
_VNI_WORD = re.compile(r"[a-z]+[1-9][a-z1-9]*")

ENGLISH = frozenset("""
as is us has his its was yes this bus gas plus bonus campus virus status focus
tax max fax box mix six sex fix wax lax vex hex
for or per far car bar war star jar tar her sir fur our your
boss loss miss kiss less mess pass class cross press chess
if of off
""".split())
"""Common English words that Telex would decode (as typed, lowercase)."""


def _syllable(letters: str, tone: str | None) -> str | None:
    """``letters`` (marks of shape included) + ``tone`` as a canonical syllable, if valid."""
    if not SYLLABLE_RE.match(letters):
        return None
    if tone is None:
        return letters
    nucleus = SYLLABLE_RE.match(letters).span("nucleus")
    with_tone = letters[:nucleus[1]] + tone + letters[nucleus[1]:]
    # canonical() moves the tone to its vowel; any position inside the word works.
    return canonical(unicodedata.normalize("NFC", with_tone))


def decode_telex(word: str) -> str | None:
    """The syllable ``word`` spells in Telex, or None (also when it spells itself)."""
    if not _LETTERS.fullmatch(word) or len(word) > 10:
        return None
    tone = None
    for i in range(len(word) - 1, 0, -1):  # one tone key, after a vowel
        if word[i] in _TONES and any(ch in "aeiouy" for ch in word[:i]):
            tone, word = _TONES[word[i]], word[:i] + word[i + 1:]
            break
    letters = word
    if letters.startswith("dd"):
        letters = "đ" + letters[2:]
    for typed, shaped in _TELEX_SHAPES:
        letters = letters.replace(typed, shaped)
    if "w" in letters:
        letters = _horn(letters)
        if letters is None:
            return None
    if letters == word and tone is None:
        return None
    return _syllable(letters, tone)


_HORNED = {"o": "ơ", "u": "ư", "a": "ă"}


def _horn(letters: str) -> str | None:
    """A ``w`` left after the shapes: typed after the syllable's vowels (Unikey's free
    order: ``hopwj`` -> *hợp*, ``duongw`` -> *dương*), it marks them; with no vowel before it
    it is ư itself (``tw`` -> *tư*, ``nhwng`` -> *nhưng*). None if it marks nothing."""
    at = letters.index("w")
    before, after = letters[:at], letters[at + 1:]
    if not any(ch in "aeiouy" for ch in before):
        return before + "ư" + after
    rest = before + after
    if "uo" in rest:
        return rest.replace("uo", "ươ", 1)
    spot = max(rest.rfind(vowel) for vowel in _HORNED)
    if spot < 0:
        return None
    return rest[:spot] + _HORNED[rest[spot]] + rest[spot + 1:]


_VNI_SHAPES = {"6": ("aeo", "âêô"), "7": ("ou", "ơư"), "8": ("a", "ă")}


def decode_vni(word: str) -> str | None:
    """The syllable ``word`` spells in VNI (``ca1n`` -> *cán*, ``bo65`` -> *bộ*), or None."""
    if not _VNI_WORD.fullmatch(word) or len(word) > 12:
        return None
    letters: list[str] = []
    tone = None
    for ch in word:
        if ch in _VNI_TONES:
            if tone is not None:
                return None
            tone = _VNI_TONES[ch]
        elif ch == "9":
            if not letters or letters[0] != "d":
                return None
            letters[0] = "đ"
        elif ch in _VNI_SHAPES:
            plain, shaped = _VNI_SHAPES[ch]
            at = [i for i, c in enumerate(letters) if c in plain]
            if not at:
                return None
            if ch == "7" and len(at) > 1 and "".join(letters[at[-2]:at[-1] + 1]) == "uo":
                letters[at[-2]] = "ư"  # uo7 -> ươ
            letters[at[-1]] = shaped[plain.index(letters[at[-1]])]
        else:
            letters.append(ch)
    return _syllable("".join(letters), tone)


def decode(word: str) -> str | None:
    """Telex or VNI reading of one lowercase typed word, if it has one."""
    return decode_vni(word) if any(ch.isdigit() for ch in word) else decode_telex(word)


MAX_WORDS = 12
"""Longer queries are searched as typed: bounded work on hostile input."""
_OPERATORS = {"OR", "NOT", "AND"}


def plain_words(text: str) -> list[Syllable]:
    """The syllables of ``text`` that are words to read, not syntax: no identifier
    part, operator (``OR``), prefix (``ta*``), field name or value (``title:x``);
    none at all past :data:`MAX_WORDS`."""
    tokens = list(syllables(text))
    inside = [(s.start, s.end) for s in tokens if is_compound(s)]
    words = [s for s in tokens
             if not any(start <= s.start < end for start, end in inside)
             and s.text not in _OPERATORS and text[s.end:s.end + 1] not in ("*", ":")
             and text[s.start - 1:s.start] != ":"]
    return words if len(words) <= MAX_WORDS else []


def decode_query(text: str, known: Callable[[str], bool], inventory: Callable[[str], bool]
                 ) -> str | None:
    """``text`` with its Telex/VNI words decoded, or None if none was.

    ``known(folded)``: the typed word is a term of the index (kept as typed);
    ``inventory(accented)``: the decoded syllable occurs in the indexed text.
    Letter case is kept on the first letter (``Ddangr`` -> *Đảng*).
    """
    changes: list[tuple[int, int, str]] = []
    for syl in plain_words(text):
        typed = syl.text
        lower = typed.lower()
        if not lower.isascii() or lower in ENGLISH or known(syl.folded):
            continue
        decoded = decode(lower)
        if decoded is None or not inventory(decoded):
            continue
        if typed[:1].isupper():
            decoded = decoded[:1].upper() + decoded[1:]
        changes.append((syl.start, syl.end, decoded))
    return splice(text, changes) if changes else None
