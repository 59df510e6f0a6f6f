"""Request arguments -> one library search call, shared by the HTML page and the JSON API.

Both front ends parse with :func:`parse_search_args` and search with
:func:`run_search`, so a page and its JSON twin always rank the same way.
They differ only in how they treat values out of range:

* the API is **strict**: a non-integer or out-of-range ``page`` (1..1000), a
  non-integer or non-positive ``per_page``, an unknown ``sort``, a malformed
  date or a query longer than ``MAX_QUERY_CHARS`` is a 400 error;
* the page is **forgiving**: it clamps ``page``, truncates a long query,
  ignores a bad date or sort, and tells the user in a note.

In both, ``per_page`` above ``MAX_PER_PAGE`` is capped (the answer says the
``per_page`` actually used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import indexer

MAX_PAGE = 1000
SORTS = ("relevance", "date")


class ParamError(ValueError):
    """A request argument the strict (API) parser rejects; the message is for the user."""


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    per_page: int = 10
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    notes: list[str] = field(default_factory=list)

    def filters(self) -> dict[str, str]:
        """The non-default filters as URL arguments (for links that keep them)."""
        args = {"source": self.source, "from": self.date_from, "to": self.date_to}
        if self.sort != "relevance":
            args["sort"] = self.sort
        return {key: value for key, value in args.items() if value}


def _integer(args, name: str, default: int, low: int, high: int | None, strict: bool,
             notes: list[str]) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        if strict:
            raise ParamError(
                f"Tham số {name} phải là một số nguyên (nhận được {raw[:20]!r})") from None
        return default
    if value < low or (high is not None and value > high):
        limit = f"từ {low} đến {high}" if high is not None else f"từ {low} trở lên"
        if strict:
            raise ParamError(f"Tham số {name} phải {limit} (nhận được {value})")
        clamped = max(low, value if high is None else min(value, high))
        notes.append(f"Tham số {name}={value} nằm ngoài khoảng {limit}; đã dùng {clamped}.")
        return clamped
    return value


def _date(args, name: str, strict: bool, notes: list[str]) -> str | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        message = f"Ngày {name}={raw[:20]!r} không hợp lệ (dùng dạng YYYY-MM-DD)"
        if strict:
            raise ParamError(message) from None
        notes.append(message + "; đã bỏ qua.")
        return None


def parse_search_args(args, config, strict: bool) -> SearchParams:
    """Parse ``q, page, per_page, source, from, to, sort`` (see the module docstring)."""
    notes: list[str] = []
    q = args.get("q", "").strip()
    limit = int(config["MAX_QUERY_CHARS"])
    if len(q) > limit:
        if strict:
            raise ParamError(f"Câu tìm kiếm dài {len(q)} ký tự, vượt giới hạn {limit} ký tự")
        q = q[:limit].rstrip()
        notes.append(f"Câu tìm kiếm dài quá {limit} ký tự; chỉ dùng {limit} ký tự đầu.")
    page = _integer(args, "page", 1, 1, MAX_PAGE, strict, notes)
    per_page = _integer(args, "per_page", int(config["PER_PAGE"]), 1, None, strict, notes)
    per_page = min(per_page, int(config["MAX_PER_PAGE"]))
    sort = args.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        if strict:
            raise ParamError(f"Tham số sort phải là một trong {', '.join(SORTS)}")
        sort = "relevance"
    return SearchParams(
        q=q, page=page, per_page=per_page, source=args.get("source", "").strip() or None,
        date_from=_date(args, "from", strict, notes), date_to=_date(args, "to", strict, notes),
        sort=sort, notes=notes,
    )


def run_search(index: indexer.SearchIndex, params: SearchParams) -> indexer.Results | None:
    """The one library call behind both front ends; None for an empty query."""
    if not params.q:
        return None
    return indexer.search(
        index, params.q, page=params.page, per_page=params.per_page, source=params.source,
        date_from=params.date_from, date_to=params.date_to, sort=params.sort,
    )
