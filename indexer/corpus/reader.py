"""Read a corpus folder into :class:`Document` records; no Whoosh here.

A corpus is a folder tree of ``.jsonl`` collections (one record per line, any
size: see :mod:`indexer.corpus.jsonl`), ``.txt`` scraped pages, ``.html`` pages and the
office and data formats of :mod:`indexer.corpus.formats` (each file at most
:attr:`Limits.max_page` bytes). A bad file or record is *normal input*: it is
reported as a :class:`Problem` and skipped, and never stops a reindex; so is a
file of an unsupported format (reported by the scan, never silently ignored).
A file that cannot be read *this time* (too large, unreadable, binary,
undecodable, a damaged document) is marked so (:attr:`FileRead.unreadable`): a reindex
then keeps what it indexed from it before instead of deleting it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import formats, sites
from indexer.corpus.documents import (
    BINARY_HEAD,
    Document,
    clean_text,
    decode_counting,
    looks_binary,
)
from indexer.corpus.documents import parse_date as parse_date
from indexer.corpus.jsonl import FirstWins, read_records
from indexer.corpus.problems import Problem, warning
from indexer.corpus.sources import SourceFile, open_regular, scan

__all__ = ["Document", "FileRead", "FirstWins", "Limits", "Problem", "SourceFile", "clean_text",
           "parse_date", "read_corpus", "read_file", "scan"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits: a page or document (any format but JSONL) is read whole, so it has a
    limit; a JSONL
    collection is streamed and has none, only each record (line) has."""

    max_page: int = 20 * MB
    max_record: int = 20 * MB


class _Unreadable(Exception):
    """The file as a whole cannot be read this time."""


class FileRead:
    """One file's documents, streamed (iterate once), each id once (first wins).

    After iterating, :attr:`unreadable` is why the file could not be read this
    time, or None. ``kept``: documents indexed from it before, which the caller
    keeps if it is unreadable (said in the problem reported).
    """

    def __init__(self, source: SourceFile, problems: list[Problem], limits: Limits | None = None,
                 kept: int = 0):
        self.source, self.problems, self.kept = source, problems, kept
        self.limits = limits or Limits()
        self.unreadable: str | None = None
        self.held: list[str] = []  # ids of records too large this time (JSONL)
        self._fh = None
        self._finished = False

    @property
    def position(self) -> int:
        """Bytes of the file read so far (its size once iterated): how far a reindex is
        through a large JSONL collection, for progress."""
        if self._finished:
            return self.source.size
        try:
            return self._fh.tell() if self._fh is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[Document]:
        try:
            fh = open_regular(self.source.abspath)
        except OSError as exc:
            self._fail(f"cannot read ({exc.strerror or exc})")
            return
        self._fh = fh
        with fh:
            try:
                yield from self._documents(fh)
            except _Unreadable as exc:
                self._fail(str(exc))
            except OSError as exc:
                self._fail(f"cannot read ({exc.strerror or exc})")
            finally:
                self._fh, self._finished = None, True

    def _fail(self, reason: str) -> None:
        self.unreadable = reason
        if self.kept:
            reason += f", skipped; the {self.kept:,} document(s) indexed from it before are kept"
        else:
            reason += ", skipped"
        self.problems.append(Problem(self.source.relpath, reason))

    def _documents(self, fh) -> Iterator[Document]:
        rel, problems = self.source.relpath, self.problems
        jsonl, limit = self.source.suffix == ".jsonl", self.limits.max_page
        if not jsonl and (size := os.fstat(fh.fileno()).st_size) > limit:
            raise _Unreadable(f"file too large ({size:,} bytes > limit of {limit:,},"
                              " see --max-page-size)")
        fmt = formats.format_of(self.source.suffix)
        binary = fmt is not None and fmt.binary  # .pdf, .docx...: bytes for their reader
        head = fh.read(BINARY_HEAD)
        if not binary and looks_binary(head):
            raise _Unreadable("binary file")
        if jsonl:
            fh.seek(0)
            yield from read_records(rel, fh, head, problems, self.limits.max_record,
                                    self.held)
            return
        data = head + fh.read(max(0, limit + 1 - len(head)))
        if len(data) > limit:  # it grew since
            raise _Unreadable(f"file too large (over the limit of {limit:,} bytes,"
                              " see --max-page-size)")
        if not data.strip():
            problems.append(Problem(rel, "empty file, skipped"))
            return
        if binary:
            yield from self._formatted(data, None)
            return
        if legacy := formats.legacy.decode_bytes(data):  # TCVN3 or VNI bytes
            yield from self._formatted(*legacy)
            return
        try:
            text, damaged = decode_counting(data)
        except UnicodeDecodeError:
            raise _Unreadable("not UTF-8, UTF-16 or cp1258 text") from None
        if damaged:
            problems.append(warning(rel, f"{damaged} invalid UTF-8 byte sequence(s) replaced by"
                                         " U+FFFD, file indexed"))
        if "\x00" in text:
            problems.append(warning(rel, f"{text.count(chr(0))} NUL byte(s) removed,"
                                         " file indexed"))
            text = text.replace("\x00", "")
        yield from self._formatted(text, None)

    def _formatted(self, content: bytes | str, encoding: str | None) -> Iterator[Document]:
        """Documents of a file read by :mod:`indexer.corpus.formats`; its notes become problems."""
        rel = self.source.relpath
        try:
            out = formats.read(self.source.suffix, content, rel, encoding=encoding)
        except formats.Unreadable as exc:
            raise _Unreadable(str(exc)) from None
        self.problems.extend(Problem(where, reason) for where, reason in out.skipped)
        self.problems.extend(warning(where, reason) for where, reason in out.warnings)
        for record in out.records:
            yield Document(
                id=record.id or rel, path=rel, title=clean_text(record.title) or Path(rel).stem,
                body=clean_text(record.body), date=record.date, url=record.url,
                author=clean_text(record.author) if record.author else None,
                source=sites.canonical(clean_text(record.source)) if record.source else None,
            ).with_hash()


def read_file(source: SourceFile, problems: list[Problem], limits: Limits | None = None,
              kept: int = 0) -> FileRead:
    """The documents of one file, streamed; problems are appended, never raised."""
    return FileRead(source, problems, limits, kept)


def read_corpus(root: Path, problems: list[Problem] | None = None,
                limits: Limits | None = None) -> Iterator[Document]:
    """Every document of the corpus, each id once (for tests and tools)."""
    problems = [] if problems is None else problems
    ids = FirstWins()
    for source in scan(root, problems):
        for doc in read_file(source, problems, limits):
            if ids.claim(doc.id, source.relpath, problems):
                yield doc
