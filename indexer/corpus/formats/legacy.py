"""Vietnamese text typed in the pre-Unicode TCVN3 (ABC) and VNI fonts, back to Unicode.

Why: provincial notices and older legal texts were typed with ``.VnTime`` (TCVN3) or
``VNI-Times`` fonts: the file holds Latin-1 letters that only *look* Vietnamese in that
font (``c¸n bé ®¶ng viªn`` is TCVN3 for ``cán bộ đảng viên``, ``caùn boä ñaûng vieân`` is
VNI). Read as they are, no query finds them.

Both work on bytes 0xA0-0xFF, so a text is looked at as that byte string: bytes read from
a ``.txt`` file (:func:`decode_bytes`), or a Unicode string from a Word/PDF/HTML file whose
letters are the Windows-1252 characters of those bytes (:func:`convert_text`).

* TCVN3 is one byte per letter: lowercase letters with their tone, the seven capitals
  ``Ă Â Ê Ô Ơ Ư Đ``; capitals with tones were drawn with a separate capitals font using
  the lowercase codes, so they come back lowercase (search folds case anyway).
* VNI writes a base letter followed by a mark byte (``a`` + ``ù`` = ``á``, ``a`` + ``á``
  = ``ấ``); ``ơ ư đ`` and ``ỉ ĩ ị ỵ`` have bytes of their own.

Tables written from the published TCVN 5712:1993 (VN3) and VNI Windows code charts; a
test checks every letter form of both.

Detection: a conversion is kept only if it turns clearly more words into Vietnamese
syllables (of the shipped word list) than the text had; text that already has Unicode
Vietnamese letters is never converted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import islice

# tones in the order TCVN3 lays them out: huyền, hỏi, ngã, sắc, nặng
_TONES = "\u0300\u0309\u0303\u0301\u0323"

# TCVN3: vowel -> its byte with no tone (or None: plain ASCII), then the five toned bytes.
# A data table: its rows share one shape on purpose (duplicates lists them as a pair).
_TCVN3_VOWELS = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_OTHERS = {0xAE: "đ", 0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư",
                 0xA7: "Đ"}


def _tcvn3_table() -> dict[int, str]:
    table = dict(_TCVN3_OTHERS)
    for vowel, codes in _TCVN3_VOWELS.items():
        for code, tone in zip(codes, ("", *_TONES), strict=True):
            if code is not None:
                table[code] = unicodedata.normalize("NFC", vowel + tone)
    return table


TCVN3: dict[int, str] = _tcvn3_table()
"""byte -> Unicode letter (NFC)."""

# VNI mark bytes after a vowel: (shape mark, tone mark); lowercase bytes, capitals are the
# same letters upper-cased (Latin-1 upper-casing is the byte minus 0x20).
_HAT, _BREVE = "\u0302", "\u0306"
_VNI_MARKS_LOWER = {
    0xF8: ("", "\u0300"), 0xF9: ("", "\u0301"), 0xFB: ("", "\u0309"), 0xF5: ("", "\u0303"),
    0xEF: ("", "\u0323"),
    0xE2: (_HAT, ""), 0xE0: (_HAT, "\u0300"), 0xE1: (_HAT, "\u0301"), 0xE5: (_HAT, "\u0309"),
    0xE3: (_HAT, "\u0303"), 0xE4: (_HAT, "\u0323"),
    0xEA: (_BREVE, ""), 0xE8: (_BREVE, "\u0300"), 0xE9: (_BREVE, "\u0301"),
    0xFA: (_BREVE, "\u0309"), 0xFC: (_BREVE, "\u0303"), 0xEB: (_BREVE, "\u0323"),
}
VNI_MARKS: dict[str, tuple[str, str]] = {}
for _code, _marks in _VNI_MARKS_LOWER.items():
    VNI_MARKS[chr(_code)] = _marks
    VNI_MARKS[chr(_code - 0x20)] = _marks
_VNI_LETTERS_LOWER = {0xF4: "ơ", 0xF6: "ư", 0xF1: "đ", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị",
                      0xEE: "ỵ", 0xEC: "ì", 0xED: "í"}
VNI_LETTERS: dict[str, str] = {}
for _code, _letter in _VNI_LETTERS_LOWER.items():
    VNI_LETTERS[chr(_code)] = _letter
    VNI_LETTERS[chr(_code - 0x20)] = _letter.upper()
_VNI_RE = re.compile(f"([aeiouyAEIOUY\xf4\xf6\xd4\xd6])([{''.join(VNI_MARKS)}]?)"
                     f"|([{''.join(VNI_LETTERS)}])")

# Windows-1252 characters of bytes 0x80-0x9F, back to their byte (as a Latin-1 char)
_CP1252_BACK = {ord(bytes([b]).decode("cp1252", "ignore") or "\0"): chr(b)
                for b in range(0x80, 0xA0)}
_CP1252_BACK.pop(0, None)
_UNICODE_VI = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1"
                         "\u01af\u01b0\u1ea0-\u1ef9]")
_HIGH = re.compile("[\xa0-\xff]")
_WORD = re.compile(r"\w+")
MIN_GAIN = 3


def _tcvn3(view: str) -> str:
    return view.translate(TCVN3)


def _vni(view: str) -> str:
    def sub(m: re.Match) -> str:
        if m[3]:
            return VNI_LETTERS[m[3]]
        base = VNI_LETTERS.get(m[1], m[1])
        shape, tone = VNI_MARKS.get(m[2], ("", "")) if m[2] else ("", "")
        if shape == _BREVE and base not in "aA":
            shape = ""  # breve only sits on a
        return unicodedata.normalize("NFC", base + shape + tone)
    return _VNI_RE.sub(sub, view)


CONVERTERS = {"TCVN3": _tcvn3, "VNI": _vni}


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    from indexer.text.folding import canonical
    from indexer.text.words import WORDS_FILE
    text = WORDS_FILE.read_text("utf-8")
    return frozenset(canonical(s) for s in set(text.split()))


def _score(text: str) -> int:
    """Words that are Vietnamese syllables with at least one non-ASCII letter."""
    from indexer.text.folding import canonical
    known = _syllables()
    return sum(1 for w in _WORD.findall(text.lower())
               if not w.isascii() and canonical(w) in known)


NAMES = {"TCVN3": "TCVN3 (ABC)", "VNI": "VNI"}


def _has_unicode_vietnamese(text: str) -> bool:
    """More than two letters only Unicode Vietnamese has (ă đ ơ ư ạ ... ỹ)."""
    return next(islice(_UNICODE_VI.finditer(text), 2, None), None) is not None


def detect(view: str) -> str | None:
    """``"TCVN3"``, ``"VNI"`` or None for a byte-view string (see module doc)."""
    if not _HIGH.search(view) or _has_unicode_vietnamese(view):
        return None
    sample = view[:20000]
    base = _score(sample)
    best, name = base + MIN_GAIN - 1, None
    for candidate, convert in CONVERTERS.items():
        score = _score(convert(sample))
        if score > best and score > 2 * base:
            best, name = score, candidate
    return name


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """(Unicode text, encoding name) of a TCVN3/VNI file's bytes, else None.

    Only for bytes that are not UTF-8: a UTF-8 file is Unicode whatever its letters.
    """
    if data.isascii() or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    view = data.decode("latin-1")
    name = detect(view)
    return (unicodedata.normalize("NFC", CONVERTERS[name](view)), name) if name else None


def convert_fields(fields: Sequence[str]) -> tuple[list[str], str | None]:
    """Unicode strings whose letters are TCVN3/VNI glyphs, converted together.

    The encoding is detected on all fields at once (a title alone is too short to tell).
    """
    joined = "\n".join(fields)
    if not _HIGH.search(joined) or _has_unicode_vietnamese(joined):
        return list(fields), None
    name = detect(joined.translate(_CP1252_BACK))
    if name is None:
        return list(fields), None
    convert = CONVERTERS[name]
    return [unicodedata.normalize("NFC", convert(f.translate(_CP1252_BACK)))
            for f in fields], name


def convert_text(text: str) -> tuple[str, str | None]:
    """One string: :func:`convert_fields` of ``[text]``."""
    converted, name = convert_fields([text])
    return converted[0], name


def convert_query(text: str) -> tuple[str, str | None]:
    """A query pasted from a TCVN3/VNI document (``tr¸ch nhiÖm``, ``caùn boä``) in
    Unicode, and the encoding's name; else ``(text, None)``.

    A query is too short for :func:`detect`'s gain, so the test is stricter in
    another way: two words or more with a non-ASCII letter, every one a Vietnamese
    syllable once converted, and more of them than before (``café``, ``Zürich`` stay;
    one word is too little to tell a pasted ``cét`` from a typo of *cét*).
    """
    if not _HIGH.search(text) or _has_unicode_vietnamese(text):
        return text, None
    view = text.translate(_CP1252_BACK)
    before = _score(view)
    for name, convert in CONVERTERS.items():
        converted = unicodedata.normalize("NFC", convert(view))
        words = [w for w in _WORD.findall(converted.lower()) if not w.isascii()]
        if len(words) >= 2 and _score(converted) == len(words) > before:
            return converted, name
    return text, None
