"""Vietnamese text analysis: syllable tokenisation, folding and canonical tone placement.

Every consumer (indexing, query parsing, highlighting, accent restoration) goes
through this module so that a syllable typed by a user and the same syllable in
a document always meet as the same index term.

Two forms are produced for every syllable:

* the *folded* form: lowercase, every mark removed and ``đ`` mapped to ``d``
  (``Đảng`` -> ``dang``); it is what matching uses, so unaccented queries work;
* the *accented* form: lowercase NFC with the tone mark on the canonical vowel
  (``hoà``/``hòa`` -> ``hòa``, ``thuỷ`` -> ``thủy``); it is the evidence used to
  rank exact-accent matches first.

Offsets always refer to the caller's original string (NFC, NFD or
cp1258-style decomposed), so highlights mark exactly what was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token

from indexer.text.variants import fix_lookalikes, index_form

# A "word character" is a letter or digit with any combining marks after it.
# Combining marks (U+0300-U+036F) must be explicit: str.isalnum() is False for
# them, so \w alone would split NFD text in the middle of a syllable.
# A run of them is written unrolled (a letter or mark, then letters, then
# groups of marks and letters), the same as ``(?:[^\W_]|[\u0300-\u036f])+`` but
# scanned twice as fast: the regex engine loops over a single character class
# far faster than over an alternation.
_RUN = r"(?:[^\W_]|[\u0300-\u036f])[^\W_]*+(?:[\u0300-\u036f]++[^\W_]*+)*+"
# A syllable run, optionally joined by - / . into an identifier (08-QĐi/TW,
# 45/2019/QH14, TP.HCM). A joiner must have word characters on both sides, so
# sentence punctuation never glues words together.
TOKEN_RE = re.compile(rf"{_RUN}(?:[-/.]{_RUN})*+")
PART_RE = re.compile(_RUN)
# Gaps between syllables that still count as "adjacent" for word pairs.
_ADJACENT_GAP = re.compile(r"[ \t\u00a0]*\Z")
# A comma keeps a run going for the accent model: "cán bộ, đảng viên" is how
# the phrase a user types as "can bo dang vien" is usually written.
_COMMA_GAP = re.compile(r"[ \t\u00a0]*,[ \t\u00a0]*\Z")

MAX_TOKEN_CHARS = 64
"""Longer runs (base64, hashes, mark floods) are cut: they are never words."""

# Tone marks in NFD: grave, acute, tilde, hook above, dot below.
TONE_MARKS = {"\u0300": 0, "\u0301": 1, "\u0303": 2, "\u0309": 3, "\u0323": 4}
_TONE_CHARS = "\u0300\u0301\u0303\u0309\u0323"
COMBINING_RE = re.compile(r"[\u0300-\u036f]")
"""A combining mark: what folding drops (also what highlighting maps offsets past)."""
_VOWELS = set("aăâeêioôơuưy")
_QUALITY_VOWELS = set("ăâêôơư")
_SYLLABLE_RE = re.compile(
    r"(?P<onset>qu|gi(?=[aăâeêioôơuưy])|[bcdđghklmnpqrstvx]*)"
    r"(?P<nucleus>[aăâeêioôơuưy]{1,3})"
    r"(?P<coda>c|ch|m|n|ng|nh|p|t|)\Z"
)


class Syllable(NamedTuple):
    """One token of the original text."""

    text: str  # as written, sliced from the original
    start: int
    end: int
    folded: str
    accented: str
    pos: int  # token position (compound wholes share the position of their first part)
    joined: bool  # True if adjacent (only blanks) to the previous part/syllable


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
    match = _SYLLABLE_RE.match(bare)
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


def _marked(accented: str, folded: str) -> bool:
    """True if ``accented`` carries marks (not only a y the index form spells i)."""
    return accented != folded and (accented[-1:] != "y" or has_marks(accented))


def syllables(text: str) -> Iterator[Syllable]:
    """Yield the tokens of ``text`` with offsets into ``text`` itself.

    An identifier such as ``08-QĐi/TW`` yields its parts (``08``, ``qđi``,
    ``tw``) at consecutive positions and the whole (``08-qđi/tw``) at the
    position of its first part, so it is searchable whole and by parts and
    phrases across it still line up.
    """
    pos = 0
    prev_end = -1
    for match in TOKEN_RE.finditer(text):
        start, end = match.span()
        gap = _gap(text, prev_end, start)
        joined = gap == 2
        if not gap and prev_end >= 0:
            pos += 1  # a sentence break (as in analyze): phrases never span it
        whole = match.group()
        first = True
        for part in PART_RE.finditer(whole):
            p_start, p_end = start + part.start(), start + part.end()
            raw = part.group()
            accented, folded = forms(raw)
            yield Syllable(raw, p_start, p_end, folded, accented, pos, joined or not first)
            if first and p_end != end:
                w_acc, w_fold = forms(whole)
                yield Syllable(whole, start, end, w_fold, w_acc, pos, False)
            first = False
            pos += 1
        prev_end = end


def is_compound(syllable: Syllable) -> bool:
    """True for the whole-identifier token that accompanies its parts."""
    return PART_RE.fullmatch(syllable.text) is None


class DocumentTerms(NamedTuple):
    """Everything the index and the accent model need from one text, in one pass."""

    folded: list[tuple[str, int]]  # (term, position) for positional fields
    accented: list[str]  # accented forms that carry marks (exact-accent evidence)
    pairs: list[str]  # folded adjacent pairs ("can bo"; "hop|dong" across words: chain_pairs)
    runs: list[list[str]]  # accented syllables of a sentence (accent model input)
    length: int  # number of positions


def _gap(text: str, prev_end: int, start: int) -> int:
    """2: only blanks between two tokens; 1: a comma too (same sentence); 0: a break."""
    if prev_end < 0:
        return 0
    if start - prev_end == 1 and text[prev_end] == " ":
        return 2
    if _ADJACENT_GAP.match(text, prev_end, start):
        return 2
    return 1 if _COMMA_GAP.match(text, prev_end, start) else 0


def analyze(text: str) -> DocumentTerms:
    """The hot path of indexing: :func:`syllables` without per-token objects.

    Must agree with :func:`syllables` (property tests check it). One regex
    split gives tokens and the gaps between them as plain strings, and one
    memoised look-up per token gives its forms, so a token costs a few list
    appends; identifiers (``08-QĐi/TW``) take the slower general path.
    """
    from indexer.text.words import chain_pairs  # words needs this module's folding

    folded: list[tuple[str, int]] = []
    accented: list[str] = []
    pairs: list[str] = []
    runs: list[list[str]] = []
    run: list[str] = []
    chain: list[str] = []  # folded syllables joined by blanks: where pairs come from
    marked: list[str] = []  # the same, accented (words are looked up as written)
    add_folded, add_accented, add_link = folded.append, accented.append, chain.append
    add_mark = marked.append
    pos = 0
    pieces = _TOKEN_SPLIT.split(text)  # gap, token, gap, token, ..., gap
    gaps = pieces[0::2]
    gaps[0] = None  # the first token follows no token
    for gap, whole in zip(gaps, pieces[1::2], strict=False):
        if gap == " ":
            code = 2
        elif gap is None:
            code = 0
        else:
            code = _GAP_CODES.get(gap)
            if code is None:
                code = _gap_code(gap)
        token = _token_forms(whole)
        if code != 2:
            if len(chain) > 1:
                pairs += chain_pairs(chain, marked)
            chain, marked = [], []
            add_link, add_mark = chain.append, marked.append
            if run and not code:
                runs.append(run)
                run = []
                pos += 1  # a sentence break: phrases never span it
        # The plain-syllable case is written out apart from the identifier loop
        # below on purpose: folding both into one loop measured 22% slower here
        # (0.35 -> 0.44 s for 4,000 generated documents), the build's hottest code.
        if len(token) == 2:  # a plain syllable: (accented, folded)
            acc, fol = token
            add_folded((fol, pos))
            if acc != fol and (acc[-1] != "y" or has_marks(acc)):
                add_accented(acc)
            add_link(fol)
            add_mark(acc)
            run.append(acc)
            pos += 1
            continue
        whole_acc, whole_fol = token[0]
        for i, (acc, fol) in enumerate(token[1:]):
            add_folded((fol, pos))
            if _marked(acc, fol):
                add_accented(acc)
            if i == 0:
                add_folded((whole_fol, pos))
                if _marked(whole_acc, whole_fol):
                    add_accented(whole_acc)
            add_link(fol)
            add_mark(acc)
            run.append(acc)
            pos += 1
    if run:
        runs.append(run)
    if len(chain) > 1:
        pairs += chain_pairs(chain, marked)
    return DocumentTerms(folded, accented, pairs, runs, pos)


_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
_GAP_CODES: dict[str, int] = {}
"""Gap code of short gaps seen before (a handful of strings: ``", "``, ``". "``...)."""


def _gap_code(gap: str) -> int:
    """:func:`_gap` of a gap already cut out of the text."""
    if _ADJACENT_GAP.match(gap):
        code = 2
    else:
        code = 1 if _COMMA_GAP.match(gap) else 0
    if len(gap) <= 4 and len(_GAP_CODES) < 10_000:
        _GAP_CODES[gap] = code
    return code


@lru_cache(maxsize=200_000)
def _token_forms(whole: str) -> tuple:
    """``forms(whole)`` for a plain syllable; for an identifier (joined by - / .),
    ``(forms(whole), forms(part1), forms(part2), ...)``."""
    if "-" in whole or "/" in whole or "." in whole:
        return (forms(whole), *map(forms, PART_RE.findall(whole)))
    return forms(whole)


@lru_cache(maxsize=8)
def analyze_cached(text: str) -> DocumentTerms:
    """:func:`analyze` memoised for the few texts of the document being indexed.

    Each indexed field asks for its share of the same title/body; the cache
    makes that one tokenisation pass instead of one per field.
    """
    return analyze(text)


# --- Whoosh analyzers (query parsing, highlighting, plain-text indexing) ---


class VietnameseTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`syllables`; token text is the accented form."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for syl in syllables(value):
            token.text = syl.accented
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = syl.text
            if positions:
                token.pos = start_pos + syl.pos
            if chars:
                token.startchar = start_char + syl.start
                token.endchar = start_char + syl.end
            yield token


class FoldFilter(Filter):
    """Replace each token's text by its folded form (``đảng`` -> ``dang``)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = forms(token.text)[1]
            yield token


class MarkedOnlyFilter(Filter):
    """Keep only tokens whose accented form carries marks (exact-accent field)."""

    def __call__(self, tokens):
        for token in tokens:
            if _marked(token.text, forms(token.text)[1]):
                yield token


def folded_analyzer():
    """Analyzer of the folded (matching) fields."""
    return VietnameseTokenizer() | FoldFilter()


def accented_analyzer():
    """Analyzer of the exact-accent evidence field."""
    return VietnameseTokenizer() | MarkedOnlyFilter()
