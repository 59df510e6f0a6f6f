"""Read a corpus folder into :class:`Document` records; no Whoosh here.

A corpus is a folder tree of ``.jsonl`` collections (one record per line),
``.txt`` scraped pages and ``.html`` pages. A bad file is *normal input*: it is
reported as a :class:`Problem` and skipped, and never stops a reindex.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .pages import PageFields, parse_html_page, parse_text_page

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
SUFFIXES = {".jsonl", ".txt", ".html", ".htm"}
MAX_NULS = 8
"""More NUL bytes than this in a file's first 8 KB: binary (or UTF-16 without a BOM)."""

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Document:
    """One searchable document, as every later stage sees it."""

    id: str
    path: str
    title: str
    body: str
    date: datetime | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    content_hash: str = field(default="", compare=False)

    def with_hash(self) -> Document:
        digest = hashlib.blake2b(digest_size=16)
        for value in (self.id, self.path, self.title, self.body, self.date, self.author,
                      self.source, self.url):
            digest.update(repr(value).encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return replace(self, content_hash=digest.hexdigest())


@dataclass(frozen=True)
class Problem:
    """A file or record that was skipped, with a reason a user can act on."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class SourceFile:
    """A corpus file as found on disk; (mtime, size) let reindex skip unchanged files."""

    relpath: str
    abspath: Path
    mtime_ns: int
    size: int


def scan(root: Path, problems: list[Problem]) -> list[SourceFile]:
    """List corpus files in a stable order, without following symlink loops."""
    root = Path(root)
    found: list[SourceFile] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(directory: Path, depth: int) -> None:
        try:
            stat = directory.stat()
        except OSError as exc:
            problems.append(Problem(_rel(directory, root), f"cannot read folder ({exc.strerror})"))
            return
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            problems.append(Problem(_rel(directory, root), "symlink loop, skipped"))
            return
        if depth > MAX_DEPTH:
            problems.append(Problem(_rel(directory, root), "folders nested too deep, skipped"))
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(_rel(directory, root), f"cannot read folder ({exc.strerror})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    walk(path, depth + 1)
                    continue
                if not entry.is_file():
                    if entry.is_symlink():
                        problems.append(Problem(_rel(path, root), "broken symlink, skipped"))
                    continue
                if path.suffix.lower() not in SUFFIXES:
                    continue
                st = entry.stat()
            except OSError as exc:
                problems.append(Problem(_rel(path, root), f"cannot read ({exc.strerror})"))
                continue
            # ctime too: a chmod that makes an unreadable file readable must get it re-read.
            changed = max(st.st_mtime_ns, st.st_ctime_ns)
            found.append(SourceFile(_rel(path, root), path, changed, st.st_size))

    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    walk(root, 0)
    return found


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    # Names with newlines, control characters (a terminal escape) or undecodable bytes must
    # still print as one harmless line.
    rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\n", "\\n")
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}", rel)


def clean_text(value: str) -> str:
    """Blank control characters (tabs and line breaks stay), replace lone surrogates.

    JSON escapes can carry anything: ``"\\u001b]0;x\\u0007"`` would drive the terminal of
    whoever runs ``vnsearch search``, and a lone ``"\\ud800"`` cannot be encoded as UTF-8 at
    all (Whoosh, JSON answers and pages would fail on it).
    """
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", value))


def decode(data: bytes) -> str:
    """Decode file bytes: UTF-8 (BOM or not), UTF-16 with BOM, else cp1258.

    cp1258 is the old Vietnamese Windows code page; its decomposed tone marks
    are folded away later by NFC normalisation in analysis.
    """
    return decode_counting(data)[0]


def decode_counting(data: bytes) -> tuple[str, int]:
    """:func:`decode`, and how many damaged UTF-8 sequences became U+FFFD.

    A UTF-8 file with a few damaged bytes stays UTF-8: read as cp1258, every
    accented letter of it would silently become mojibake (``cán`` -> ``cĂ¡n``).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), 0
    utf8 = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return utf8.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    text = utf8.decode("utf-8", "replace")
    damaged = text.count("\ufffd") - utf8.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - damaged
    if utf8 is not data or non_ascii > damaged:  # a BOM, or mostly valid multi-byte UTF-8
        return text, damaged
    return data.decode("cp1258"), 0  # raises UnicodeDecodeError on undefined bytes


