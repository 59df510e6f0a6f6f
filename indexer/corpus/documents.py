"""The :class:`Document` every later stage sees, and the text clean-up files and records
share (decoding, control characters, dates); no Whoosh and no file system here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from indexer.corpus.dates import parse_date as _parse_date

MAX_NULS = 8
"""More NUL bytes than this in a file's first 8 KB: binary (or UTF-16 without a BOM)."""
BINARY_HEAD = 8192
"""How much of a file :func:`looks_binary` looks at."""

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


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


TEXT_FIELDS = ("title", "text", "author", "source", "url")


def text_fields(record: Mapping[str, object]) -> tuple[dict[str, str | None], list[str]]:
    """A record's text fields as text, and the names of those that are not text.

    A string is itself, a number as written, a list of those joined (a ``text``'s
    paragraphs by blank lines, names by commas); an object, a list of objects or
    true/false is no text: None, and its name listed (the reader warns) instead of
    indexing a Python repr like ``{'a': 1}``."""
    values: dict[str, str | None] = {}
    odd: list[str] = []
    for name in TEXT_FIELDS:
        value = record.get(name)
        if value is None or isinstance(value, str):
            values[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            values[name] = str(value)
        elif isinstance(value, list) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            values[name] = ("\n\n" if name == "text" else ", ").join(map(str, value))
        else:
            values[name] = None
            odd.append(name)
    return values, odd


def not_text(doc_id: str, odd: list[str]) -> str:
    """The warning for the fields :func:`text_fields` found not to be text."""
    return f"record {doc_id!r}: {', '.join(odd)} not text (an object or true/false), ignored"


def clean_text(value: str) -> str:
    """Blank control characters (tabs and line breaks stay), replace lone surrogates.

    JSON escapes can carry anything: ``"\\u001b]0;x\\u0007"`` would drive the terminal of
    whoever runs ``vnsearch search``, and a lone ``"\\ud800"`` cannot be encoded as UTF-8 at
    all (Whoosh, JSON answers and pages would fail on it).
    """
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", value))


def decode_counting(data: bytes) -> tuple[str, int]:
    """Decode file bytes: UTF-8 (BOM or not), UTF-16 with BOM, else cp1258; and how many
    damaged UTF-8 sequences became U+FFFD.

    cp1258 is the old Vietnamese Windows code page; its decomposed tone marks
    are folded away later by NFC normalisation in analysis. A UTF-8 file with a few
    damaged bytes stays UTF-8: read as cp1258, every accented letter of it would
    silently become mojibake (``cán`` -> ``cĂ¡n``).
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


def looks_binary(head: bytes) -> bool:
    """Many NUL or control bytes in a file's first bytes; a few stray NULs in text are
    removed, not fatal."""
    head = head[:BINARY_HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nuls = head.count(0)
    if nuls > MAX_NULS:
        return True
    controls = nuls + sum(1 for b in head if b < 32 and b not in (0, 9, 10, 12, 13, 27))
    return bool(head) and controls / len(head) > 0.05


def parse_date(value: object) -> datetime | None:
    """A record's date as naive Vietnam time: see :func:`indexer.corpus.dates.parse_date`."""
    return _parse_date(value) if isinstance(value, str) else None
