"""Query -> ranked, highlighted :class:`Results`: the one search API for CLI and web.

Every search runs within a time budget (:mod:`indexer.searching.budget`): ranking or
sorting stops at :data:`~indexer.searching.budget.SEARCH_SHARE` of it, snippets at the
end of it, and the answer is then the best found so far, ``timed_out``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from datetime import time as dtime

from whoosh import query as Q
from whoosh.util.times import datetime_to_long

from indexer.accents.wording import attested
from indexer.searching import facets as F
from indexer.searching import forgiving
from indexer.searching.budget import (
    SEARCH_SHARE,
    Deadline,
    default_budget,
    query_scope,
    seconds_or_none,
)
from indexer.searching.duplicates import MAX_LISTED, CopyIndex, Group, collapse
from indexer.searching.engine import SearchIndex, reads_index
from indexer.searching.highlight import Terms, highlight_all, lead, mark, snippet
from indexer.searching.planner import build_query, deleted_docs, every_word_query, prefix_notes
from indexer.searching.query import ParsedQuery, add_predictions, clean, parse
from indexer.searching.synonyms import Synonyms
from indexer.searching.synonyms import expand as expand_synonyms
from indexer.searching.topdocs import matches, top_docs
from indexer.text.folding import fold

MAX_PER_PAGE = 100
MAX_PAGE = 1000
SORTS = ("relevance", "newest", "oldest")
SORT_ALIASES = {"date": "newest"}  # the name used before "oldest" existed


@dataclass
class Hit:
    id: str
    title: str
    url: str | None
    source: str | None
    date: datetime | None
    score: float | None  # None in date order (no relevance score was computed)
    title_html: str  # escaped, with <mark>
    snippet: str  # escaped, with <mark>
    path: str = ""
    copies: list[str] = field(default_factory=list)  # ids of identical copies (some)
    copy_count: int = 0  # how many identical copies were collapsed into this hit
    complete: bool = True  # holds every word of the query (False: a partial match)

    def to_json(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["score"] = round(self.score, 4) if self.score is not None else None
        return data


@dataclass
class Results:
    query: str
    total: int = 0
    page: int = 1
    per_page: int = 10
    took_ms: float = 0.0
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    partial: bool = False  # some hits shown lack a word of the query
    candidates: int = 0  # documents holding at least one word (total: every word)
    copies_hidden: int = 0  # of them, copies collapsed into a better-ranked hit, so far
    messages: list[str] = field(default_factory=list)
    facets: F.Facets | None = None  # per-query counts, when asked for
    timed_out: bool = False  # the time budget ran out: the best results found by then
    corrected_query: str | None = None  # what was searched instead (Telex decoded, typo fixed)
    exact_query: str | None = None  # with corrected_query: the typed text, searched by exact=True

    @property
    def pages(self) -> int:
        # Pages of results: the copies known to be collapsed have no page of their own
        # (all are known once the ranking has reached every match, e.g. on the last page).
        results = max(self.total, self.candidates) - self.copies_hidden
        return max(1, -(-results // self.per_page))

    def to_json(self) -> dict:
        return {
            "query": self.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion, "partial": self.partial,
            "timed_out": self.timed_out, "messages": self.messages,
            "corrected_query": self.corrected_query, "exact_query": self.exact_query,
            "candidates": self.candidates, "copies_hidden": self.copies_hidden,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": self.facets.to_json() if self.facets is not None else None,
        }


def _clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


def _as_datetime(value, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, dtime.max if end else dtime.min)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    if len(str(value).strip()) <= 10 and end:
        parsed = datetime.combine(parsed.date(), dtime.max)
    return parsed.replace(tzinfo=None)


def _values(value) -> list:
    """One value or several, as a list without blanks."""
    if value is None or value == "":
        return []
    values = [value] if isinstance(value, str | int) else list(value)
    return [v for v in values if v not in (None, "")]


@reads_index
def search(index: SearchIndex, query: str, page: int = 1, per_page: int = 10,
           source: str | list[str] | None = None, date_from=None, date_to=None,
           sort: str = "relevance", suggest: bool = True, years: list[int] | None = None,
           facets: bool = False, budget: float | None = None, exact: bool = False) -> Results:
    """Search ``index``; any input is accepted and answered, never raised on.

    ``source``: one source name or several (any of them); ``years``: any of these
    years; ``sort``: relevance, newest or oldest (undated documents last in both);
    ``facets``: also count the matches by source and year (:mod:`indexer.searching.facets`);
    ``budget``: seconds this search may take (None: ``VNSEARCH_QUERY_BUDGET_MS`` or
    2 s; 0: no limit), past which the answer is the best found so far, with
    ``timed_out`` set and a message. Unless ``exact``, Telex/VNI typing and typos are
    forgiven (:mod:`indexer.searching.forgiving`: the corrected query is searched instead).
    """
    options = dict(page=page, per_page=per_page, source=source, date_from=date_from,
                   date_to=date_to, sort=sort, suggest=suggest, years=years, facets=facets,
                   budget=budget)
    if exact:
        return _typed(index, query, **options)
    return forgiving.search(_typed, index, query, **options)


def _typed(index: SearchIndex, query: str, page: int = 1, per_page: int = 10,
           source: str | list[str] | None = None, date_from=None, date_to=None,
           sort: str = "relevance", suggest: bool = True, years: list[int] | None = None,
           facets: bool = False, budget: float | None = None) -> Results:
    """The query as typed (synonyms and spelling variants are part of matching)."""
    started = time.perf_counter()
    budget = default_budget() if budget is None else seconds_or_none(budget)
    page = _clamp(page, 1, MAX_PAGE, 1)
    per_page = _clamp(per_page, 1, MAX_PER_PAGE, 10)
    sort = SORT_ALIASES.get(sort, sort)
    sort = sort if sort in SORTS else "relevance"
    sources = tuple(sorted({str(name) for name in _values(source)}))
    year_list = tuple(sorted({y for y in (_clamp(v, 1, 9999, 0) for v in _values(years)) if y}))
    start, end = _as_datetime(date_from), _as_datetime(date_to, end=True)
    synonyms = index.synonyms()  # once: the key and the expansion use the same table
    key = (index.data_version(), synonyms.version, query, page, per_page, sources,
           year_list, start, end, sort, suggest, facets, date_from if start is None else None,
           date_to if end is None else None, budget)
    cached = index.results_cache.get(key)
    if cached is not None:
        return cached
    results = Results(query=query or "", page=page, per_page=per_page,
                      facets=F.Facets() if facets else None)
    if (date_from and start is None) or (date_to and end is None):
        results.messages.append("ngày không hợp lệ đã bị bỏ qua (dùng dạng YYYY-MM-DD)")
    if start and end and start > end:
        start, end = end, start
        results.messages.append("khoảng ngày bị đảo ngược đã được sửa lại")
    selection = F.Selection(frozenset(sources), frozenset(year_list),
                            datetime_to_long(start) if start else None,
                            datetime_to_long(end) if end else None)
    with query_scope() as ticket:
        deadline = Deadline.after(budget * SEARCH_SHARE if budget else None, ticket)
        final = Deadline.after(budget, ticket)
        _search(index, results, _filter_query(sources, year_list, start, end), selection,
                sort, suggest, deadline, final, synonyms)
    results.timed_out = deadline.hit or final.hit
    if ticket.busy:
        results.messages.append(
            "Máy chủ đang bận với các tìm kiếm nặng khác nên đã dừng sớm: đây là những kết "
            "quả tìm được đến lúc đó; hãy thử lại sau.")
    elif results.timed_out:
        results.messages.append(
            f"Tìm kiếm đã dừng ở giới hạn thời gian ({budget:g} giây): đây là những kết quả "
            "tốt nhất tìm được đến lúc đó; tổng số và thứ tự có thể chưa đầy đủ.")
    results.took_ms = (time.perf_counter() - started) * 1000
    if not results.timed_out:  # a retry, on a less busy server, may do better
        index.results_cache.put(key, results)
    return results


def _search(index: SearchIndex, results: Results, filter_q: Q.Query | None,
            selection: F.Selection, sort: str, suggest: bool, deadline: Deadline,
            final: Deadline, synonyms: Synonyms) -> None:
    """Fill ``results``: ranking until ``deadline``, snippets until ``final``."""
    query = results.query
    parsed = parse(query)
    restored = _restore(index, query, parsed)
    if restored:
        add_predictions(parsed, parse(restored))
    searcher = index.searcher()
    reader = searcher.reader()
    parsed.units = expand_synonyms(parsed.units, synonyms,
                                   lambda term: reader.doc_frequency("all_f", term) > 0)
    whoosh_q = build_query(parsed, searcher.reader())
    results.messages[:0] = parsed.notes + prefix_notes(parsed, searcher.reader())
    if whoosh_q is None:
        if parsed.units:
            results.messages.append("hãy thêm một từ cần tìm (không chỉ từ bị loại trừ)")
        return
    if deadline.ticket is not None:
        deadline.ticket.expect(_postings(searcher, whoosh_q))
    scope = _Scope.of(searcher, filter_q, selection)
    page, per_page = results.page, results.per_page
    copies = CopyIndex(searcher)
    hits = _collapsed(copies, searcher, whoosh_q, page, per_page, scope, sort, deadline)
    results.candidates = results.total = hits.total
    results.copies_hidden = len(hits.hidden)
    every_q = every_word_query(parsed, searcher.reader())
    every: _Every | None = None
    every_matched = None
    if every_q is not None and _one_unit(parsed):
        pass  # one word, phrase or prefix: holding it is matching it (total as counted)
    elif every_q is not None and not deadline.expired():
        # Candidates hold any word; the total counts those holding every word,
        # and so do the facets (each count is the total its filter gives).
        every_matched = matches(searcher, every_q, scope.deleted, deadline)
        every = _Every(F.filtered(every_matched, scope.selection))
        results.total = every.count
        results.partial = any(group.docnum not in every for group in hits.items)
    elif every_q is not None:  # out of time: which hits hold every word is not known
        results.partial = len(parsed.positive) > 1
    if results.facets is not None:
        # (no document holds every word: the partial matches shown are counted)
        counted = every_matched if every_matched is not None and results.total else hits.matched
        results.facets = F.count(counted, selection)
    terms = Terms(*parsed.highlight_terms())
    for group in hits.items:
        docnum, score = group.docnum, group.score
        others = copies.copies(group.key, docnum, scope.allowed, scope.deleted)
        stored = searcher.stored_fields(docnum)
        title, body = stored.get("title", ""), stored.get("body", "")
        if final.expired():  # out of time: the hit unmarked, its text's beginning
            title_html, snippet_html = mark(title, []), lead(body)
        else:
            title_html, snippet_html = highlight_all(title, terms), snippet(body, terms)
        results.hits.append(Hit(
            id=stored["id"], title=title, url=stored.get("url"), source=stored.get("source"),
            date=stored.get("date"), score=score, title_html=title_html, snippet=snippet_html,
            path=stored.get("path", ""), copy_count=len(others),
            copies=[searcher.stored_fields(d)["id"] for d in others[:MAX_LISTED]],
            complete=every is None or docnum in every,
        ))
    if deadline.hit or final.hit:
        return
    if suggest and restored:
        results.suggestion = _suggestion(index, searcher, query, restored, results, scope,
                                         final)


def _one_unit(parsed: ParsedQuery) -> bool:
    """A query of one single-syllable word, one phrase or one prefix (no operators, no
    synonyms): its candidates are exactly the documents holding all of it."""
    units = parsed.positive
    if len(units) != 1 or len(units) != len(parsed.units):
        return False
    unit = units[0]
    return (not unit.alternatives and unit.scope is None
            and (unit.kind in ("phrase", "prefix") or (unit.kind == "word" and len(unit.words) == 1
                                                       and not unit.words[0].parts)))


class _Every:
    """The documents holding every word, per segment (no global set is built: only
    the total and the page's hits are asked about)."""

    def __init__(self, per_segment: list) -> None:
        self._segments = [(offset, docs) for _, offset, docs in per_segment]
        self.count = sum(len(docs) for _, docs in self._segments)

    def __contains__(self, docnum: int) -> bool:
        for offset, docs in reversed(self._segments):
            if docnum >= offset:
                return docnum - offset in docs
        return False


def _filter_query(sources, years, start, end) -> Q.Query | None:
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
class _Scope:
    """What every ranking of one search leaves out, worked out once per search."""

    allowed: set[int] | None  # the filters as docnums, for bulk scoring
    deleted: set[int]
    selection: F.Selection  # the same filters, for per-document arrays (date order)

    @classmethod
    def of(cls, searcher, filter_q, selection: F.Selection) -> _Scope:
        allowed = searcher._filter_to_comb(filter_q) if filter_q is not None else None
        return cls(allowed, deleted_docs(searcher), selection)


@dataclass
class _Collapsed:
    total: int  # documents, copies included
    items: list[Group]  # this page's results, one per set of identical copies
    matched: F.Matched
    hidden: set[int] = field(default_factory=set)  # copies left out of the ranked part


def _collapsed(copies: CopyIndex, searcher, whoosh_q, page: int, per_page: int,
               scope: _Scope, sort: str, deadline: Deadline) -> _Collapsed:
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
    return _Collapsed(found.total, groups[(page - 1) * per_page:wanted], found.matched, hidden)


def _run(searcher, whoosh_q, page, per_page, scope: _Scope, sort,
         deadline: Deadline) -> _Page:
    limit = page * per_page
    if sort == "relevance":
        # Exact top-N by bulk scoring (indexer.searching.topdocs): Whoosh's scores, a
        # fraction of the cost of its matchers.
        matched: F.Matched = []
        total, items = top_docs(searcher, whoosh_q, limit, scope.allowed, scope.deleted,
                                matched=matched, deadline=deadline)
        return _Page(total, items[(page - 1) * per_page:], matched)
    # Date order: the matches, unscored, ordered by the per-document date array.
    matched = matches(searcher, whoosh_q, scope.deleted, deadline)
    total, docnums = F.by_date(F.filtered(matched, scope.selection), limit,
                               newest=sort == "newest")
    return _Page(total, [(d, None) for d in docnums[(page - 1) * per_page:]], matched)


def _restore(index: SearchIndex, query: str, parsed: ParsedQuery) -> str | None:
    """The query with accents restored / typos fixed by the corpus's own model."""
    if not parsed.positive or len(query) > 200:
        return None
    try:
        return index.model().restore(clean(query)) or None
    except Exception:  # restoration is a nicety; never fail a search for it
        return None


def _suggestion(index: SearchIndex, searcher, query: str, restored: str, results: Results,
                scope: _Scope, deadline: Deadline) -> str | None:
    """Did-you-mean: the restored query, capitalised as the corpus writes it, if it is a
    sequence the corpus has (never invented language) and differs from what was typed."""
    model = index.model()
    if not attested(model, restored):
        return None
    restored = model.cased(restored)
    if restored.strip() == query.strip():
        return None
    if fold(restored) == fold(query) and results.total:
        return restored  # same letters: it finds what this query found
    return _finds_results(searcher, restored, scope, deadline)


def _finds_results(searcher, restored: str, scope: _Scope, deadline: Deadline) -> str | None:
    """``restored`` if searching it would find something (a useful "did you mean")."""
    candidate = build_query(parse(restored), searcher.reader())
    if candidate is None:
        return None
    total, _ = top_docs(searcher, candidate, 1, scope.allowed, scope.deleted,
                        deadline=deadline)
    return restored if total and not deadline.expired() else None


def _postings(searcher, query: Q.Query) -> int:
    """The size of a query's posting lists, phrase words four times (their positions
    are read): what its evaluation will cost, roughly, known before it starts."""
    if isinstance(query, Q.Phrase):
        return 4 * sum(searcher.doc_frequency(query.fieldname, w) for w in query.words)
    if isinstance(query, Q.Term):
        return searcher.doc_frequency(query.fieldname, query.text)
    return sum(_postings(searcher, child) for child in query.children())
