"""``.csv`` tables: one document per row, columns named by the header row.

The header names the columns (case-insensitive, English or Vietnamese): ``id``,
``title``/``tiêu đề``, ``text``/``body``/``content``/``nội dung``, ``date``/``ngày``,
``author``/``tác giả``, ``source``/``nguồn``, ``url``/``link``. Defaults for other
tables: other columns go into the text as ``Header: value`` lines, the first column
is the title when none is named, and ids are ``<file>#<row>``. Comma, semicolon, tab
and ``|`` separators are recognised.
"""

from __future__ import annotations

import csv
import io

from indexer.text.folding import fold

from .base import Extracted, Unreadable
from .records import make_record

ALIASES = {
    "id": "id", "mã": "id", "ma": "id",
    "title": "title", "tiêu đề": "title", "tieu de": "title", "tên": "title", "name": "title",
    "text": "text", "body": "text", "content": "text", "nội dung": "text",
    "noi dung": "text",
    "date": "date", "ngày": "date", "ngay": "date", "published": "date",
    "author": "author", "tác giả": "author", "tac gia": "author",
    "source": "source", "nguồn": "source", "nguon": "source",
    "url": "url", "link": "url",
}
csv.field_size_limit(20 * 1024 * 1024)


_FOLDED_ALIASES = {fold(name): role for name, role in ALIASES.items()}


def read(text: str, rel: str) -> Extracted:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise Unreadable(f"invalid CSV ({exc})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:  # read, and empty: its rows indexed before are gone (not a skip)
        reason = "CSV has a header row but no data rows" if rows else "empty CSV"
        return Extracted(skipped=[(rel, f"{reason}, skipped")])
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    # folded: a header in NFD or cp1258 marks (or typed without them) names the same role
    roles = [_FOLDED_ALIASES.get(fold(name).lower()) for name in header]
    if "title" not in roles and "text" not in roles:
        # the first column without a role titles the rows (not the id column: ids
        # would then be row numbers, which change when a row is added above)
        free = next((i for i, role in enumerate(roles) if role is None), None)
        if free is not None:
            roles[free] = "title"
    out = Extracted()
    for n, row in enumerate(rows[1:], 1):
        fields: dict[str, str] = {}
        extra: list[str] = []
        for i, cell in enumerate(row):
            role = roles[i] if i < len(roles) else None
            if role and role not in fields:
                fields[role] = cell
            elif cell.strip():
                name = header[i] if i < len(header) and header[i] else f"cột {i + 1}"
                extra.append(f"{name}: {cell.strip()}")
        if extra:
            fields["text"] = "\n\n".join(([fields["text"]] if fields.get("text") else [])
                                         + extra)
        make_record(fields, f"{rel}:{n + 1}", f"{rel}#{n}", out)
    return out
