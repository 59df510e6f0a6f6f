"""Per-query facet counts (source, year) and date order, from per-document arrays.

A facet count must describe *this query's* matches, and it must not cost a
second search. Search already works out, segment by segment, the set of
documents the query matches (:func:`indexer.searching.topdocs.top_docs` hands it over
through its ``matched`` argument); here each docnum of that set is looked up
in plain lists read once per segment reader (:class:`Columns`, cached on the
reader like the scoring norms). One pass counts the (source, year) pairs
(``Counter(itemgetter(*docs)(pairs))``, in C; about half the time of two
passes), and both facets are sums over those pairs.

Counts are *disjunctive*, as in Meilisearch, Typesense or Algolia: the source
counts apply every filter except the source one, the year counts every filter
except the year one. So a count is exactly the total the user gets by ticking
that value, and ticking a second source adds its count.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from whoosh.util.times import long_to_datetime

from indexer.text.collation import vn_key
from indexer.whoosh_ext.codec import read_postings
from indexer.whoosh_ext.readers import numeric_column_values
from indexer.whoosh_ext.readerstate import cache_of

PAIR = 10_000  # years are below this
UNDATED = -1
"""Date key of a document without a date (never shown: callers get None)."""

Matched = list[tuple[object, int, set[int]]]
"""Per segment: (segment reader, docnum offset, the query's matches minus deletions)."""


@dataclass(frozen=True)
class Columns:
    """One segment's per-document values, indexed by segment docnum."""

    names: tuple[str, ...]  # source id -> name
    source: list[int]  # docnum -> source id, -1 if none
    date: list[int]  # docnum -> Whoosh's sortable date number, UNDATED if none
    year: list[int]  # docnum -> year, 0 if undated
    pair: list[int]  # docnum -> (source id + 1) * PAIR + year: both facets in one number

    @classmethod
    def of(cls, reader) -> Columns:
        """The segment's columns, read once: the cache dict is shared by every reader of
        the segment (:data:`indexer.searching.searchers.SHARED_CACHES`), across searchers and
        commits, since a segment's documents never change (deletions are left out by
        the matched sets, not here)."""
        cache = cache_of(reader, "columns")
        found = cache.get("columns")
        if found is None:
            found = cache["columns"] = cls._read(reader)
        return found

    @classmethod
    def _read(cls, reader) -> Columns:
        """Read whole: each source's posting list in one call and the date column in one
        read (a matcher step and a column look-up per document took 0.25 s of the first
        query at 100k). Deleted documents get their values too; matched sets leave them
        out."""
        size = reader.doc_count_all()
        names: list[str] = []
        source = [-1] * size
        if "source" in reader.schema:
            for term in reader.lexicon("source"):
                name = term.decode("utf-8") if isinstance(term, bytes) else term
                ident = len(names)
                names.append(name)
                btext = term if isinstance(term, bytes) else term.encode("utf-8")
                for docnum in read_postings(reader, "source", btext)[0]:
                    source[docnum] = ident
        date = [UNDATED] * size
        year = [0] * size
        if reader.has_column("date"):
            missing = reader.schema["date"].column_type.default_value()
            column = reader.column_reader("date", translate=False)
            values = list(numeric_column_values(column, size))[:size]
            values += [missing] * (size - len(values))
            years = {v: long_to_datetime(v).year for v in set(values) if v != missing}
            date = [UNDATED if v == missing else v for v in values]
            year = [years.get(v, 0) for v in values]
        pair = [(s + 1) * PAIR + y for s, y in zip(source, year, strict=True)]
        return cls(tuple(names), source, date, year, pair)


@dataclass
class Facets:
    """Per-query counts; a selected value is listed even when its count is 0."""

    sources: list[tuple[str, int]] = field(default_factory=list)  # Vietnamese order
    years: list[tuple[int, int]] = field(default_factory=list)  # newest first

    def to_json(self) -> dict:
        return {"source": [{"value": name, "count": count} for name, count in self.sources],
                "year": [{"value": year, "count": count} for year, count in self.years]}


@dataclass(frozen=True)
class Selection:
    """The facet filters of one search: sources, years and a date-key range."""

    sources: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    low: int | None = None  # inclusive date keys (from/to)
    high: int | None = None

    @property
    def empty(self) -> bool:
        """True if these filters let every document through."""
        return not (self.sources or self.years or self.low is not None
                    or self.high is not None)

    def keeps(self, cols: Columns, docnums: Iterable[int], by_source: bool = True,
              by_year: bool = True) -> set[int]:
        """The docnums these filters let through (one kind may be left out)."""
        docs = docnums if isinstance(docnums, set) else set(docnums)
        if self.low is not None or self.high is not None:
            low = self.low if self.low is not None else 0
            high = self.high if self.high is not None else float("inf")
            date = cols.date
            docs = {d for d in docs if date[d] != UNDATED and low <= date[d] <= high}
        if by_source and self.sources:
            ids = {i for i, name in enumerate(cols.names) if name in self.sources}
            source = cols.source
            docs = {d for d in docs if source[d] in ids}
        if by_year and self.years:
            year, years = cols.year, self.years
            docs = {d for d in docs if year[d] in years}
        return docs


def count(matched: Matched, selection: Selection) -> Facets:
    """Source and year counts of the matched documents (see the module docstring)."""
    sources: Counter[str] = Counter()
    years: Counter[int] = Counter()
    wanted_years = selection.years
    for reader, _, docs in matched:
        cols = Columns.of(reader)
        docs = selection.keeps(cols, docs, by_source=False, by_year=False)  # from/to only
        if not docs:
            continue
        pairs = itemgetter(*docs)(cols.pair) if len(docs) > 1 else (cols.pair[next(iter(docs))],)
        for key, n in Counter(pairs).items():
            ident, year = divmod(key, PAIR)
            name = cols.names[ident - 1] if ident else None
            if not wanted_years or year in wanted_years:
                if name is not None:
                    sources[name] += n
            if not selection.sources or name in selection.sources:
                if year:
                    years[year] += n
    for name in selection.sources:
        sources.setdefault(name, 0)
    for year in selection.years:
        years.setdefault(year, 0)
    return Facets(sorted(sources.items(), key=lambda item: vn_key(item[0])),
                  sorted(years.items(), reverse=True))


def filtered(matched: Matched, selection: Selection) -> list[tuple[Columns, int, set[int]]]:
    """Per segment: (columns, offset, matches that pass every filter)."""
    out = []
    for reader, offset, docs in matched:
        cols = Columns.of(reader)
        out.append((cols, offset, selection.keeps(cols, docs)))
    return out


def kept(matched: Matched, selection: Selection) -> list[tuple[int, set[int]]]:
    """Per segment: (offset, matches that pass every filter). Without filters no columns
    are read: a search that asks for no facet and no date order does not pay a segment's
    first read of them (0.1 s per 100k documents, in the first query after opening)."""
    if selection.empty:
        return [(offset, docs) for _, offset, docs in matched]
    return [(offset, docs) for _, offset, docs in filtered(matched, selection)]


def by_date(segments: list[tuple[Columns, int, set[int]]], limit: int, newest: bool,
            ) -> tuple[int, list[int]]:
    """(matches, the first ``limit`` global docnums by date); undated documents come last
    in both orders, ties in docnum order."""
    dated: list[tuple[int, int]] = []
    undated: list[int] = []
    total = 0
    sign = -1 if newest else 1
    for cols, offset, docs in segments:
        total += len(docs)
        date = cols.date
        for d in docs:
            key = date[d]
            if key == UNDATED:
                undated.append(d + offset)
            else:
                dated.append((sign * key, d + offset))
    first = [d for _, d in heapq.nsmallest(limit, dated)]
    if len(first) < limit:
        first += sorted(undated)[: limit - len(first)]
    return total, first
