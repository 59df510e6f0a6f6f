"""One page of hits: ranked (or in date order), identical copies collapsed into one.

Why apart from the search itself: which documents make page N is its own problem
once copies collapse (the top N is asked for again, larger, while collapsing leaves
the page short) and once the total counts only documents holding every word
(:class:`Every`, per segment). :mod:`indexer.searching.service` asks for the page;
:mod:`indexer.searching.topdocs` ranks; :mod:`indexer.searching.facets` orders by date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime

from whoosh import query as Q

from indexer.searching import facets as F
from indexer.searching import weights as W
from indexer.searching.budget import Deadline
from indexer.searching.columns import TextColumn
from indexer.searching.duplicates import CopyIndex, Group, collapse
from indexer.searching.rescore import rescore, text_spans
from indexer.searching.topdocs import matches, top_docs
from indexer.whoosh_ext.readers import deleted_docs, filter_docnums


class Every:
    """The documents holding every word, per segment (no global set is built: only
    the total and the page's hits are asked about)."""

    def __init__(self, per_segment: list[tuple[int, set[int]]]) -> None:
        self._segments = per_segment  # (docnum offset, documents)
        self.count = sum(len(docs) for _, docs in self._segments)

    def __contains__(self, docnum: int) -> bool:
        for offset, docs in reversed(self._segments):
            if docnum >= offset:
                return docnum - offset in docs
        return False



def filter_query(sources, years, start, end) -> Q.Query | None:
    """The source / year / date filters as one Whoosh query (None: no filter)."""
    filters = []
    if sources:
        filters.append(Q.Or([Q.Term("source", name) for name in sources]))
    if years:
        filters.append(Q.Or([Q.DateRange("date", datetime(y, 1, 1), datetime.combine(
            date(y, 12, 31), dtime.max)) for y in years]))
    if start or end:
        filters.append(Q.DateRange("date", start, end))
    return Q.And(filters) if len(filters) > 1 else (filters[0] if filters else None)


@dataclass
class _Page:
    total: int
    items: list[tuple[int, float | None]]
    matched: F.Matched = field(default_factory=list)  # per segment, before the filters


@dataclass
class Scope:
    """What every ranking of one search leaves out, worked out once per search."""

    allowed: set[int] | None  # the filters as docnums, for bulk scoring
    deleted: set[int]
    selection: F.Selection  # the same filters, for per-document arrays (date order)
    title_query: tuple = ()  # the query words titles are rescored against (rescore.query_words)
    source_runs: tuple = ()  # where the query may name a source (sourcenames.query_runs)
    references: tuple = ()  # (word, number) typed in a row (references.references)

    @classmethod
    def of(cls, searcher, filter_q, selection: F.Selection,
           title_query: tuple = (), source_runs: tuple = (), references: tuple = ()) -> Scope:
        allowed = filter_docnums(searcher, filter_q) if filter_q is not None else None
        return cls(allowed, deleted_docs(searcher), selection, title_query, source_runs,
                   references)


@dataclass
class Collapsed:
    total: int  # documents, copies included
    items: list[Group]  # this page's results, one per set of identical copies
    matched: F.Matched
    hidden: set[int] = field(default_factory=set)  # copies left out of the ranked part


def collapsed(copies: CopyIndex, searcher, whoosh_q, page: int, per_page: int,
               scope: Scope, sort: str, deadline: Deadline) -> Collapsed:
    """This page of the ranking with identical copies collapsed: the top ``limit`` is
    asked for again, larger, while collapsing leaves the page short (copies score
    alike, so a little past the page is usually enough; the deadline bounds it).

    ``hidden``: the copies left out of the ranked part, for the page count: once the
    ranking has reached every match they are all known and the pages are exact; before,
    copies past the ranked part are not known without ranking everything. Pages counted
    from documents alone left the last pages empty (23 documents, 10 of them copies:
    "3 pages", the third empty)."""
    wanted = page * per_page
    limit = wanted
    while True:
        found = _run(searcher, whoosh_q, 1, limit, scope, sort, deadline)
        groups = collapse(found.items, copies.key_of)
        if len(groups) >= wanted or limit >= found.total or deadline.expired():
            break
        limit = min(found.total, limit + 2 * (wanted - len(groups)) + per_page)
    kept = {group.docnum for group in groups}
    hidden = {docnum for docnum, _ in found.items if docnum not in kept}
    return Collapsed(found.total, groups[(page - 1) * per_page:wanted], found.matched, hidden)


def _run(searcher, whoosh_q, page, per_page, scope: Scope, sort,
         deadline: Deadline) -> _Page:
    limit = page * per_page
    if sort == "relevance":
        # Exact top-N by bulk scoring (indexer.searching.topdocs): Whoosh's scores, a
        # fraction of the cost of its matchers.
        # The top WINDOW is always ranked, then rescored by title (indexer.searching.
        # rescore), whatever the page, so that pages agree with each other.
        matched: F.Matched = []
        depth = max(limit, W.RESCORE_WINDOW) if scope.title_query else limit
        total, items = top_docs(searcher, whoosh_q, depth, scope.allowed, scope.deleted,
                                matched=matched, deadline=deadline)
        if scope.title_query:
            items = rescore(items, scope.title_query, TextColumn(searcher, "title_c"),
                            text_spans(searcher, scope.title_query),
                            TextColumn(searcher, "source"), scope.source_runs,
                            scope.references)
        return _Page(total, items[(page - 1) * per_page:limit], matched)
    # Date order: the matches, unscored, ordered by the per-document date array.
    matched = matches(searcher, whoosh_q, scope.deleted, deadline)
    total, docnums = F.by_date(F.filtered(matched, scope.selection), limit,
                               newest=sort == "newest")
    return _Page(total, [(d, None) for d in docnums[(page - 1) * per_page:]], matched)