def _looks_binary(data: bytes) -> bool:
    """Many NUL or control bytes; a few stray NULs in text are removed, not fatal."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nuls = head.count(0)
    if nuls > MAX_NULS:
        return True
    controls = nuls + sum(1 for b in head if b < 32 and b not in (0, 9, 10, 12, 13, 27))
    return bool(head) and controls / len(head) > 0.05


def read_file(source: SourceFile, problems: list[Problem]) -> list[Document]:
    """Parse one file into documents; problems are appended, never raised."""
    rel = source.relpath
    if source.size > MAX_FILE_BYTES:
        problems.append(Problem(rel, f"file too large ({source.size:,} bytes > 20 MB), skipped"))
        return []
    try:
        data = source.abspath.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, f"cannot read ({exc.strerror or exc}), skipped"))
        return []
    if not data.strip():
        problems.append(Problem(rel, "empty file, skipped"))
        return []
    if _looks_binary(data):
        problems.append(Problem(rel, "binary file, skipped"))
        return []
    try:
        text, damaged = decode_counting(data)
    except UnicodeDecodeError:
        problems.append(Problem(rel, "not UTF-8, UTF-16 or cp1258 text, skipped"))
        return []
    if damaged:
        problems.append(Problem(rel, f"{damaged} invalid UTF-8 byte sequence(s) replaced by"
                                     " U+FFFD, file indexed"))
    if "\x00" in text:
        problems.append(Problem(rel, f"{text.count(chr(0))} NUL byte(s) removed, file indexed"))
        text = text.replace("\x00", "")
    suffix = source.abspath.suffix.lower()
    if suffix == ".jsonl":
        return list(_jsonl_documents(rel, text, problems))
    page = parse_html_page(text) if suffix in (".html", ".htm") else parse_text_page(text)
    return [_page_document(rel, page).with_hash()]


def _page_document(rel: str, page: PageFields) -> Document:
    return Document(
        id=rel, path=rel, title=page.title or Path(rel).stem, body=page.body, date=page.date,
        author=page.author, source=page.source,
    )


def parse_date(value: object) -> datetime | None:
    """ISO 8601 date or datetime; timezone-aware values become naive UTC-less local."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    return clean_text(value if isinstance(value, str) else str(value))


def _jsonl_documents(rel: str, text: str, problems: list[Problem]) -> Iterator[Document]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{rel}:{lineno}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(where, f"invalid JSON ({exc.msg}), record skipped"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(where, "record is not a JSON object, skipped"))
            continue
        doc_id = record.get("id")
        doc_id = doc_id if isinstance(doc_id, str) or doc_id is None else str(doc_id)
        if not doc_id or not doc_id.strip():
            problems.append(Problem(where, 'record has no "id", skipped'))
            continue
        if _UNPRINTABLE.search(doc_id.strip()):
            problems.append(Problem(where, f"record id {ascii(doc_id)} has control or invalid"
                                           " characters, skipped"))
            continue
        title, body = _text(record, "title") or "", _text(record, "text") or ""
        if not (title.strip() or body.strip()):
            problems.append(Problem(where, f"record {doc_id!r} has no title or text, skipped"))
            continue
        if record.get("date") and parse_date(record.get("date")) is None:
            problems.append(Problem(where, f"record {doc_id!r} has an invalid date, date ignored"))
        yield Document(
            id=doc_id.strip(), path=rel, title=title.strip(), body=body,
            date=parse_date(record.get("date")), author=_text(record, "author"),
            source=_text(record, "source"), url=_text(record, "url"),
        ).with_hash()


def dedupe(documents: Iterable[Document], problems: list[Problem]) -> Iterator[Document]:
    """Keep the first document of each id (files are read in sorted order)."""
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            problems.append(Problem(doc.path, f"duplicate id {doc.id!r} (first in {seen[doc.id]}),"
                                              " skipped"))
            continue
        seen[doc.id] = doc.path
        yield doc


def read_corpus(root: Path, problems: list[Problem] | None = None) -> Iterator[Document]:
    """Every document of the corpus, duplicates removed (convenience for tests and tools)."""
    problems = [] if problems is None else problems
    files = scan(root, problems)
    yield from dedupe((doc for f in files for doc in read_file(f, problems)), problems)
