"""A source the query names: ``Điều 51 BLHS`` asks for the criminal code's article.

Why: the ranking model scores a query word found in a source name
(``SOURCE_BOOST``, :func:`indexer.searching.planner._source_evidence`) word by word,
so it cannot tell *Bộ luật hình sự* from *Bộ luật tố tụng hình sự*: the second holds
every word of the first. ``Điều 51 BLHS`` ranked the criminal-procedure code's
article 51 first, ``khoản 2 điều 123 BLDS`` the civil code's article sixth. A source
is named when the query holds its name's syllables *in a row*, typed or as an
abbreviation's expansion: the whole name, or three syllables or more making two
thirds of it (``luật tố tụng hình sự``); the longer the run against the name, the
surer. Two syllables of a longer name are a topic's words far more often (*nhân dân*
of "Báo Nhân Dân", *hình sự* of the criminal code, *việt nam* of the maritime one).
Like the title rescoring (:mod:`indexer.searching.rescore`), it is a rescoring of
the top of the first ranking: the rest of the evidence decides which of the named
source's documents comes first.

Only the sources whose run is the longest in the window gain, unless every source
there holds it (a window of one code's articles moves nothing), and a run of one
syllable names nothing (``LibreOffice`` in every module of a help).
Numbers are left out of a name (*Bộ luật hình sự 2015* is named by ``BLHS``; a typed
year is a word of the query like any other).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from indexer.searching.query import ParsedQuery, Unit
from indexer.text.syllables import is_compound, syllables
from indexer.whoosh_ext.readerstate import cache_of

Runs = tuple[tuple[str, ...], ...]
"""The query's folded syllables in the order typed, and each alternative's apart."""

MIN_RUN = 2
"""Fewest syllables of a name in a row that name its source: its whole name."""
MIN_PART = 3
"""Fewest syllables of a *part* of a name that name its source, and then only when
they are at least :data:`PART_SHARE` of it: two syllables of "Báo Nhân Dân" or
"Bộ luật hình sự" are words of a topic (``đời sống nhân dân``, ``trách nhiệm hình
sự``) far more often than a source asked for."""
PART_SHARE = 2 / 3
LONGEST_NAME = 32
"""Syllables of a name compared (a longer one is cut): bounds the work per query."""
LONGEST_RUN = 64
"""Syllables of a run compared (a long quoted phrase is cut)."""


def query_runs(parsed: ParsedQuery) -> Runs:
    """The runs a source name may be found in: the positive words as typed, in order
    (across units: ``điều 51 bộ luật hình sự``), and each alternative apart (a
    synonym's expansion, ``BLHS`` -> *bộ luật hình sự*; an ``OR``'s other side)."""
    runs = [tuple(parsed.typed_folds())]
    for unit in parsed.positive:
        if unit.scope is None and unit.kind != "group":
            runs += [tuple(alt.folds()) for alt in unit.leaves()[1:]
                     if alt.scope is None and not alt.negated]
    return tuple(run[:LONGEST_RUN] for run in runs if len(run) >= MIN_RUN)


@lru_cache(maxsize=4096)
def _every_syllable(name: str) -> tuple[str, ...]:
    return tuple(s.folded for s in syllables(name or "") if not is_compound(s))


@lru_cache(maxsize=4096)
def name_syllables(name: str) -> tuple[str, ...]:
    """A source name's folded syllables, numbers left out."""
    return tuple(s for s in _every_syllable(name) if not s.isdigit())[:LONGEST_NAME]


def grams(runs: Runs) -> set[tuple[str, ...]]:
    """Every part of the runs (syllables in a row) as long as a name may be: a name's
    parts are then looked up, not searched for (a long phrase against many sources
    took 0.85 s when each pair of positions was compared)."""
    return {run[i:j] for run in runs for i in range(len(run))
            for j in range(i + 1, min(len(run), i + LONGEST_NAME) + 1)}


def longest_run(name: tuple[str, ...], parts: set[tuple[str, ...]]) -> tuple[str, ...]:
    """The longest part of ``name`` (its syllables in a row) among ``parts``
    (:func:`grams` of the runs); the first found of the longest."""
    for size in range(len(name), 0, -1):
        for i in range(len(name) - size + 1):
            if name[i:i + size] in parts:
                return name[i:i + size]
    return ()


def names(part: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """True if ``part`` of ``name`` names it: the whole name, or enough of it."""
    if len(part) == len(name):
        return len(part) >= MIN_RUN
    return len(part) >= MIN_PART and len(part) >= PART_SHARE * len(name)


def holds(title: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """True if ``title`` holds the syllables of ``part`` in a row."""
    size = len(part)
    return any(title[i:i + size] == part for i in range(len(title) - size + 1))


class Naming:
    """What the query names among some documents' sources, and how fully."""

    def __init__(self, sources: Iterable[str], runs: Runs) -> None:
        found = {}
        sources = set(sources)  # "" for the documents without one
        parts = grams(runs) if runs else set()
        for source in sources if runs else ():
            name = name_syllables(source)
            part = longest_run(name, parts) if name else ()
            if part and names(part, name):
                found[source] = (part, len(name))
        self.run = max((len(part) for part, _ in found.values()), default=0)
        named = {source: (part, size) for source, (part, size) in found.items()
                 if len(part) == self.run}
        if len(named) == len(sources):  # every source holds it: none is told apart
            named = {}
        self.sources = {source: (self.run / size) ** 2 for source, (_, size) in named.items()}
        """The sources named (by :func:`names`, the longest run of all, and not every
        source of the window), each with the run over its name's length, squared: 1 when the
        query holds the whole name."""
        self.parts = {part for part, _ in named.values()}
        self.whole = {source: part for source, (part, size) in named.items()
                      if len(part) == size}
        """The sources whose whole name the query holds, and that name."""
        self.best = max(self.sources.values(), default=0.0)

    def of(self, source: str, title: tuple[str, ...]) -> float:
        """How fully the query names a document's source. A document of a source not
        named whose title holds a named part counts as the best named: "Áp dụng quy
        định của Bộ luật dân sự về thời hiệu" (in the civil-procedure code) is about the
        civil code as much as the civil code's own articles are, and a heading typed
        whole must still find it. Within a named source, titles do not count: the
        source says it already (``rút đơn khởi kiện vụ án dân sự`` in the
        civil-procedure code is not about the articles titled *dân sự*)."""
        named = self.sources.get(source, 0.0)
        if not named and any(holds(title, part) for part in self.parts):
            return self.best
        return named


def _names(reader) -> list[tuple[str, tuple[str, ...]]]:
    """Every source name of the index with its folded syllables, read once per reader."""
    cache = cache_of(reader, "source_names")
    found = cache.get("names")
    if found is None:
        found = []
        if "source" in reader.schema:
            for term in reader.lexicon("source"):
                name = term.decode("utf-8") if isinstance(term, bytes) else term
                found.append((name, _every_syllable(name)))
        cache["names"] = found
    return found


def scattered(reader, unit: Unit) -> list[str]:
    """The source names holding every syllable of a ``source:`` unit but not in a row:
    what ``source:"bộ luật hình sự"`` (or ``source:BLHS``, expanded) must not match.
    The name field is searched syllable by syllable (it keeps no positions), and "Bộ
    luật tố tụng hình sự" holds every syllable of "bộ luật hình sự"."""
    wanted = tuple(unit.folds())
    if reader is None or unit.kind == "prefix" or len(wanted) < MIN_RUN:
        return []
    return [name for name, held in _names(reader)
            if set(wanted) <= set(held) and not holds(held, wanted)]
