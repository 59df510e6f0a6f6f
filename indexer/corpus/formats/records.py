"""Records given as fields (``.json`` arrays, ``.csv`` rows), checked like JSONL records.

A record needs a title or a text; ``id`` defaults to ``<file>#<n>`` (n from 1) so a
table or array without ids is still searchable and each row keeps a stable id as long
as rows are not reordered. An unreadable date is ignored with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from indexer.corpus.dates import parse_date
from indexer.corpus.documents import UNPRINTABLE, not_text, text_fields

from .base import Extracted, Record, Unreadable

FIELDS = ("id", "title", "text", "date", "author", "source", "url")


def _str(value: object) -> str | None:
    if value is None:
        return None
    try:
        text = value if isinstance(value, str) else str(value)
    except (RecursionError, ValueError):  # str() of a deeply nested or huge value
        return None
    return text if text.strip() else None


def make_record(fields: Mapping[str, object], where: str, default_id: str,
                out: Extracted) -> None:
    """Append the record of ``fields`` to ``out``, or a note saying why it was skipped."""
    raw_id = _str(fields.get("id"))
    doc_id = raw_id.strip() if raw_id else default_id
    if UNPRINTABLE.search(doc_id):
        out.skipped.append((where, f"record id {ascii(doc_id)} has control or invalid "
                                   "characters, skipped"))
        return
    raw, odd = text_fields(fields)
    text = {name: value if value and value.strip() else None for name, value in raw.items()}
    title, body = (text["title"] or "").strip(), text["text"] or ""
    if not (title or body.strip()):
        out.skipped.append((where, f"record {doc_id!r} has no title or text, skipped"))
        return
    if odd:
        out.warnings.append((where, not_text(doc_id, odd)))
    raw_date = fields.get("date")
    date = parse_date(raw_date) if raw_date not in (None, "") else None
    if raw_date not in (None, "") and date is None:
        out.warnings.append((where, f"record {doc_id!r} has an invalid date "
                                    f"({str(raw_date)[:40]!r}), date ignored"))
    out.records.append(Record(id=doc_id, title=title, body=body, date=date,
                              author=text["author"], source=text["source"], url=text["url"]))


def read(text: str, rel: str) -> Extracted:
    """``.json``: an array of record objects (or one object, or ``{"records": [...]}``)."""
    try:
        data = json.loads(text)
    except RecursionError:  # was a traceback that stopped every reindex
        raise Unreadable("invalid JSON (nested too deeply)") from None
    except ValueError as exc:
        raise Unreadable(f"invalid JSON ({getattr(exc, 'msg', exc)})") from None
    if isinstance(data, dict):
        nested = next((data[k] for k in ("records", "documents", "items", "data")
                       if isinstance(data.get(k), list)), None)
        data = nested if nested is not None else [data]
    if not isinstance(data, list):
        raise Unreadable("JSON is not an array of records")
    out = Extracted()
    for n, item in enumerate(data, 1):
        where = f"{rel}#{n}"
        if not isinstance(item, dict):
            out.skipped.append((where, "record is not a JSON object, skipped"))
            continue
        make_record(item, where, f"{rel}#{n}", out)
    return out
