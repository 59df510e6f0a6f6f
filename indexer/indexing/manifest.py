"""Which corpus file holds which documents, and what a reindex must therefore write.

The manifest of a generation maps each corpus file to its (mtime, size), its
documents (id -> content hash, first of each id in the file) and its own
problems. One rule decides which copy of a repeated id is indexed
(:class:`~indexer.corpus.jsonl.FirstWins`: path order, then line order), for full and
incremental reindexes alike, and the losers are reported on every run.

A file that cannot be read this time keeps its previous entry, so its
documents stay indexed: a skip never deletes.

How it is stored (a :mod:`marshal` base and a log of changed entries, so that an
incremental reindex does not rewrite 50 MB for one file) is
:mod:`indexer.indexing.manifestfile`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from indexer.corpus.reader import (
    Document,
    FileRead,
    FirstWins,
    Limits,
    Problem,
    SourceFile,
    read_file,
)
from indexer.indexing.manifestfile import read_manifest, write_manifest
from indexer.indexing.unreachable import keep_unreachable

__all__ = ["read_manifest", "write_manifest", "Owners", "Plan", "full_documents",
           "plan_incremental", "unlisted"]

PROGRESS_EVERY = 256
"""Documents between two progress calls within one file (a JSONL collection can be the
whole corpus: a call per file said nothing until it was read)."""


class Progress(Protocol):
    """``progress(bytes_done, bytes_total, files=..., documents=...)``: called after each
    file and every :data:`PROGRESS_EVERY` documents within one; ``files`` and
    ``documents`` count those gone through so far (an incremental reindex counts the
    documents of unchanged files without reading them)."""

    def __call__(self, done: int, total: int, *, files: int, documents: int) -> None: ...


class _Tracker:
    """Counts for :class:`Progress`, and when to call it."""

    def __init__(self, files: list[SourceFile], progress: Progress | None):
        self.progress, self.total = progress, sum(f.size for f in files) or 1
        self.done = self.files = self.documents = 0

    def document(self, reading: FileRead) -> None:
        self.documents += 1
        if self.progress and self.documents % PROGRESS_EVERY == 0:
            within = min(reading.position, reading.source.size)
            self.progress(self.done + within, self.total, files=self.files,
                          documents=self.documents)

    def file(self, source: SourceFile, documents: int = 0) -> None:
        self.done += source.size
        self.files += 1
        self.documents += documents
        if self.progress:
            self.progress(self.done, self.total, files=self.files, documents=self.documents)


def entry(source: SourceFile, docs: dict[str, str], problems: list[Problem],
          unreadable: bool) -> dict:
    """A file as the manifest describes it; its problems are stored so that an unchanged
    file is reported again without being re-read. An unreadable file is tried again on
    every run (the limit or its permissions may have changed without touching it)."""
    described = {"mtime_ns": source.mtime_ns, "size": source.size, "docs": docs,
                 "problems": [p.to_list() for p in problems]}
    if unreadable:
        described["unread"] = True
    return described


class Owners:
    """Which file wins each id (:class:`FirstWins`), and the content hash it has there.

    Built with a dict update per file (C loops, ~0.1 s per million ids) rather than a
    :class:`FirstWins` claim per id: the files are applied last to first, so the first
    file holding an id writes it last. Only when some id is in several files are the
    files gone through again, id by id, to report the losers as a claim would.
    """

    def __init__(self, files: dict[str, dict], problems: list[Problem] | None):
        self.files, self.rel = files, {}
        rel, total = self.rel, 0
        for path in sorted(files, reverse=True):
            docs = files[path]["docs"]
            rel.update(dict.fromkeys(docs, path))
            total += len(docs)
        self.duplicated = total != len(rel)  # some id is in several files
        if problems is not None and self.duplicated:
            self._report(problems)

    def _report(self, problems: list[Problem]) -> None:
        ids = FirstWins()
        for path in sorted(self.files):
            for doc_id in self.files[path]["docs"]:
                ids.claim(doc_id, path, problems)

    def updated(self, files: dict[str, dict], changed: list[str],
                problems: list[Problem]) -> Owners:
        """The owners of ``files``, which differ from this one's files only at the paths
        ``changed`` (changed, new or gone): this map copied and the ids of those files
        moved, unless an id was in several files before (then built afresh). Why: at a
        million documents a fresh map took 0.3 s; one changed file's ids take nothing."""
        if self.duplicated:
            return Owners(files, problems)
        new = Owners({}, None)
        new.files, rel = files, self.rel.copy()
        new.rel = rel
        for path in changed:  # no id was in two files: each of these was its file's
            for doc_id in self.files.get(path, {}).get("docs", ()):
                del rel[doc_id]
        for path in sorted(changed):
            for doc_id in files.get(path, {}).get("docs", ()):
                holder = rel.get(doc_id)
                if holder is None or path < holder:
                    rel[doc_id] = path
        new.duplicated = sum(len(entry["docs"]) for entry in files.values()) != len(rel)
        if new.duplicated:
            new._report(problems)
        return new

    def __len__(self) -> int:
        return len(self.rel)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.rel

    def get(self, doc_id: str) -> tuple[str, str] | None:
        """(hash, relpath) of the winning copy of ``doc_id``, None if no file has it."""
        path = self.rel.get(doc_id)
        return None if path is None else (self.files[path]["docs"][doc_id], path)

    def in_order(self, ids: set[str]) -> list[str]:
        """Those of ``ids`` that have an owner, in path order then file order (the order
        a full pass over the files gives them)."""
        rel = self.rel
        paths = {rel[i] for i in ids if i in rel}
        return [doc_id for path in sorted(paths) for doc_id in self.files[path]["docs"]
                if doc_id in ids and rel[doc_id] == path]


