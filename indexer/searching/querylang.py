"""The grammar of the query language: what the user typed -> the units of a query.

Why a grammar and not a loop over space-separated tokens: operators bind to
*words*, and a Vietnamese word is one to four syllables separated by spaces.
``dân sự OR hình sự`` is *dân sự* ∪ *hình sự*, not dân AND (sự OR hình) AND
sự, and ``-hình sự`` excludes the word *hình sự*. So the text goes through
three steps:

1. tokens: brackets, ``OR``/``NOT``, quoted phrases, ``field:`` tokens,
   prefixes, plain syllables (:func:`_tokens`);
2. words: a run of plain syllables is split into dictionary words
   (:mod:`indexer.text.words`) where an operator needs an operand: the word after
   ``-``, ``NOT`` or ``OR`` and the word before ``OR`` become one unit; the
   other syllables stay one unit each, for ranking to weigh (:func:`_bind_words`);
3. expression: ``NOT``, ``OR`` and brackets (:mod:`indexer.searching.queryexpr`).

It is total: whatever it cannot read it skips and says so in a note, in
Vietnamese like the rest of the interface, never silently and never by raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.searching import queryexpr
from indexer.searching.query import MAX_UNITS, MIN_PREFIX_CHARS, Unit, _words
from indexer.text.folding import canonical, fold
from indexer.text.words import MAX_WORD_SYLLABLES, lexicon

MAX_DEPTH = 4
"""Brackets nest at most this deep; deeper pairs are ignored (with a note)."""

_FIELDS = {"title": "title", "tieu_de": "title", "tieude": "title", "source": "source",
           "nguon": "source"}
_TOKEN_RE = re.compile(r'-?(?:[^\s"():]+:)?"[^"]*"?|-?\(|\)|[^\s()]+')
_IGNORED = {"AND": "AND (mọi từ đều phải có, không cần AND)", "&&": "&&", "||": "|| (dùng OR)",
            "!": "! (dùng NOT hoặc -)"}
_LOWER_OPERATORS = {
    spelling: f"“{spelling}” được tìm như một từ; viết hoa {upper} để {meaning}"
    for upper, meaning in (("OR", "tìm từ này hoặc từ kia"),
                           ("NOT", "loại trừ từ theo sau (hoặc dùng dấu -)"))
    for spelling in (upper.lower(), upper.capitalize())}
"""``or``/``not`` between words: a user who meant the operator is told how to write it
(``not`` may be *nốt* typed without marks, so it stays a word)."""
_PUNCTUATION = re.compile(r"[.,;:?!…—–'’]+")  # dropped without a note, as in any text
_RUN_END = re.compile(r"[,;:.!?…]$")  # a syllable ending a clause is no part of a word after it


@dataclass
class _Token:
    kind: str  # atom | syllable | open | close | or | not | nothing
    unit: Unit | None = None
    negated: bool = False  # "-(" opens a negated group
    ends_run: bool = False  # a syllable followed by punctuation


def read(text: str) -> tuple[list[Unit], list[str]]:
    """The units of ``text`` (already cleaned of control characters) and the notes."""
    notes = _Notes()
    tokens = _bind_words(_nest(_tokens(text, notes), notes), notes)
    return queryexpr.read(tokens, notes), notes.texts()


class _Notes:
    """Notes without repeats; ignored tokens gathered into one line."""

    def __init__(self):
        self.lines: list[str] = []
        self.skipped: list[str] = []
        self.truncated = False  # the query was cut: its unmatched brackets are no news

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def skip(self, token: str) -> None:
        if token not in self.skipped:
            self.skipped.append(token)

    def texts(self) -> list[str]:
        lines = list(self.lines)
        if self.skipped:
            shown = ", ".join(f"“{t[:20]}”" for t in self.skipped[:5])
            more = f" và {len(self.skipped) - 5} mục khác" if len(self.skipped) > 5 else ""
            lines.insert(0, f"đã bỏ qua {shown}{more}: không có chữ hay số để tìm")
        return lines


def _tokens(text: str, notes: _Notes) -> list[_Token]:
    tokens: list[_Token] = []
    raws = _TOKEN_RE.findall(text)
    for at, raw in enumerate(raws):
        if raw in _LOWER_OPERATORS and 0 < at < len(raws) - 1:
            notes.add(_LOWER_OPERATORS[raw])  # searched as typed, but said
        if raw.startswith("!") and raw.strip("!"):  # !word (C's not): dropped, with a note
            notes.add(f"đã bỏ qua {_IGNORED['!']}")
            raw = raw.lstrip("!")
        if raw in ("(", "-("):
            tokens.append(_Token("open", negated=raw == "-("))
        elif raw == ")":
            tokens.append(_Token("close"))
        elif raw == "OR":
            tokens.append(_Token("or"))
        elif raw == "NOT":
            tokens.append(_Token("not"))
        elif raw in _IGNORED:
            notes.add(f"đã bỏ qua {_IGNORED[raw]}")
        else:
            token = _token(raw, notes)
            if token is None and not _PUNCTUATION.fullmatch(raw):
                notes.skip(raw)
            elif token is not None:
                tokens.append(token)
    return tokens


def _token(raw: str, notes: _Notes) -> _Token | None:
    """One word, phrase, prefix or field-restricted token."""
    negated = False
    if raw.startswith("-") and len(raw) > 1:
        negated, raw = True, raw[1:]
    scope = None
    name, sep, rest = raw.partition(":")
    if sep and fold(name) in _FIELDS:
        if not rest:
            notes.add(f"đã bỏ qua “{name}:” vì không có từ theo sau")
            return _Token("nothing")
        scope, raw = _FIELDS[fold(name)], rest
    if raw.startswith('"'):
        if len(raw) == 1 or not raw.endswith('"'):
            notes.add("thiếu dấu ngoặc kép đóng: cụm từ được coi là kết thúc ở cuối")
        if "*" in raw:
            notes.add("đã bỏ qua dấu * trong ngoặc kép: cụm từ được tìm nguyên văn")
        words = _words(raw.strip('"'))
        if not words:
            return None
        kind = "phrase" if len(words) > 1 else "word"
        return _Token("atom", Unit(words, kind, scope, negated))
    words = _words(raw)
    if not words:
        return None
    kind = "word"
    if raw.endswith("*"):
        if len(words[-1].folded) >= MIN_PREFIX_CHARS:
            kind = "prefix"
            if words[-1].accented:  # completions are looked up by their letters
                notes.add(f"tiền tố “{raw[:20]}” được tìm không phân biệt dấu")
        else:
            notes.add(f"tiền tố cần ít nhất {MIN_PREFIX_CHARS} chữ: “{raw[:20]}” được tìm"
                      " như một từ")
    if kind == "word" and len(words) > 1:
        kind = "phrase"  # "cán-bộ", "a.b" typed as one token: keep them together
    unit = Unit(words, kind, scope, negated)
    if kind == "word" and not words[0].parts and not raw.endswith("*"):
        # title:giáo dục: a field's word is as long as the dictionary word it begins
        return _Token("syllable", unit, ends_run=bool(_RUN_END.search(raw)))
    return _Token("atom", unit)


def _nest(tokens: list[_Token], notes: _Notes) -> list[_Token]:
    """Drop brackets nested deeper than :data:`MAX_DEPTH` (their contents stay)."""
    kept, depth, excess = [], 0, 0
    for token in tokens:
        if token.kind == "open":
            if depth >= MAX_DEPTH:
                excess += 1
                notes.add(f"đã bỏ qua các dấu ngoặc lồng sâu hơn {MAX_DEPTH} mức")
                continue
            depth += 1
        elif token.kind == "close":
            if excess:
                excess -= 1
                continue
            depth = max(0, depth - 1)
        kept.append(token)
    return kept


def _bind_words(tokens: list[_Token], notes: _Notes) -> list[_Token]:
    """Runs of syllables -> atoms: the operands of ``-``, ``NOT``, ``OR`` become words.

    Also keeps the first :data:`MAX_UNITS` atoms only (a bound on the cost of a query).
    """
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "nothing":
            i += 1
            continue
        if token.kind != "syllable":
            out.append(token)
            i += 1
            continue
        end = _run_end(tokens, i)
        after = tokens[end] if end < len(tokens) else None
        bind_first = token.unit.negated or token.unit.scope is not None or bool(
            out and out[-1].kind in ("or", "not"))
        if bind_first and end == i + 1 and _prefix_after(after):
            # -kinh tế*, title:y tế*: the operator takes the word being completed
            # (it bound kinh alone, and tế* was required)
            words = [*token.unit.words, *after.unit.words]
            out.append(_Token("atom", Unit(words, "prefix", token.unit.scope,
                                           token.unit.negated)))
            i = end + 1
            continue
        right = _operand_length(tokens, end + 1) if after and after.kind == "or" else None
        out += [_Token("atom", unit) for unit in _run_units(
            [t.unit for t in tokens[i:end]], bind_first, after is not None
            and after.kind == "or", right)]
        i = end
    atoms = 0
    for at, token in enumerate(out):
        atoms += token.kind == "atom"
        if atoms > MAX_UNITS:
            notes.add(f"chỉ dùng {MAX_UNITS} từ đầu tiên của câu tìm kiếm")
            notes.truncated = True
            return out[:at]
    return out


def _prefix_after(token: _Token | None) -> bool:
    """A plain prefix (``tế*``) right after an operand's first syllable."""
    return (token is not None and token.kind == "atom" and token.unit.kind == "prefix"
            and not token.unit.negated and token.unit.scope is None)


