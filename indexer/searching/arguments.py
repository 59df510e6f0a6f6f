"""The arguments of :func:`indexer.searching.service.search`, made safe to use.

Why apart: a search accepts any input and answers it, never raising (a page number
of ``"x"``, a date of ``"2024-13-45"``, a year of ``-3``): every value is clamped,
parsed or dropped here, the same way for the CLI and the web app, before ranking
starts. The limits and sort names are the library's, for every front end (the CLI's
options and the web app's strict parser check against these); no Whoosh here, so a
front end reads them without loading the engine.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import time as dtime

from indexer.corpus.dates import to_local

MAX_PER_PAGE = 100
MAX_PAGE = 1000
SORTS = ("relevance", "newest", "oldest")
SORT_ALIASES = {"date": "newest"}  # the name used before "oldest" existed


def clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\Z")


def date_bound(raw: str) -> str | None:
    """A ``from``/``to`` bound as typed, in ISO form: day first (``15/08/2024``,
    ``15-08-2024``, what the page's date boxes show) or ISO 8601, a date or a time with or
    without an offset (``2024-08-15T16:00:00+07:00``); None if it is none of these. One
    rule for the CLI, the page and the API."""
    raw = str(raw).strip()
    day_first = _DAY_FIRST.match(raw)
    try:
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day).isoformat()
        return datetime.fromisoformat(raw).isoformat() if len(raw) > 10 else \
            date.fromisoformat(raw).isoformat()
    except ValueError:
        return None


def as_datetime(value, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_local(value)  # stored dates are naive Vietnam time
    if isinstance(value, date):
        return datetime.combine(value, dtime.max if end else dtime.min)
    value = date_bound(str(value))
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if len(value) <= 10 and end:
        parsed = datetime.combine(parsed.date(), dtime.max)
    return to_local(parsed)


def as_list(value) -> list:
    """One value or several, as a list without blanks."""
    if value is None or value == "":
        return []
    values = [value] if isinstance(value, str | int) else list(value)
    return [v for v in values if v not in (None, "")]
