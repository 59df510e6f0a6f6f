"""The arguments of :func:`indexer.searching.service.search`, made safe to use.

Why apart: a search accepts any input and answers it, never raising (a page number
of ``"x"``, a date of ``"2024-13-45"``, a year of ``-3``): every value is clamped,
parsed or dropped here, the same way for the CLI and the web app, before ranking
starts. The limits and sort names are the library's, for every front end (the CLI's
options and the web app's strict parser check against these); no Whoosh here, so a
front end reads them without loading the engine.
"""

from __future__ import annotations

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


def as_datetime(value, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_local(value)  # stored dates are naive Vietnam time
    if isinstance(value, date):
        return datetime.combine(value, dtime.max if end else dtime.min)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    if len(str(value).strip()) <= 10 and end:
        parsed = datetime.combine(parsed.date(), dtime.max)
    return to_local(parsed)


def as_list(value) -> list:
    """One value or several, as a list without blanks."""
    if value is None or value == "":
        return []
    values = [value] if isinstance(value, str | int) else list(value)
    return [v for v in values if v not in (None, "")]