def _run_end(tokens: list[_Token], start: int) -> int:
    end = start + 1
    while (end < len(tokens) and tokens[end].kind == "syllable"
           and not tokens[end].unit.negated and tokens[end].unit.scope is None
           and not tokens[end - 1].ends_run):
        end += 1
    return end


def _operand_length(tokens: list[_Token], at: int) -> int | None:
    """Syllables of the operand right of an ``OR`` (None if it is a group or missing)."""
    if at >= len(tokens):
        return None
    token = tokens[at]
    if token.kind == "syllable" and not token.unit.negated:
        run = [t.unit.words[0] for t in tokens[at:_run_end(tokens, at)]]
        start, end = _first_word(run)  # as the operand will be bound (_run_units)
        return end - start
    if token.kind == "atom" and token.unit.kind in ("word", "phrase"):
        return len(token.unit.words)
    return None


def _spans(words) -> list[tuple[int, int]]:
    accented = [canonical(w.accented or w.folded) for w in words]
    return lexicon().segment(accented, [w.folded for w in words])


def _is_word(words) -> bool:
    """These query words spell one dictionary word (as typed, or folded)."""
    return lexicon().is_word([canonical(w.accented or w.folded) for w in words],
                             [w.folded for w in words])


def _first_word(words) -> tuple[int, int]:
    """The operand after ``-``, ``NOT``, ``OR`` or a field: the longest dictionary word
    that begins there. The run's best segmentation may cut it (``-lao dong gia`` is
    *lao | đồng giá* to it), and the user meant the word the operator stands before."""
    for size in range(min(MAX_WORD_SYLLABLES, len(words)), 1, -1):
        if _is_word(words[:size]):
            return (0, size)
    return (0, 1)


def _run_units(units: list[Unit], bind_first: bool, bind_last: bool,
               right: int | None) -> list[Unit]:
    """A run of one-syllable units, with the operator's operands made whole words.

    The word before ``OR`` shrinks to its trailing dictionary word as long as
    the word after it (``luật dân sự OR hình sự`` = luật AND (dân sự OR hình
    sự)): Vietnamese puts the modifier after the head, so an alternative given
    after ``OR`` replaces the modifier, not the head.
    """
    if not (bind_first or bind_last):
        return units
    words = [u.words[0] for u in units]
    spans = _spans(words)
    first = _first_word(words) if bind_first else None
    last = spans[-1] if bind_last else None
    if last and right and right >= 2 and last[1] - last[0] > right:
        start = last[1] - right
        if _is_word(words[start:last[1]]):
            last = (start, last[1])
    if first and last and last[0] < first[1]:
        last = first
    out: list[Unit] = []
    k = 0
    while k < len(units):
        span = first if first and first[0] == k else last if last and last[0] == k else None
        if span and span[1] - span[0] > 1:
            out.append(Unit(words[span[0]:span[1]], "word", scope=units[k].scope,
                            negated=units[k].negated))
            k = span[1]
        else:
            out.append(units[k])
            k += 1
    return out
