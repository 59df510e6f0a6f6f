"""The user's query language -> a parsed query -> Whoosh query objects.

The language is small and forgiving: ``"phrase"``, ``-exclude``, ``a OR b``,
``title:word``, ``source:word``, ``prefix*``. It is parsed by hand rather
than by Whoosh's QueryParser so that *any* input — unbalanced quotes, lone
operators, Whoosh syntax, control characters, 10,000 characters — becomes a
well-formed query or an empty one, never an exception.

Ranking (see :func:`build_query`): every unit must match in the folded
fields (BM25F over title and body); optional clauses add evidence for
adjacent syllable pairs (``pairs``) and for syllables typed with marks
(``accents``), so ``can bo`` prefers *cán bộ* written together and ``Đảng``
prefers *Đảng* over *đang*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.scoring import BM25F

from .analysis import fold, has_marks, is_compound, syllables

MAX_QUERY_CHARS = 1000
MAX_UNITS = 32
MIN_PREFIX_CHARS = 2
MAX_PREFIX_EXPANSION = 64

TITLE_BOOST = 3.0
PAIR_BOOST = 0.6
ACCENT_BOOST = 1.0
PRIOR_BOOST = 0.3

WEIGHTING = BM25F(B=0.75, K1=1.2, title_f_B=1.0, title_a_B=1.0)
"""BM25F. Titles are fully length-normalised: a title that *is* the query beats a
longer title that merely contains it."""

_FIELDS = {"title": "title", "tieu_de": "title", "tieude": "title", "source": "source",
           "nguon": "source"}
_TOKEN_RE = re.compile(r'-?(?:[^\s":]+:)?"[^"]*"?|\S+')
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                         r"\ufeff\ud800-\udfff]")


@dataclass
class Word:
    """One syllable (or identifier) of the query: folded form plus accented if typed so."""

    folded: str
    accented: str | None  # None when typed without marks: any accent matches equally
    parts: tuple[str, ...] = ()  # folded parts of an identifier such as 08-QĐi/TW
    predicted: str | None = None  # likely accented form of an unmarked word (accent model)


@dataclass
class Unit:
    """A thing that must match: a word, a phrase or a prefix, possibly field-restricted."""

    words: list[Word]
    kind: str = "word"  # word | phrase | prefix
    scope: str | None = None  # None | title | source
    negated: bool = False
    alternatives: list[Unit] = field(default_factory=list)  # OR'ed with this one


@dataclass
class ParsedQuery:
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Unit]:
        return [u for u in self.units if not u.negated]

    def highlight_terms(self) -> tuple[dict[str, set[str | None]], list[str]]:
        """{folded: accented forms asked for (None = any)} and folded prefixes, for snippets."""
        terms: dict[str, set[str | None]] = {}
        prefixes: list[str] = []
        for unit in self.positive:
            for alt in [unit, *unit.alternatives]:
                if alt.scope == "source":
                    continue
                for i, word in enumerate(alt.words):
                    if alt.kind == "prefix" and i == len(alt.words) - 1:
                        prefixes.append(word.folded)
                    else:
                        terms.setdefault(word.folded, set()).add(word.accented)
        return terms, prefixes

    def text(self) -> str:
        return " ".join(w.folded for u in self.positive for w in u.words)


def add_predictions(parsed: ParsedQuery, restored: ParsedQuery) -> None:
    """Attach the accent model's reading of unmarked words (``dang`` -> ``đảng``).

    It is weak evidence, below marks the user typed: among documents that
    match equally well folded, those written the way the query most likely
    means rank first (``can bo dang vien`` -> *cán bộ đảng viên* above
    *cần bộ đang viên*).
    """
    ours = [w for u in parsed.units for alt in (u, *u.alternatives) for w in alt.words]
    theirs = [w for u in restored.units for alt in (u, *u.alternatives) for w in alt.words]
    if len(ours) != len(theirs):
        return
    for i, (word, guess) in enumerate(zip(ours, theirs, strict=True)):
        if word.folded != guess.folded:
            return
        if word.accented is None and guess.accented:
            ours[i].predicted = guess.accented


def clean(text: str) -> str:
    """Drop control, zero-width, bidi and surrogate characters; cap the length."""
    text = _CONTROL_RE.sub(" ", text or "")
    return text[:MAX_QUERY_CHARS]


def _words(text: str) -> list[Word]:
    """Query words; an identifier (``08-QĐi/TW``) is one word that keeps its parts."""
    words: list[Word] = []
    skip_until = -1
    for syl in syllables(text):
        accented = syl.accented if has_marks(syl.accented) else None
        if is_compound(syl):
            parts = tuple(w.folded for w in words[-1:]) + tuple(
                p.folded for p in syllables(text[syl.start:syl.end]) if not is_compound(p)
            )[1:]
            words[-1:] = [Word(syl.folded, accented, parts)]
            skip_until = syl.end
        elif syl.start >= skip_until:
            words.append(Word(syl.folded, accented))
    return words


def parse(text: str) -> ParsedQuery:
    """Parse what a user typed; never raises."""
    parsed = ParsedQuery()
    original = text or ""
    text = clean(original)
    if len(original) > MAX_QUERY_CHARS:
        parsed.notes.append(f"query shortened to its first {MAX_QUERY_CHARS} characters")
    pending_or = False
    for raw in _TOKEN_RE.findall(text):
        if raw == "OR":
            pending_or = bool(parsed.units)
            continue
        if raw in ("AND", "NOT", "&&", "||", "!"):
            continue
        unit = _parse_token(raw)
        if unit is None:
            continue
        if pending_or and not unit.negated and not parsed.units[-1].negated:
            parsed.units[-1].alternatives.append(unit)
        else:
            parsed.units.append(unit)
        pending_or = False
        if len(parsed.units) >= MAX_UNITS:
            parsed.notes.append(f"only the first {MAX_UNITS} terms were used")
            break
    return parsed


def _parse_token(raw: str) -> Unit | None:
    negated = False
    if raw.startswith("-") and len(raw) > 1:
        negated, raw = True, raw[1:]
    scope = None
    name, sep, rest = raw.partition(":")
    if sep and fold(name) in _FIELDS:
        if not rest:
            return None
        scope, raw = _FIELDS[fold(name)], rest
    if raw.startswith('"'):
        words = _words(raw.strip('"'))
        if not words:
            return None
        kind = "phrase" if len(words) > 1 else "word"
        return Unit(words, kind, scope, negated)
    prefix = raw.endswith("*")
    words = _words(raw)
    if not words:
        return None
    kind = "word"
    if prefix and len(words[-1].folded) >= MIN_PREFIX_CHARS:
        kind = "prefix"
    elif len(words) > 1:
        kind = "phrase"  # "cán-bộ", "a.b" typed as one token: keep them together
    return Unit(words, kind, scope, negated)


def _word_query(word: Word, fields: tuple[str, ...]) -> Q.Query:
    boosts = {"title_f": TITLE_BOOST}
    clauses: list[Q.Query] = [Q.Term(f, word.folded, boost=boosts.get(f, 1.0)) for f in fields]
    if word.parts:
        clauses += [Q.Phrase(f, list(word.parts), boost=boosts.get(f, 1.0)) for f in fields
                    if f != "source_f"]
    return clauses[0] if len(clauses) == 1 else Q.Or(clauses)


def _prefix_query(prefix: str, fields: tuple[str, ...], reader) -> Q.Query:
    """Bounded prefix expansion: the most frequent completions only."""
    clauses: list[Q.Query] = []
    for name in fields:
        terms = []
        if reader is not None:
            for term in reader.expand_prefix(name, prefix):
                term = term.decode("utf-8") if isinstance(term, bytes) else term
                terms.append((reader.doc_frequency(name, term), term))
                if len(terms) > MAX_PREFIX_EXPANSION * 8:
                    break
        terms.sort(reverse=True)
        boost = TITLE_BOOST if name == "title_f" else 1.0
        clauses += [Q.Term(name, t, boost=boost) for _, t in terms[:MAX_PREFIX_EXPANSION]]
    return Q.Or(clauses) if clauses else Q.NullQuery


def _unit_query(unit: Unit, reader) -> Q.Query:
    fields = {"title": ("title_f",), "source": ("source_f",)}.get(unit.scope, ("title_f", "body_f"))
    if unit.kind == "phrase" and unit.scope != "source":
        folds = [part for w in unit.words for part in (w.parts or (w.folded,))]
        boosts = {"title_f": TITLE_BOOST}
        clauses = [Q.Phrase(f, folds, boost=boosts.get(f, 1.0)) for f in fields]
        query: Q.Query = clauses[0] if len(clauses) == 1 else Q.Or(clauses)
    else:
        words = unit.words[:-1] if unit.kind == "prefix" else unit.words
        parts = [_word_query(w, fields) for w in words]
        if unit.kind == "prefix":
            parts.append(_prefix_query(unit.words[-1].folded, fields, reader))
        query = parts[0] if len(parts) == 1 else Q.And(parts)
    if unit.alternatives:
        query = Q.Or([query, *(_unit_query(alt, reader) for alt in unit.alternatives)])
    return query


def _evidence(parsed: ParsedQuery) -> list[Q.Query]:
    """Optional clauses: adjacent pairs and exact accents add score, never filter."""
    clauses: list[Q.Query] = []
    units = parsed.positive
    for a, b in zip(units, units[1:], strict=False):
        if a.kind == b.kind == "word" and a.scope is None and b.scope is None \
                and not (a.alternatives or b.alternatives):
            left, right = a.words[-1], b.words[0]
            if not (left.parts or right.parts):
                clauses.append(Q.Term("pairs", f"{left.folded} {right.folded}", boost=PAIR_BOOST))
    for unit in units:
        if unit.kind == "phrase" and unit.scope is None:
            folds = [w.folded for w in unit.words]
            clauses += [Q.Term("pairs", f"{x} {y}", boost=PAIR_BOOST)
                        for x, y in zip(folds, folds[1:], strict=False)]
        if unit.scope == "source":
            continue
        title_only = unit.scope == "title"
        for alt in [unit, *unit.alternatives]:
            for word in alt.words:
                form, weight = word.accented or word.predicted, ACCENT_BOOST
                if not word.accented:
                    weight = PRIOR_BOOST
                if form:
                    clauses.append(Q.Term("title_a", form, boost=weight * TITLE_BOOST))
                    if not title_only:
                        clauses.append(Q.Term("accents", form, boost=weight))
    return clauses


def build_query(parsed: ParsedQuery, reader=None, relaxed: bool = False) -> Q.Query | None:
    """Whoosh query for ``parsed``: all units required, or any of them if ``relaxed``.

    Returns None when nothing positive is left to search for.
    """
    positive = [_unit_query(u, reader) for u in parsed.positive]
    if not positive:
        return None
    if relaxed:
        required: Q.Query = Q.Or(positive) if len(positive) > 1 else positive[0]
    else:
        required = Q.And(positive) if len(positive) > 1 else positive[0]
    evidence = _evidence(parsed)
    query = Q.AndMaybe(required, Q.Or(evidence)) if evidence else required
    negative = [_unit_query(u, reader) for u in parsed.units if u.negated]
    if negative:
        query = Q.AndNot(query, Q.Or(negative))
    return query
