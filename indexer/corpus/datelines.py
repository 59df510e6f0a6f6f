"""Publication dates as pages write them: datelines, and dates given by markup.

Why apart: Vietnamese sites write dates a dozen ways (``27/12/2023 | 09:56 GMT+7``,
``Ngày 08:44:11 27-07-2022``, ``Thứ hai, 27/12/2023 09:56``, ``2023-12-27``,
``27 tháng 12 năm 2023``, 12-hour ``SA``/``CH`` times), and the text heuristics of
:mod:`indexer.corpus.pages`, the HTML markup and :mod:`indexer.corpus.formats.webpage`
all read them the same way. A dateline is a short line that is a date plus at most
three other words, so a date quoted in the article is never taken for it.
Dates are naive local time (:data:`LOCAL_TZ`).
"""

from __future__ import annotations

import re
from datetime import datetime

from indexer.corpus.dates import LOCAL_TZ

_DATE = re.compile(
    r"(?<!\d)(?:(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"|(?P<Y>\d{4})-(?P<M>\d{1,2})-(?P<D>\d{1,2})"
    r"|(?P<td>\d{1,2})\s+tháng\s+(?P<tm>\d{1,2})\s*(?:năm|,)\s*(?P<ty>\d{4}))(?!\d)", re.I)
_TIME = re.compile(r"(?<![\d:])(?P<h>\d{1,2})(?::|h)(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?![\d:])"
                   r"(?:\s*(?P<ap>[ap]m|sa|ch)\b)?", re.I)
_DATE_WORDS = frozenset(
    "ngày thứ hai ba tư năm sáu bảy chủ nhật cn gmt utc ict cập đăng lúc vào giờ lượt xem thời "
    "gian xuất bản posted updated published on at am pm sa ch t2 t3 t4 t5 t6 t7".split())


def find_date(text: str) -> tuple[datetime, str] | None:
    """First valid date (with its time, if any) in ``text`` and the text left around it."""
    for m in _DATE.finditer(text):
        y, mo, d = ((m["y"], m["m"], m["d"]) if m["y"] else (m["Y"], m["M"], m["D"])
                    if m["Y"] else (m["ty"], m["tm"], m["td"]))
        rest, hms = text[: m.start()] + " " + text[m.end():], (0, 0, 0)
        if t := _TIME.search(rest):
            hms = (int(t["h"]), int(t["mi"]), int(t["s"] or 0))
            if (ap := (t["ap"] or "").lower()) and hms[0] <= 12:
                hms = (hms[0] % 12 + (12 if ap in ("pm", "ch") else 0), *hms[1:])
            rest = rest[: t.start()] + " " + rest[t.end():]
        for parts in (hms, ()):  # a bad time still leaves a good date
            try:
                return datetime(int(y), int(mo), int(d), *parts), rest
            except ValueError:
                continue
    return None


def header_date(line: str) -> datetime | None:
    """The date of a dateline: a short line that is a date plus at most 3 other words."""
    if (found := find_date(line) if len(line) <= 200 else None) is None:
        return None
    extra = ["".join(c for c in w.lower() if c.isalpha()) for w in found[1].split()]
    return found[0] if sum(1 for w in extra if w and w not in _DATE_WORDS) <= 3 else None



def parse_date_value(value: str) -> datetime | None:
    """An ISO or Vietnamese date from markup, as naive ``LOCAL_TZ`` time."""
    try:
        dt = datetime.fromisoformat(value.strip()[:64])
        return (dt.astimezone(LOCAL_TZ) if dt.tzinfo else dt).replace(tzinfo=None)
    except ValueError:
        found = find_date(value[:200])
        return found[0] if found else None

