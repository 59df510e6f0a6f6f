"""Vietnamese text cut into syllables, with offsets into the original and positions.

Why here, apart from folding: this is the one tokenisation every consumer shares
(indexing, query parsing, highlighting, accent restoration), so that a phrase
typed by a user lines up with the same phrase in a document. :func:`syllables`
yields one object per token for the callers that need offsets; :func:`analyze`
is the indexing hot path, the same tokens without per-token objects.

Offsets always refer to the caller's original string (NFC, NFD or
cp1258-style decomposed), so highlights mark exactly what was written.
Sentence punctuation leaves a position gap, so phrases never span it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from indexer.text.folding import carries_marks, forms, has_marks

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


class Syllable(NamedTuple):
    """One token of the original text."""

    text: str  # as written, sliced from the original
    start: int
    end: int
    folded: str
    accented: str
    pos: int  # token position (compound wholes share the position of their first part)
    joined: bool  # True if adjacent (only blanks) to the previous part/syllable


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


LEAD_SYLLABLES = 30
"""How many tokens of a text make its lead (:attr:`DocumentTerms.lead`)."""


def lead_text(text: str, count: int = LEAD_SYLLABLES) -> str:
    """The opening of ``text``: up to the end of its ``count``-th token.

    Why: what a document is about is said first — a news lead, the first clause
    of a law article, the one-line summary under a help page's heading — so the
    ranking weighs words found there (``indexer.searching.planner``, ``LEAD_BOOST``).
    The index does not cut the text: :func:`analyze` gives the terms of this
    opening as :attr:`DocumentTerms.lead`, exactly those of ``analyze(lead_text(text))``.
    """
    end = 0
    for end_match, _ in zip(TOKEN_RE.finditer(text), range(count), strict=False):
        end = end_match.end()
    return text[:end]


def splice(text: str, changes: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced by ``new`` (spans in order,
    not overlapping): how restored, decoded or corrected syllables go back into what
    the user typed, keeping everything between them as it was."""
    parts, at = [], 0
    for start, end, new in changes:
        parts += (text[at:start], new)
        at = end
    parts.append(text[at:])
    return "".join(parts)


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
    lead: list[str]  # folded terms, then pairs, of the first LEAD_SYLLABLES tokens (lead_text)


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
    from indexer.text.words import run_pairs  # words needs this module's folding

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
    tokens = pieces[1::2]
    lead = None
    # Two rounds over the tokens: the lead's, then the rest. Between them the lead's
    # terms are taken as analysing the cut text (lead_text) would give them, its last
    # chain cut short too, so the lead costs no second analysis.
    for part in (slice(LEAD_SYLLABLES), slice(LEAD_SYLLABLES, None)):
        if part.start:  # the lead's tokens are done
            if len(tokens) <= LEAD_SYLLABLES:
                break  # a text no longer than its lead is its own lead (below)
            lead = [fol for fol, _ in folded]
            lead += pairs
            if len(chain) > 1:
                lead += run_pairs(chain, marked)
        for gap, whole in zip(gaps[part], tokens[part], strict=False):
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
                    pairs += run_pairs(chain, marked)
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
                if carries_marks(acc, fol):
                    add_accented(acc)
                if i == 0:
                    add_folded((whole_fol, pos))
                    if carries_marks(whole_acc, whole_fol):
                        add_accented(whole_acc)
                add_link(fol)
                add_mark(acc)
                run.append(acc)
                pos += 1
    if run:
        runs.append(run)
    if len(chain) > 1:
        pairs += run_pairs(chain, marked)
    if lead is None:
        lead = [fol for fol, _ in folded]
        lead += pairs
    return DocumentTerms(folded, accented, pairs, runs, pos, lead)


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