def full_documents(files: list[SourceFile], entries: dict[str, dict], problems: list[Problem],
                   limits: Limits | None, progress: Progress | None) -> Iterator[Document]:
    """Every document to index, streamed in path order, each id once; ``entries`` is
    filled as files are finished."""
    tracker = _Tracker(files, progress)
    ids = FirstWins()
    for source in files:
        own: list[Problem] = []
        duplicates: list[Problem] = []
        reading = read_file(source, own, limits)
        docs: dict[str, str] = {}
        for doc in reading:
            docs[doc.id] = doc.content_hash
            if ids.claim(doc.id, source.relpath, duplicates):
                yield doc
                tracker.document(reading)
        entries[source.relpath] = entry(source, docs, own, bool(reading.unreadable))
        problems += own + duplicates
        tracker.file(source)


@dataclass
class Plan:
    """What an incremental reindex writes, deletes and records."""

    entries: dict[str, dict] = field(default_factory=dict)
    writes: list[Document] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # ids written that were indexed before
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    documents: int = 0


def plan_incremental(files: list[SourceFile], old_files: dict[str, dict],
                     problems: list[Problem], limits: Limits | None,
                     progress: Progress | None, unreachable: list[str] = ()) -> Plan:
    """Compare the corpus with the manifest: only changed files are read, and only the
    documents whose hash changed are kept in memory. Files under ``unreachable``
    folders (there, but unreadable: :func:`indexer.corpus.sources.scan`) keep their
    entries, as an unreadable file does: a skip never deletes."""
    indexed = Owners(old_files, None)
    plan = Plan()
    entries = plan.entries
    keep_unreachable(old_files, entries, unreachable, problems)
    parsed: dict[str, dict[str, Document]] = {}  # of the files read: documents to write
    tracker = _Tracker(files, progress)
    for source in files:
        rel, old = source.relpath, old_files.get(source.relpath)
        if (old and not old.get("unread") and old["mtime_ns"] == source.mtime_ns
                and old["size"] == source.size):
            entries[rel] = old
            problems += [Problem.from_list(p) for p in old.get("problems", [])]
            tracker.file(source, len(old["docs"]))
        else:
            kept = sum(1 for i in old["docs"] if indexed.rel.get(i) == rel) if old else 0
            own: list[Problem] = []
            reading = read_file(source, own, limits, kept)
            docs: dict[str, str] = {}
            changed: dict[str, Document] = {}
            for doc in reading:
                docs[doc.id] = doc.content_hash
                if (indexed.get(doc.id) or ("", ""))[0] != doc.content_hash:
                    changed[doc.id] = doc
                tracker.document(reading)
            for doc_id in reading.held:  # a record too large now keeps its indexed version
                before = indexed.get(doc_id)
                if before and before[1] == rel and doc_id not in docs:
                    docs[doc_id] = before[0]
            problems += own
            if reading.unreadable and old:  # never delete on a skip: keep what was indexed
                entries[rel] = {**old, "problems": [p.to_list() for p in own], "unread": True}
            else:
                entries[rel] = entry(source, docs, own, bool(reading.unreadable))
                parsed[rel] = changed
            tracker.file(source)
    # Only the ids of files whose entry changed (read, new or gone) can change owner or
    # hash: every other id is unchanged, and is never looked at (one changed file of a
    # million documents costs the ids of that file, not a pass over all of them).
    changed = [rel for rel in sorted(entries.keys() | old_files.keys())
               if entries.get(rel) is not old_files.get(rel)]
    wanted = indexed.updated(entries, changed, problems)
    touched: set[str] = set()
    for rel in changed:
        touched.update(entries.get(rel, {}).get("docs", ()))
        touched.update(old_files.get(rel, {}).get("docs", ()))
    now = [(doc_id, *wanted.get(doc_id)) for doc_id in wanted.in_order(touched)]

    missing: dict[str, set[str]] = {}  # ownership moved to a file not read: read it now
    for doc_id, digest, rel in now:
        before = indexed.get(doc_id)
        if not (before and before[0] == digest) and doc_id not in parsed.get(rel, {}):
            missing.setdefault(rel, set()).add(doc_id)
    by_rel = {f.relpath: f for f in files}
    for rel, needed in missing.items():
        found = parsed.setdefault(rel, {})
        source = by_rel.get(rel)  # None: in a folder unreadable now (kept as indexed)
        if source is not None:
            found.update((d.id, d) for d in read_file(source, [], limits) if d.id in needed)
        if lost := needed - found.keys():  # unreadable now: stays as indexed, rewritten later
            entries[rel] = {**entries[rel], "unread": True,
                            "docs": {**entries[rel]["docs"], **dict.fromkeys(lost, "")}}

    plan.unchanged = len(wanted) - len(now)
    for doc_id, digest, rel in now:
        before = indexed.get(doc_id)
        if before and before[0] == digest:
            plan.unchanged += 1
        elif (doc := parsed[rel].get(doc_id)) is not None:
            plan.writes.append(doc)
            if before:
                plan.updated += 1
                plan.replaced.append(doc_id)
            else:
                plan.added += 1
    plan.deletes = [doc_id for doc_id in indexed.in_order(touched) if doc_id not in wanted]
    plan.documents = len(wanted)
    return plan


def unlisted(indexed: Iterable[str], entries: dict[str, dict]) -> list[str]:
    """Those of the ``indexed`` ids that no file of ``entries`` lists.

    Why: a reindex stopped between its index commit and its manifest leaves documents
    of files the manifest never heard of; if such a file is then deleted, no later
    plan would delete them (the plan only deletes what the manifest lists).
    """
    listed: set[str] = set()
    for described in entries.values():
        listed.update(described["docs"])
    return [doc_id for doc_id in indexed if doc_id not in listed]
