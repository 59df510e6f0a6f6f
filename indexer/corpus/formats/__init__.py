"""File formats the corpus reads, one module each, and the registry of extensions.

Each reader is ``read(content, rel) -> Extracted``: ``content`` is the file's bytes
for binary formats and its decoded text for text formats (decoding, size and binary
checks stay in :mod:`indexer.corpus.reader`); it raises :class:`Unreadable` to skip the whole
file. Readers import their library on first use, so a corpus without PDFs never loads
PDFium, and a JSONL-only corpus none of them.

Every text read from a file (not JSONL records, which are machine-made) then goes
through :mod:`indexer.corpus.formats.legacy`: TCVN3 and VNI text becomes Unicode, with a
warning.
"""

from __future__ import annotations

import importlib
import unicodedata
from dataclasses import dataclass, replace

from . import legacy
from .base import Extracted, Record, Unreadable

__all__ = ["FORMATS", "READERS_VERSION", "SUFFIXES", "Extracted", "Format", "Record",
           "Unreadable", "format_of", "read"]


READERS_VERSION = 4
"""Bump when a reader extracts different fields from the same file: an incremental
reindex does not re-read unchanged files, so the next one rebuilds instead (2: formats,
site names, dates in +07; 3: copy keys hash title and body apart; 4: a short .txt
heading over one paragraph is the title)."""


@dataclass(frozen=True)
class Format:
    """A file format: its extensions, reader ``module:function`` and what is read."""

    suffixes: tuple[str, ...]
    reader: str
    binary: bool
    reads: str  # for the README and ``--help``


FORMATS: tuple[Format, ...] = (
    Format((".jsonl",), "", False, "one JSON record per line: id, title, text, date, author, "
           "source, url"),
    Format((".txt",), "page:read_text", False, "a scraped news page: title, date, author, "
           "site, article text without menus and footers"),
    Format((".html", ".htm"), "page:read_html", False, "a web page: main text (trafilatura), "
           "title, date, author, site from the markup"),
    Format((".md", ".markdown"), "markdown:read", False, "title from front matter or the "
           "first heading; date, author from front matter"),
    Format((".csv",), "table:read", False, "one document per row; header names id, title, "
           "text, date, author, source, url columns"),
    Format((".json",), "records:read", False, "an array of records with the JSONL fields"),
    Format((".docx",), "word:read", True, "paragraphs and tables; title, author, created "
           "date from the document properties"),
    Format((".odt",), "opendoc:read", True, "headings and paragraphs; title, author, "
           "creation date from the document metadata"),
    Format((".pdf",), "pdf:read", True, "the text layer; title, author, creation date from "
           "the document info (scans without text are skipped)"),
    Format((".doc",), "worddoc:read", True, "Word 97-2003 text, if Debian's antiword or "
           "catdoc is installed"),
)
_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
SUFFIXES = frozenset(_BY_SUFFIX)


def format_of(suffix: str) -> Format | None:
    """The format of a lowercase extension (``".pdf"``), None if unsupported."""
    return _BY_SUFFIX.get(suffix)


def _convert_legacy(out: Extracted, rel: str) -> None:
    """TCVN3/VNI records to Unicode, with one warning per file."""
    converted = None
    for i, record in enumerate(out.records):
        (title, body, author), name = legacy.convert_fields(
            [record.title, record.body, record.author or ""])
        if name is not None:
            converted = name
            out.records[i] = replace(record, title=title, body=body, author=author or None)
    if converted:
        out.warnings.append((rel, f"text converted from {legacy.NAMES[converted]} to Unicode, "
                                  "file indexed"))


def read(suffix: str, content: bytes | str, rel: str, *,
         encoding: str | None = None) -> Extracted:
    """Records of one file of a supported format (see module doc).

    ``encoding`` names a legacy encoding the caller already decoded the bytes from
    (:func:`legacy.decode_bytes`), so that it is reported.
    """
    fmt = _BY_SUFFIX[suffix]
    module, _, function = fmt.reader.partition(":")
    reader = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    out: Extracted = reader(content, rel)
    out.records = [replace(r, title=unicodedata.normalize("NFC", r.title),
                           body=unicodedata.normalize("NFC", r.body)) for r in out.records]
    if encoding:
        out.warnings.append((rel, f"text converted from {legacy.NAMES[encoding]} to Unicode, "
                                  "file indexed"))
    elif suffix not in (".json", ".csv"):
        _convert_legacy(out, rel)
    return out
