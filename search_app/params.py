"""Request arguments -> one library search call, shared by the HTML page and the JSON API.

Both front ends parse with :func:`parse_search_args` and search with
:func:`run_search`, so a page and its JSON twin always rank the same way.
They differ only in how they treat values out of range:

* the API is **strict**: a non-integer or out-of-range ``page`` (1..``indexer.MAX_PAGE``), a
  non-integer or non-positive ``per_page``, an unknown ``sort``, a malformed
  date or year or a query longer than ``MAX_QUERY_CHARS`` is a 400 error;
* the page is **forgiving**: it clamps ``page``, truncates a long query,
  ignores a bad date, year or sort, and tells the user in a note.

``source`` and ``year`` may be repeated (any of the values: facets are
multi-select). Notes are Vietnamese and name what the user sees ("số trang"),
not the raw parameter.

In both, ``per_page`` above ``MAX_PER_PAGE`` is capped (the answer says the
``per_page`` actually used).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import indexer

LABELS = {"page": "Số trang", "per_page": "Số kết quả mỗi trang", "from": "Từ ngày",
          "to": "Đến ngày", "year": "Năm"}
"""What the user sees for each parameter, in notes and errors."""


class ParamError(ValueError):
    """A request argument the strict (API) parser rejects; the message is for the user."""


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    per_page: int = 10
    sources: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    facets: bool = True  # count the matches by source and year
    exact: bool = False  # search the text as typed (no Telex decoding, no typo correction)
    notes: list[str] = field(default_factory=list)
    budget: float | None = None  # seconds (None: the library's default; 0: no limit)
    default_per_page: int = 10  # the app's PER_PAGE: a per_page equal to it is left out

    def filters(self) -> dict[str, str | list]:
        """The non-default filters and page size as URL arguments (for links that keep
        them: a link without per_page=5 showed 10 a page from result 11, skipping 6-10)."""
        args = {"source": self.sources, "year": self.years, "from": self.date_from,
                "to": self.date_to}
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.per_page != self.default_per_page:
            args["per_page"] = self.per_page
        return {key: value for key, value in args.items() if value}

    def view(self) -> dict[str, str | int | list]:
        """:meth:`filters`, and the exact search if asked (``exact=1``): what the links to
        other pages of these same results keep."""
        return {**self.filters(), **({"exact": 1} if self.exact else {})}

    def state(self) -> dict[str, str | int | list]:
        """Everything that makes this results page: query, page, filters and exact search
        (for a document page's link back to it)."""
        args: dict = {"q": self.q, **self.view()}
        if self.page > 1:
            args["page"] = self.page
        return args


def _integer(args, name: str, default: int, low: int, high: int | None, strict: bool,
             notes: list[str]) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    label = LABELS.get(name, name)
    try:
        value = int(raw)
    except ValueError:
        if strict:
            raise ParamError(
                f"{label} ({name}) phải là một số nguyên (nhận được “{raw[:20]}”)") from None
        notes.append(f"{label} “{raw[:20]}” không phải là số; đã dùng {default}.")
        return default
    if value < low or (high is not None and value > high):
        limit = f"từ {low} đến {high}" if high is not None else f"từ {low} trở lên"
        if strict:
            raise ParamError(f"{label} ({name}) phải {limit} (nhận được {value})")
        clamped = max(low, value if high is None else min(value, high))
        notes.append(f"{label} {value} nằm ngoài khoảng {limit}; đã dùng {clamped}.")
        return clamped
    return value


def _date(args, name: str, strict: bool, notes: list[str]) -> str | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    bound = indexer.date_bound(raw)  # dd/mm/yyyy, or ISO 8601 (a time and offset too)
    if bound is None:
        message = f"{LABELS[name]} “{raw[:40]}” không hợp lệ (dạng dd/mm/yyyy hoặc YYYY-MM-DD)"
        if strict:
            raise ParamError(f"{LABELS[name]} ({name}) “{raw[:40]}” không hợp lệ"
                             " (dạng dd/mm/yyyy hoặc YYYY-MM-DD)")
        notes.append(message + "; đã bỏ qua.")
    return bound


def parse_search_args(args, config, strict: bool) -> SearchParams:
    """Parse ``q, page, per_page, source, from, to, sort`` (see the module docstring)."""
    notes: list[str] = []
    # control characters are blanks to the search: shown (title, box, links) as such too
    q = indexer.blank_controls(args.get("q", "")).strip()
    limit = int(config["MAX_QUERY_CHARS"])
    if len(q) > limit:
        if strict:
            raise ParamError(f"Câu tìm kiếm dài {len(q)} ký tự, vượt giới hạn {limit} ký tự")
        q = q[:limit].rstrip()
        notes.append(f"Câu tìm kiếm dài quá {limit} ký tự; chỉ dùng {limit} ký tự đầu.")
    page = _integer(args, "page", 1, 1, indexer.MAX_PAGE, strict, notes)
    per_page = _integer(args, "per_page", int(config["PER_PAGE"]), 1, None, strict, notes)
    per_page = min(per_page, int(config["MAX_PER_PAGE"]))
    sort = args.get("sort", "").strip() or "relevance"
    sort = indexer.SORT_ALIASES.get(sort, sort)  # old links keep working
    if sort not in indexer.SORTS:
        if strict:
            raise ParamError(f"Cách sắp xếp (sort) phải là một trong {', '.join(indexer.SORTS)}")
        notes.append("Không có cách sắp xếp này; đã sắp theo mức liên quan.")
        sort = "relevance"
    return SearchParams(
        q=q, page=page, per_page=per_page, default_per_page=int(config["PER_PAGE"]),
        sources=_many(args, "source"),
        years=_years(args, strict, notes),
        date_from=_date(args, "from", strict, notes), date_to=_date(args, "to", strict, notes),
        sort=sort, facets=args.get("facets", "1").strip().lower() not in ("0", "false", "no"),
        notes=notes, budget=_budget(config),
        exact=args.get("exact", "").strip().lower() not in ("", "0", "false", "no"),
    )


def _many(args, name: str) -> list[str]:
    """Every non-empty value of a repeated argument, in order, without repeats."""
    values = [value.strip() for value in args.getlist(name)]
    return list(dict.fromkeys(value for value in values if value))


def _years(args, strict: bool, notes: list[str]) -> list[int]:
    years = []
    for raw in _many(args, "year"):
        # isdecimal, not isdigit: "²" is a digit int() refuses (a 500 with a traceback)
        if raw.isdecimal() and raw.isascii() and 1 <= int(raw) <= 9999:
            years.append(int(raw))
        elif strict:
            raise ParamError(f"Năm (year) phải là một số từ 1 đến 9999 (nhận được “{raw[:20]}”)")
        else:
            notes.append(f"Năm “{raw[:20]}” không hợp lệ; đã bỏ qua.")
    return years


def _budget(config) -> float | None:
    """``QUERY_BUDGET_MS`` in seconds; None (the library's default) if unset or not a number."""
    value = config.get("QUERY_BUDGET_MS")
    try:
        return None if value in (None, "") else float(value) / 1000
    except (TypeError, ValueError):
        return None


def run_search(index: indexer.SearchIndex, params: SearchParams) -> indexer.Results | None:
    """The one library call behind both front ends; None for an empty query."""
    if not params.q:
        return None
    return indexer.search(
        index, params.q, page=params.page, per_page=params.per_page, source=params.sources,
        years=params.years, date_from=params.date_from, date_to=params.date_to,
        sort=params.sort, facets=params.facets, budget=params.budget, exact=params.exact,
    )
