"""Query -> ranked, highlighted :class:`Results`: the one search API for CLI and web."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from datetime import time as dtime

from whoosh import query as Q

from .engine import SearchIndex
from .highlight import Terms, highlight_all, snippet
from .query import ParsedQuery, build_query, parse

MAX_PER_PAGE = 100
MAX_PAGE = 1000
SORTS = ("relevance", "date")
CACHE_SIZE = 256


@dataclass
class Hit:
    id: str
    title: str
    url: str | None
    source: str | None
    date: datetime | None
    score: float
    title_html: str  # escaped, with <mark>
    snippet: str  # escaped, with <mark>
    path: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["score"] = round(self.score, 4)
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
    partial: bool = False  # no document had every word: best partial matches shown
    messages: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict:
        return {
            "query": self.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion, "partial": self.partial, "messages": self.messages,
            "hits": [hit.to_json() for hit in self.hits],
        }


def _clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
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


class _Cache:
    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return None

    def put(self, key, value) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


_CACHES: dict[int, _Cache] = {}


def search(index: SearchIndex, query: str, page: int = 1, per_page: int = 10,
           source: str | None = None, date_from=None, date_to=None,
           sort: str = "relevance", suggest: bool = True) -> Results:
    """Search ``index``; any input is accepted and answered, never raised on."""
    started = time.perf_counter()
    page = _clamp(page, 1, MAX_PAGE, 1)
    per_page = _clamp(per_page, 1, MAX_PER_PAGE, 10)
    sort = sort if sort in SORTS else "relevance"
    start, end = _as_datetime(date_from), _as_datetime(date_to, end=True)
    key = (index.data_version(), query, page, per_page, source, start, end, sort, suggest)
    cache = _CACHES.setdefault(id(index), _Cache(CACHE_SIZE))
    cached = cache.get(key)
    if cached is not None:
        return cached
    results = Results(query=query or "", page=page, per_page=per_page)
    parsed = parse(query or "")
    results.messages += parsed.notes
    if (date_from and start is None) or (date_to and end is None):
        results.messages.append("ngày không hợp lệ đã bị bỏ qua (dùng dạng YYYY-MM-DD)")
    if start and end and start > end:
        start, end = end, start
        results.messages.append("khoảng ngày bị đảo ngược đã được sửa lại")
    searcher = index.searcher()
    filters = []
    if source:
        filters.append(Q.Term("source", source))
    if start or end:
        filters.append(Q.DateRange("date", start, end))
    filter_q = Q.And(filters) if len(filters) > 1 else (filters[0] if filters else None)
    whoosh_q = build_query(parsed, searcher.reader())
    if whoosh_q is None:
        if parsed.units:
            results.messages.append("hãy thêm một từ cần tìm (không chỉ từ bị loại trừ)")
        results.took_ms = (time.perf_counter() - started) * 1000
        return results
    hits = _run(searcher, whoosh_q, page, per_page, filter_q, sort)
    if hits.total == 0 and len(parsed.positive) > 1:
        relaxed = build_query(parsed, searcher.reader(), relaxed=True)
        hits = _run(searcher, relaxed, page, per_page, filter_q, sort)
        results.partial = hits.total > 0
    results.total = hits.total
    terms = Terms(*parsed.highlight_terms())
    for docnum, score in hits.items:
        stored = searcher.stored_fields(docnum)
        results.hits.append(Hit(
            id=stored["id"], title=stored.get("title", ""), url=stored.get("url"),
            source=stored.get("source"), date=stored.get("date"), score=score,
            title_html=highlight_all(stored.get("title", ""), terms),
            snippet=snippet(stored.get("body", ""), terms), path=stored.get("path", ""),
        ))
    if suggest:
        results.suggestion = _suggestion(index, searcher, query or "", parsed, filter_q)
    results.took_ms = (time.perf_counter() - started) * 1000
    cache.put(key, results)
    return results


@dataclass
class _Page:
    total: int
    items: list[tuple[int, float]]


def _run(searcher, whoosh_q, page, per_page, filter_q, sort) -> _Page:
    limit = page * per_page
    kwargs = {"limit": limit, "filter": filter_q}
    if sort == "date":
        kwargs["sortedby"] = "date"
        kwargs["reverse"] = True
    found = searcher.search(whoosh_q, **kwargs)
    items = [(docnum, score or 0.0) for docnum, score in
             ((hit.docnum, hit.score) for hit in found[(page - 1) * per_page: limit])]
    return _Page(len(found), items)


def _suggestion(index, searcher, query: str, parsed: ParsedQuery, filter_q) -> str | None:
    """An accent-restored / spelling-corrected query, only if it differs and finds results."""
    if not parsed.positive or len(query) > 200:
        return None
    try:
        restored = index.model().restore(query)
    except Exception:  # suggestions are a nicety; never fail a search for them
        return None
    if not restored or restored.strip().lower() == query.strip().lower():
        return None
    candidate = build_query(parse(restored), searcher.reader())
    if candidate is None or searcher.search(candidate, limit=1, filter=filter_q).is_empty():
        return None
    return restored
