"""JSONL collections, streamed record by record.

A collection can be any size: it is read a line at a time (never whole into
memory), and only a *record* larger than the limit is skipped. Lines end at
``\\n`` only: ``json.dumps(ensure_ascii=False)`` writes U+2028, U+2029 and U+0085
raw inside strings, and ``str.splitlines()`` would cut records there.

Every bad record (invalid JSON, nested too deep, a number of 5,000 digits, no
id, a repeated id...) is one problem on its ``path:line`` and is skipped; a bad
record never stops the file, let alone the reindex.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple

from indexer.corpus.documents import (
    UNPRINTABLE,
    Document,
    clean_text,
    decode_counting,
    not_text,
    parse_date,
    text_fields,
)
from indexer.corpus.problems import Problem, warning

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 1 << 20
_ID_HEAD = 4096  # characters of an oversized record searched for its id


class FirstWins:
    """The one rule for repeated ids: the first document of an id wins, in path order and
    then line order; every later one is reported, on every run, and skipped.

    Used within a file (``where`` = ``path:line``) and across files (``where`` = path),
    by full and incremental reindexes alike.
    """

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def claim(self, doc_id: str, where: str, problems: list[Problem]) -> bool:
        first = self.first.get(doc_id)
        if first is None:
            self.first[doc_id] = where
            return True
        problems.append(Problem(where, f"duplicate id {doc_id!r} (first in {first}), skipped"))
        return False


def read_records(rel: str, fh: BinaryIO, head: bytes, problems: list[Problem],
                 max_record: int, held: list[str] | None = None) -> Iterator[Document]:
    """The documents of one opened JSONL file (``head``: its first bytes, already read).

    ``held`` receives the ids of records skipped as too large, when their id can be
    read from their beginning: a reindex keeps what it indexed from them before.
    """
    held = [] if held is None else held
    if not head.startswith(_UTF16_BOMS):
        lines = _lines(fh.readline, b"\n", max_record)
        yield from _documents(rel, lines, problems, max_record, held)
        return
    text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="\n")
    try:
        lines = _lines(text.readline, "\n", max_record)
        yield from _documents(rel, lines, problems, max_record, held)
    finally:
        text.detach()  # the caller closes the file


class _Oversized(NamedTuple):
    """A line over the record limit: only its beginning is kept, to read its id."""

    head: str | bytes


_ID_RE = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d{1,30})')


def _id_of(head: str | bytes) -> str | None:
    """The id of a record from its first characters (where writers put it), or None."""
    if isinstance(head, bytes):
        head = head.decode("utf-8", "replace")
    match = _ID_RE.search(head)
    if not match:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return str(value).strip() or None


def _documents(rel: str, lines: Iterator[tuple[int, object, int]], problems: list[Problem],
               max_record: int, held: list[str]) -> Iterator[Document]:
    ids = FirstWins()
    nuls = damaged = 0
    blank = True
    for lineno, raw, size in lines:
        where = f"{rel}:{lineno}"
        if isinstance(raw, _Oversized):
            blank = False
            _skip_keeping(where, raw.head, f"record too large ({size:,} bytes > limit of "
                          f"{max_record:,}), skipped", ids, held, problems)
            continue
        if isinstance(raw, bytes):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                nuls += raw.count(0)
                raw = raw.replace(b"\x00", b"")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    line, bad = decode_counting(raw)
                except UnicodeDecodeError:
                    blank = False
                    problems.append(Problem(where, "not UTF-8 or cp1258 text, record skipped"))
                    continue
                damaged += bad
        else:
            nuls += raw.count("\x00")
            line = raw.replace("\x00", "")
        if not line.strip():
            continue
        blank = False
        record, broken = _load(line)
        if broken:  # a line broken now keeps its record's indexed version, as a large one
            _skip_keeping(where, line[:_ID_HEAD], f"invalid JSON ({broken}), record skipped",
                          ids, held, problems)
            continue
        doc = _parse(where, rel, record, problems)
        if doc is not None and ids.claim(doc.id, where, problems):
            yield doc
    if blank:
        problems.append(Problem(rel, "empty file, skipped"))
    if damaged:
        problems.append(warning(rel, f"{damaged} invalid UTF-8 byte sequence(s) replaced by"
                                     " U+FFFD, file indexed"))
    if nuls:
        problems.append(warning(rel, f"{nuls} NUL byte(s) removed, file indexed"))


def _lines(readline: Callable, newline, limit: int) -> Iterator[tuple[int, object, int]]:
    """(line number, line or None if longer than ``limit``, its size), split at ``newline``
    only; a line over the limit is read past in chunks, never held whole."""
    lineno = 0
    while line := readline(limit + 1):
        lineno += 1
        if line.endswith(newline):
            yield lineno, line[:-1], len(line) - 1
        elif len(line) <= limit:
            yield lineno, line, len(line)  # the last line, without its newline
        else:
            size, head = len(line), line[:_ID_HEAD]
            while (more := readline(_CHUNK)) and not more.endswith(newline):
                size += len(more)
            size += len(more) - (1 if more else 0)
            yield lineno, _Oversized(head), size


def _skip_keeping(where: str, head: str | bytes, reason: str, ids: FirstWins,
                  held: list[str], problems: list[Problem]) -> None:
    """Skip a record this run cannot read (too large, broken JSON), keeping what was
    indexed from it before when its id can be read from its first characters: a skip
    never deletes (the plan keeps the ``held`` ids)."""
    doc_id = _id_of(head)
    if doc_id is not None and ids.claim(doc_id, where, problems):
        held.append(doc_id)
        reason += f"; record {doc_id!r} keeps what was indexed from it before, if any"
    problems.append(Problem(where, reason))


def _load(line: str) -> tuple[object, str | None]:
    """(the line's JSON value, None), or (None, why it is no JSON)."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, exc.msg
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:  # int(): more digits than sys.get_int_max_str_digits()
        return None, "a number with too many digits"


def _parse(where: str, rel: str, record: object, problems: list[Problem]) -> Document | None:
    """One JSON value as a document, or None (and a problem) if it cannot be one."""
    if not isinstance(record, dict):
        problems.append(Problem(where, "record is not a JSON object, skipped"))
        return None
    try:
        return _from_record(where, rel, record, problems)
    except (RecursionError, ValueError) as exc:  # str() of a deeply nested or huge value
        problems.append(Problem(where, f"record cannot be read ({type(exc).__name__}),"
                                       " skipped"))
        return None


def _from_record(where: str, rel: str, record: dict, problems: list[Problem]) -> Document | None:
    doc_id = record.get("id")
    doc_id = doc_id if isinstance(doc_id, str) or doc_id is None else str(doc_id)
    if not doc_id or not doc_id.strip():
        problems.append(Problem(where, 'record has no "id", skipped'))
        return None
    if UNPRINTABLE.search(doc_id.strip()):
        problems.append(Problem(where, f"record id {ascii(doc_id)} has control or invalid"
                                       " characters, skipped"))
        return None
    raw, odd = text_fields(record)
    text = {name: None if value is None else clean_text(value) for name, value in raw.items()}
    title, body = text["title"] or "", text["text"] or ""
    if not (title.strip() or body.strip()):
        problems.append(Problem(where, f"record {doc_id!r} has no title or text, skipped"))
        return None
    date = parse_date(record.get("date"))
    if record.get("date") and date is None:
        problems.append(warning(where, f"record {doc_id!r} has an invalid date, date ignored"))
    if odd:
        problems.append(warning(where, not_text(doc_id, odd)))
    return Document(
        id=doc_id.strip(), path=rel, title=title.strip(), body=body, date=date,
        author=text["author"], source=text["source"], url=text["url"],
    ).with_hash()
