"""What a search answers: :class:`Results` and its :class:`Hit` list, and their JSON.

Why a module of its own: the CLI (``vnsearch search --json``), the web API and the
result cache all hand these objects on, so their shape is defined once, here,
apart from how a search fills them in (:mod:`indexer.searching.service`).

Both are frozen, their lists read-only: one answer is cached and handed to every
thread that asks the same question, so no caller may change it for the others
(``dataclasses.replace`` makes a changed copy). A search fills a
:class:`ResultsDraft` (the same fields, mutable) and freezes it.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields, make_dataclass
from datetime import datetime

from indexer.corpus.dates import aware
from indexer.searching import facets as F


class ReadOnlyList(list):
    """A list that refuses to change (a shared answer's hits, messages, copies); equal
    to, and added like, any list."""

    def _read_only(self, *args, **kwargs):
        raise TypeError("search results are shared: copy them (list(...)) to change them")

    append = extend = insert = pop = remove = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only

    def __reduce__(self):  # copy and pickle rebuild it whole (not item by item)
        return ReadOnlyList, (list(self),)


@dataclass(frozen=True)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "copies", ReadOnlyList(self.copies))

    def to_json(self) -> dict:
        data = asdict(self)
        data["date"] = aware(self.date).isoformat() if self.date else None
        data["score"] = round(self.score, 4) if self.score is not None else None
        return data


@dataclass(frozen=True)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "hits", ReadOnlyList(self.hits))
        object.__setattr__(self, "messages", ReadOnlyList(self.messages))

    @property
    def pages(self) -> int:
        # Pages of results: the copies known to be collapsed have no page of their own
        # (all are known once the ranking has reached every match, e.g. on the last page).
        results = max(self.total, self.candidates) - self.copies_hidden
        return max(1, -(-results // self.per_page))

    def to_json(self) -> dict:
        """The one JSON shape of a search: ``vnsearch search --json`` and ``/api/search``."""
        return {
            "query": self.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "pages": self.pages, "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion, "partial": self.partial,
            "timed_out": self.timed_out, "messages": self.messages,
            "corrected_query": self.corrected_query, "exact_query": self.exact_query,
            "candidates": self.candidates, "copies_hidden": self.copies_hidden,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": self.facets.to_json() if self.facets is not None else None,
        }


def _freeze(draft) -> Results:
    """The finished answer, frozen."""
    return Results(**{f.name: getattr(draft, f.name) for f in fields(Results)})


ResultsDraft = make_dataclass(
    "ResultsDraft",
    [(f.name, f.type, field(default=f.default) if f.default is not MISSING
      else field(default_factory=f.default_factory)) for f in fields(Results)],
    namespace={"freeze": _freeze, "__doc__": "A :class:`Results` being filled in.",
               "__module__": __name__},
)
