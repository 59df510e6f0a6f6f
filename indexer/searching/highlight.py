"""Snippets and highlighted text: escaped original text plus our ``<mark>`` tags.

The stored text is re-analysed (no offsets are stored in the index): every
syllable whose folded form matches a query word is marked, in the original
accented spelling the author wrote. A word typed *with* marks only marks the
exactly-accented spelling when the text has it, so ``Đảng`` does not light up
every *đang*. Everything that is not our tag is HTML-escaped here, so callers
can trust the result as markup.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from indexer.text.folding import COMBINING_RE, fold, forms
from indexer.text.syllables import PART_RE, TOKEN_RE
from indexer.text.variants import accented_spellings, index_form, same_accented

SNIPPET_FRAGMENTS = 2
SNIPPET_CHARS = 200
"""A snippet's text budget in all (about two lines of a results page)."""
SCAN_CHARS = 200_000
"""Snippets look at most this far into a document: bounded work per hit."""


@dataclass(frozen=True)
class Terms:
    """What to mark: {folded: accented forms asked for (None = any)} and folded prefixes."""

    words: dict[str, set[str | None]]
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[tuple[str, str | None], ...], ...] = ()
    """Runs of (folded, accented or None) whose syllables are marked only where the
    whole run stands, side by side in that order (a quoted phrase: *chí* alone in *ý chí*
    is not ``"Hồ Chí Minh"``)."""
    free: frozenset[str] | None = None
    """The folded syllables marked wherever they are; None: every one of ``words``."""


def _hit(folded: str, terms: Terms) -> bool:
    return folded in terms.words or any(folded.startswith(p) for p in terms.prefixes)


def _matches(text: str, terms: Terms) -> list[tuple[int, int, str]]:
    """(start, end, folded) of every matching syllable; a matching identifier is
    marked whole (``08-QĐi/TW``), otherwise its matching parts are.

    Same tokens as :func:`indexer.text.syllables.syllables`. This runs over every
    shown hit's text, so one regex of the query's words finds the matches in
    the folded text, in C; only text whose length folding changes otherwise
    than by dropping decomposed marks is scanned token by token.
    """
    folded_text = fold(text)
    if len(folded_text) == len(text):
        found = _scan_folded(text, folded_text, terms)
    else:
        # Decomposed marks (NFD, cp1258-style) vanish when folding: map the folded
        # offsets back past them, if nothing else changed the length.
        removed = [m.start() for m in COMBINING_RE.finditer(text)]
        if len(folded_text) == len(text) - len(removed):
            slots = [position - i for i, position in enumerate(removed)]
            found = _scan_folded(text, folded_text, terms, slots)
        else:
            found = _scan_tokens(text, terms)
    return _in_phrases(text, _select(found, terms), terms)


_WORD = r"[^\W_]"
_JOINED = rf"(?<!{_WORD}[-/.])"  # not a part in the middle of an identifier
_ALONE = rf"(?![-/.]?{_WORD})"  # the end of a whole token


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...], prefixes: tuple[str, ...]) -> re.Pattern | None:
    """The query's words and prefixes as one regex over folded text, in the order of
    :func:`_scan_tokens`'s rules: whole tokens (identifiers) first, then parts."""
    alternatives = []
    word_alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    prefix_alt = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    if word_alt:
        alternatives.append(rf"{_JOINED}(?:{word_alt}){_ALONE}")
    if prefix_alt:
        alternatives.append(rf"{_JOINED}(?:{prefix_alt}){_WORD}*(?:[-/.]{_WORD}+)*")
    if word_alt:
        alternatives.append(rf"(?:{word_alt})(?!{_WORD})")
    if prefix_alt:
        alternatives.append(rf"(?:{prefix_alt}){_WORD}*")
    if not alternatives:
        return None
    return re.compile(rf"(?<!{_WORD})(?:{'|'.join(alternatives)})")


