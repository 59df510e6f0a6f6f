"""One reading of dates for every source: JSONL fields, CSV cells, file properties, pages.

Why one module: the same instant written ``2024-08-15T09:00:00+00:00`` in a JSONL record
and ``15/08/2024 16:00`` on a page must be stored as the same value, and a Vietnamese user
writes ``15/08/2024`` (day first) more often than ISO.

Storage convention: Whoosh ``DATETIME`` fields hold naive datetimes, so every date is
converted to Vietnam time (``LOCAL_TZ``, Asia/Ho_Chi_Minh, +07:00, no daylight saving)
and stored *naive local*. A value without an offset is taken to be local time already;
a value with one (``Z``, ``+00:00``, ``+0700``) is converted. :func:`aware` gives the
aware datetime back: every JSON answer writes dates with ``+07:00``
(``indexer.searching.results``/``lookups``), and search bounds go through
:func:`to_local` (``indexer.searching.arguments``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

LOCAL_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
                  r"(?:[ T,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")  # +0700 -> +07:00 (fromisoformat wants a colon)
_HAS_TIME = re.compile(r"\d[T ]\d")


def to_local(value: datetime) -> datetime:
    """Naive Vietnam time of ``value``: aware values converted, naive ones kept as local."""
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TZ)
    return value.replace(tzinfo=None)


def aware(value: datetime) -> datetime:
    """The aware (+07) datetime of a stored naive-local value."""
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value


def parse_date(value: object) -> datetime | None:
    """A date or datetime as naive Vietnam time, or None if ``value`` is not one.

    Accepted: ISO 8601 with or without time and offset (``2024-08-15``,
    ``2024-08-15T09:30``, ``2024-08-15 09:30:00Z``, ``...+07:00``, ``...+0700``),
    day-first ``15/08/2024``, ``15-08-2024``, ``15.08.2024`` optionally followed by
    ``09:30`` or ``9h30``, and ``datetime``/``date`` objects. Year 1000-9999 only.
    """
    if isinstance(value, datetime):
        return to_local(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if text[4:5] == "-":  # ISO: the C parser first (JSONL dates, 100k records a build)
        try:
            parsed = datetime.fromisoformat(text)
            return to_local(parsed) if parsed.year >= 1000 else None
        except ValueError:
            pass
    elif m := _DMY.fullmatch(text):
        day, _, month, year, hour, minute, second = m.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                            int(second or 0))
        except ValueError:
            return None
    iso = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    iso = _OFFSET.sub(r"\1:\2", iso) if _HAS_TIME.search(iso) else iso
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return to_local(parsed) if parsed.year >= 1000 else None
