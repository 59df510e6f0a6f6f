"""What a format reader returns: records plus what went wrong, without knowing the index.

Readers only turn bytes into :class:`Record` values; :mod:`indexer.corpus.reader` makes them
documents (ids, paths, hashes) and problems. Keeping readers free of the corpus
module means a new format is one small module and one line in the registry.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""A .docx/.odt (a zip) unpacking to more than this is refused: a 20 MB zip of zeros
would otherwise unpack to gigabytes in memory (a "zip bomb")."""


@dataclass(frozen=True)
class Record:
    """One document's fields as read from a file; ``id`` None means "the file's path"."""

    title: str
    body: str
    date: datetime | None = None  # naive Vietnam time (see indexer.corpus.dates)
    author: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None


@dataclass
class Extracted:
    """Records of one file, and (where, reason) notes: skipped parts and warnings.

    ``where`` is the file's relative path, or ``path:line`` / ``path:row`` for a record.
    """

    records: list[Record] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


class Unreadable(Exception):
    """The whole file cannot be indexed; the message is the reason shown to the user."""


def check_zip(data: bytes, kind: str) -> None:
    """Refuse what is not a zip, or unpacks to more than :data:`MAX_UNPACKED_BYTES`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Unreadable(f"not a readable {kind} file (not a zip archive)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise Unreadable(f"{kind} file unpacks to {unpacked:,} bytes (over "
                         f"{MAX_UNPACKED_BYTES:,})")