def _scan_folded(text: str, folded_text: str, terms: Terms, slots: list[int] | None = None):
    """Matches in the folded text; ``slots``: the folded offset before which each
    removed mark of the original sat (a letter's marks end its span)."""
    pattern = _pattern(tuple(sorted(terms.words)), tuple(sorted(terms.prefixes)))
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(folded_text):
        start, end = match.span()
        if slots:
            start, end = start + bisect_right(slots, start), end + bisect_right(slots, end)
        found.append((start, end, forms(text[start:end])[0], match.group()))
    return found


def _scan_tokens(text: str, terms: Terms):
    candidates = []
    words, prefixes = terms.words, tuple(terms.prefixes) or None
    for match in TOKEN_RE.finditer(text):
        whole = match.group()
        accented, folded = forms(whole)
        # (inlined _hit: this loop runs once per syllable of every shown hit)
        if folded in words or (prefixes and folded.startswith(prefixes)):
            candidates.append((match.start(), match.end(), accented, folded))
        elif "-" in whole or "/" in whole or "." in whole:
            start = match.start()
            for part in PART_RE.finditer(whole):
                accented, folded = forms(part.group())
                if _hit(folded, terms):
                    candidates.append((start + part.start(), start + part.end(), accented,
                                       folded))
    return candidates


def _select(candidates, terms: Terms) -> list[tuple[int, int, str, str]]:
    """Drop other spellings of a word typed with marks when the text has the exact one."""
    present = {spelling for _, _, accented, _ in candidates
               for spelling in accented_spellings(accented)}
    result = []
    for start, end, accented, folded in candidates:
        wanted = terms.words.get(folded)
        if wanted and None not in wanted and wanted & present and not any(
                same_accented(accented, form) for form in wanted):
            continue  # the text has the exact spelling asked for: mark only that
        result.append((start, end, accented, folded))
    return result


_SIDE_BY_SIDE = re.compile(r"[ \t\u00a0]+|[ \t\u00a0]*[-\u2013\u2014][ \t\u00a0]*")
"""What may stand between two syllables of a phrase: blanks, or a dash (``kinh tế - xã
hội`` for ``kinh tế-xã hội``); no other punctuation, no line break."""


def _in_phrases(text: str, spans: list[tuple[int, int, str, str]], terms: Terms,
                ) -> list[tuple[int, int, str]]:
    """(start, end, folded) of the matches to mark: a syllable asked for on its own
    anywhere, a phrase's only inside a whole occurrence of the phrase (its syllables
    side by side, in order, in the accented forms typed)."""
    if not terms.phrases or terms.free is None:
        return [(s, e, f) for s, e, _, f in spans]
    free, prefixes = terms.free, tuple(terms.prefixes)
    keep = [f in free or (prefixes and f.startswith(prefixes)) for _, _, _, f in spans]
    for phrase in terms.phrases:
        size = len(phrase)
        for i in range(len(spans) - size + 1):
            if all(index_form(spans[i + k][3]) == folded
                   and (accented is None or same_accented(spans[i + k][2], accented))
                   and (not k or _SIDE_BY_SIDE.fullmatch(text, spans[i + k - 1][1],
                                                          spans[i + k][0]))
                   for k, (folded, accented) in enumerate(phrase)):
                keep[i:i + size] = [True] * size
    return [(s, e, f) for (s, e, _, f), kept in zip(spans, keep, strict=True) if kept]


