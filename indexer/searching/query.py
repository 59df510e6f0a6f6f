"""The user's query language -> a :class:`ParsedQuery` (see :mod:`indexer.searching.planner`).

The language is small and forgiving: ``"phrase"``, ``-exclude`` or ``NOT
exclude``, ``a OR b``, ``(grouping)``, ``title:word``, ``source:word``,
``prefix*``; operators bind to whole dictionary words (``dân sự OR hình sự``).
It is parsed by hand (:mod:`indexer.searching.querylang`) rather than by Whoosh's
QueryParser so that *any* input — unbalanced quotes or brackets, lone
operators, Whoosh syntax, control characters, 10,000 characters — becomes a
well-formed query or an empty one, with a note for what was ignored, never an
exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.text.folding import has_marks
from indexer.text.syllables import is_compound, syllables
from indexer.text.variants import spellings

MAX_QUERY_CHARS = 1000
MAX_UNITS = 32
"""Words, phrases and prefixes of one query, ``OR``'ed ones included; later ones are
dropped (:mod:`indexer.searching.querylang`). Each costs a posting list or more."""
MAX_PHRASES = 8
"""Phrases checked position by position (the costliest unit: every document with all
their words is looked at); later ones are searched as their words, in any order."""
MAX_PREFIXES = 16
"""Prefixes expanded into completions (sharing ``MAX_PREFIX_TERMS``); later ones are
searched as whole words."""
MIN_PREFIX_CHARS = 2
MAX_PREFIX_EXPANSION = 64
"""Completions of one prefix searched at most; all prefixes of a query share
``MAX_PREFIX_TERMS`` (``ta* ti* th*`` must not expand into thousands of terms)."""
MAX_PREFIX_TERMS = 128

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
    """A thing that must match: a word, a phrase or a prefix, possibly field-restricted.

    A ``word`` of several :class:`Word` is one dictionary word (*hình sự*), as the
    operand of ``OR`` or ``-``. A ``group`` (brackets OR'ed or negated as a whole,
    ``(luật dân sự) OR hình sự``) has no words of its own: its ``members`` must all
    match (negated members: must not).
    """

    words: list[Word]
    kind: str = "word"  # word | phrase | prefix | group
    scope: str | None = None  # None | title | source
    negated: bool = False
    alternatives: list[Unit] = field(default_factory=list)  # OR'ed with this one
    members: list[Unit] = field(default_factory=list)  # of a group: all required
    weight: float = 1.0  # below 1 for an alternative the user did not type (a synonym)

    def folds(self) -> list[str]:
        """The folded syllables of this unit's words, an identifier as its parts (what
        the folded fields hold)."""
        return [part for word in self.words for part in (word.parts or (word.folded,))]

    def leaves(self, negated_members: bool = False) -> list[Unit]:
        """This unit and its alternatives in typed order, groups opened up (their
        negated members left out unless asked for)."""
        found = []
        for alt in (self, *self.alternatives):
            if alt.kind != "group":
                found.append(alt)
                continue
            for member in alt.members:
                if negated_members or not member.negated:
                    found += member.leaves(negated_members)
        return found


@dataclass
class ParsedQuery:
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Unit]:
        return [u for u in self.units if not u.negated]

    def typed_folds(self, prefixes: bool = True) -> list[str]:
        """The folded syllables of the words to find, in the order typed, across units
        (``điều 51 bộ luật hình sự``): not excluded, not ``title:``/``source:``, not
        groups, and prefixes only if ``prefixes``."""
        skipped = ("group",) if prefixes else ("group", "prefix")
        return [fold for unit in self.positive
                if unit.scope is None and unit.kind not in skipped for fold in unit.folds()]

    def highlight_terms(self) -> tuple:
        """For snippets: {folded: accented forms asked for (None = any)}, folded prefixes,
        the phrases (quoted, or a synonym's expansion) as ((folded, accented), ...) runs,
        and the folded syllables asked for outside any phrase (marked wherever they are;
        a phrase's are marked only where the whole phrase stands)."""
        terms: dict[str, set[str | None]] = {}
        prefixes: list[str] = []
        phrases: list[tuple[tuple[str, str | None], ...]] = []
        free: set[str] = set()
        for unit in self.positive:
            for alt in unit.leaves():
                if alt.scope == "source":
                    continue
                phrase = alt.kind == "phrase" and len(alt.words) > 1
                if phrase:
                    phrases.append(tuple((w.folded, w.accented) for w in alt.words))
                for i, word in enumerate(alt.words):
                    if alt.kind == "prefix" and i == len(alt.words) - 1:
                        prefixes.append(word.folded)
                        continue
                    for spelling in spellings(word.folded):  # ki: kĩ and kỹ
                        terms.setdefault(spelling, set()).add(word.accented)
                        if not phrase:
                            free.add(spelling)
                    if len(word.parts) > 1:  # an identifier found by its parts: Mác – Lênin
                        phrases.append(tuple((part, None) for part in word.parts))
                        for part in word.parts:
                            terms.setdefault(part, set()).add(None)
        return terms, prefixes, tuple(phrases), frozenset(free)

    def text(self) -> str:
        return " ".join(w.folded for u in self.positive for w in u.words)


def add_predictions(parsed: ParsedQuery, restored: ParsedQuery) -> None:
    """Attach the accent model's reading of unmarked words (``dang`` -> ``đảng``).

    It is weak evidence, below marks the user typed: among documents that
    match equally well folded, those written the way the query most likely
    means rank first (``can bo dang vien`` -> *cán bộ đảng viên* above
    *cần bộ đang viên*).
    """
    ours = [w for u in parsed.units for alt in u.leaves(True) for w in alt.words]
    theirs = [w for u in restored.units for alt in u.leaves(True) for w in alt.words]
    if len(ours) != len(theirs):
        return
    for i, (word, guess) in enumerate(zip(ours, theirs, strict=True)):
        if word.folded != guess.folded:
            return
        if word.accented is None and guess.accented:
            ours[i].predicted = guess.accented


def clean(text: str) -> str:
    """Drop control, zero-width, bidi and surrogate characters; cap the length."""
    return blank_controls(text)[:MAX_QUERY_CHARS]


def blank_controls(text: str) -> str:
    """Control, zero-width, bidi and surrogate characters as blanks, as the search reads
    them: a front end shows the query the way it was searched (no bidi override in a
    page title, no ``hop<ZWSP>dong`` shown for *hop dong*)."""
    return _CONTROL_RE.sub(" ", text or "")


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
    """Parse what a user typed; never raises. The grammar is :mod:`indexer.searching.querylang`."""
    from indexer.searching.querylang import read  # it builds on this module's classes

    parsed = ParsedQuery()
    original = text or ""
    if len(original) > MAX_QUERY_CHARS:
        parsed.notes.append(f"câu tìm kiếm quá dài: chỉ dùng {MAX_QUERY_CHARS} ký tự đầu")
    parsed.units, notes = read(clean(original))
    parsed.notes += notes + _cap(parsed.units)
    _group_words(parsed)
    return parsed


def _groupable(unit: Unit) -> bool:
    return (unit.kind == "word" and unit.scope is None and not unit.negated
            and not unit.alternatives and len(unit.words) == 1 and not unit.words[0].parts)


def _group_words(parsed: ParsedQuery) -> None:
    """Consecutive plain syllables that spell a dictionary word become one unit.

    ``hop dong lao dong`` is two words, *hợp đồng* and *lao động*: each then
    matches where its syllables form that word (see :mod:`indexer.searching.planner`).
    Only bare syllables are grouped: quoted, negated, scoped, OR'ed, prefix
    and bracketed terms keep the meaning the user gave them.
    """
    from indexer.text.words import lexicon

    grouped: list[Unit] = []
    run: list[Unit] = []
    for unit in [*parsed.units, None]:
        if unit is not None and _groupable(unit):
            run.append(unit)
            continue
        if len(run) > 1:
            words = [u.words[0] for u in run]
            spans = lexicon().segment([w.accented or w.folded for w in words],
                                      [w.folded for w in words])
            grouped += [Unit(words[a:b]) for a, b in spans]
        else:
            grouped += run
        run = []
        if unit is not None:
            grouped.append(unit)
    parsed.units = grouped


def _cap(units: list[Unit]) -> list[str]:
    """Phrases past :data:`MAX_PHRASES` and prefixes past :data:`MAX_PREFIXES`, in typed
    order, become their plain words (a group of them); a note for each kind cut."""
    counts = {"phrase": 0, "prefix": 0}
    limits = {"phrase": MAX_PHRASES, "prefix": MAX_PREFIXES}

    def visit(unit: Unit) -> None:
        for alt in (unit, *unit.alternatives):
            if alt.kind == "group":
                for member in alt.members:
                    visit(member)
                continue
            kind = "phrase" if alt.kind == "word" and len(alt.words) > 1 else alt.kind
            if kind in counts:
                counts[kind] += 1
                if counts[kind] > limits[kind]:
                    alt.members = [Unit([word], "word", alt.scope) for word in alt.words]
                    alt.kind, alt.words = "group", []

    for unit in units:
        visit(unit)
    notes = []
    if counts["phrase"] > MAX_PHRASES:
        notes.append(f"chỉ {MAX_PHRASES} cụm từ đầu tiên được tìm đúng thứ tự; các cụm sau "
                     "được tìm như các từ rời")
    if counts["prefix"] > MAX_PREFIXES:
        notes.append(f"chỉ {MAX_PREFIXES} tiền tố (từ*) đầu tiên được mở rộng; các tiền tố "
                     "sau được tìm như từ nguyên vẹn")
    return notes