def mark(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None,
         ) -> str:
    """Escape text[start:end] and wrap the spans inside it in <mark>."""
    end = len(text) if end is None else end
    out = []
    pos = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s], quote=False))
        out.append("<mark>" + escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(escape(text[pos:end], quote=False))
    return "".join(out)


def join_adjacent(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge matches separated only by spaces: ``trách nhiệm hình sự`` is one mark, not
    four boxes (a phrase or a run of query words reads as a unit)."""
    joined: list[tuple[int, int, str]] = []
    for span in spans:
        gap = text[joined[-1][1]:span[0]] if joined else "x"
        if len(gap) <= 3 and not gap.strip():
            joined[-1] = (joined[-1][0], span[1], joined[-1][2])
        else:
            joined.append(span)
    return joined


def highlight_all(text: str, terms: Terms) -> str:
    """The whole text, escaped and marked (document page, titles)."""
    return mark(text, join_adjacent(text, _matches(text, terms)))


def _expand(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Grow [start, end) to about ``width`` characters, cutting only at spaces."""
    room = max(0, width - (end - start))
    left = max(0, start - room // 3)
    right = min(len(text), end + room - (start - left))
    if left > 0:
        space = _space_after(text, left, start)
        left = space + 1 if space != -1 else start
    if right < len(text):
        space = _space_before(text, end, right)
        right = space if space != -1 else end
    return left, right


def _space_after(text: str, low: int, high: int) -> int:
    """The first whitespace in text[low:high], or -1."""
    for i in range(low, high):
        if text[i].isspace():
            return i
    return -1


def _space_before(text: str, low: int, high: int) -> int:
    """The last whitespace in text[low:high], or -1."""
    for i in range(high - 1, low - 1, -1):
        if text[i].isspace():
            return i
    return -1


def _best_window(spans, width: int, known: set[str], taken: list[tuple[int, int]]):
    """(start span, end span) of the window of at most ``width`` characters with the most
    query words not in ``known``, then the most matches, then the earliest; None if no
    window outside ``taken`` adds a word."""
    best = None
    for i, (s, _, _) in enumerate(spans):
        if any(a <= s < b for a, b in taken):
            continue
        j, seen = i, set()
        while (j < len(spans) and spans[j][1] - s <= width
               and not any(a < spans[j][1] and spans[j][0] < b for a, b in taken)):
            seen.add(spans[j][2])
            j += 1
        if j == i:
            continue
        key = (len(seen - known), j - i, -s)
        if best is None or key > best[0]:
            best = (key, i, j, seen)
    if best is None or (taken and best[0][0] == 0):
        return None
    return best[1], best[2], best[3]


def lead(text: str, width: int = SNIPPET_CHARS) -> str:
    """A text's beginning, escaped and unmarked: the snippet of a hit shown after the
    time budget ran out (no search for matches)."""
    return _lead(text[:SCAN_CHARS], width)


def _lead(text: str, width: int) -> str:
    """The start of a text without a match, cut at a space."""
    _, right = _expand(text, 0, 0, width)
    body = " ".join(text[:right].split())
    return escape(body, quote=False) + (" …" if right < len(text) else "")


def snippet(text: str, terms: Terms, fragments: int = SNIPPET_FRAGMENTS,
            width: int = SNIPPET_CHARS) -> str:
    """At most ``fragments`` windows, about ``width`` characters in all, joined by ' … '.

    The first window is the one with the most distinct query words; a second is
    only added if it shows a query word the first lacks, and then each gets half
    of the budget. Windows are cut at spaces; line breaks become spaces.
    """
    scanned = text[:SCAN_CHARS]
    spans = _matches(scanned, terms)
    if not spans:
        return _lead(scanned, width)
    found = _best_window(spans, width, set(), [])
    first_i, first_j, known = found
    chosen = [(first_i, first_j)]
    if fragments > 1:
        half = width // 2
        first_j = next(k for k in range(first_i + 1, first_j + 1)
                       if k == first_j or spans[k][1] - spans[first_i][0] > half)
        first_known = {spans[k][2] for k in range(first_i, first_j)}
        taken = [(spans[first_i][0], spans[first_j - 1][1])]
        second = _best_window(spans, half, first_known, taken)
        if second is not None:
            chosen = [(first_i, first_j), second[:2]]
    budget = width // len(chosen)
    windows = sorted(_expand(scanned, spans[i][0], spans[j - 1][1], budget) for i, j in chosen)
    if len(windows) == 2 and windows[0][1] >= windows[1][0]:
        windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
    joined = join_adjacent(scanned, spans)
    parts = [" ".join(mark(scanned, joined, left, right).split()) for left, right in windows]
    prefix = "… " if windows[0][0] > 0 else ""
    suffix = " …" if windows[-1][1] < len(text) else ""
    return prefix + " … ".join(parts) + suffix
