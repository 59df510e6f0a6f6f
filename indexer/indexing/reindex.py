"""Full and incremental reindex: the only code that writes an index.

Incremental reindex compares the corpus with the manifest of the live
generation (:mod:`indexer.indexing.manifest`): files whose (mtime, size) are unchanged
are not even read, changed files are parsed and their records compared by
content hash, so only added, changed and vanished documents touch the index; a
file that cannot be read this time keeps its documents. Every write is an
``update_document`` keyed on the id, which makes a rerun after a crash
converge instead of duplicating. Then :mod:`indexer.indexing.compaction` merges.

A full reindex builds a new generation beside the live one and publishes it
atomically (:func:`indexer.indexing.generations.publish`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.corpus import formats
from indexer.corpus.reader import Document, Limits, Problem, scan
from indexer.errors import CorpusMissingError, IndexMissingError
from indexer.indexing import compaction
from indexer.indexing import fullbuild as bulkbuild
from indexer.indexing import generations as store
from indexer.indexing import manifest as manifests
from indexer.indexing.census import Census, count_segments
from indexer.indexing.livemodel import load_model, uncount
from indexer.indexing.lock import ReindexLock
from indexer.indexing.manifest import Progress, full_documents, plan_incremental, unlisted
from indexer.indexing.schema import SCHEMA_VERSION, build_schema
from indexer.searching import synonyms
from indexer.searching.duplicates import copy_key
from indexer.whoosh_ext.codec import open_writer

MAX_REPORTED_PROBLEMS = 200
"""Skipped files kept in meta.json for the status page (a corpus of bad files stays small)."""


@dataclass
class ReindexReport:
    """What a reindex did, for the CLI to print and tests to check."""

    mode: str = "incremental"
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    documents: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    index_bytes: int = 0
    merges: int = 0  # segment merges after an incremental commit (indexing.compaction)
    purged: int = 0  # deleted documents those merges removed from disk
    started: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    @property
    def skipped(self) -> list[Problem]:
        """Files and records left out (what ``--strict`` fails on)."""
        return [p for p in self.problems if p.skipped]

    @property
    def warnings(self) -> list[Problem]:
        """Files and records indexed, but changed on the way in."""
        return [p for p in self.problems if not p.skipped]

    def summary(self) -> dict:
        return {
            "mode": self.mode, "added": self.added, "updated": self.updated,
            "deleted": self.deleted, "unchanged": self.unchanged,
            "skipped": len(self.skipped), "warned": len(self.warnings),
            "documents": self.documents, "seconds": round(self.seconds, 3),
            "index_bytes": self.index_bytes, "merges": self.merges, "purged": self.purged,
        }


def _fields(doc: Document) -> dict:
    """Whoosh field values; the analysed fields get raw text (see schema formats)."""
    values = {
        "id": doc.id, "path": doc.path, "content_hash": doc.content_hash,
        "title": doc.title, "body": doc.body, "title_c": doc.title.encode("utf-8"),
        "title_f": doc.title, "all_f": (doc.title, doc.body, doc.author or ""),
        "title_a": doc.title, "accents": (doc.title, doc.body), "pairs": (doc.title, doc.body),
        "lead": doc.body,  # the field indexes the body's lead (DocumentTerms.lead)
    }
    key = copy_key(doc.title, doc.body)
    if key:
        values["copy_key"] = key
    for name in ("url", "author"):
        if getattr(doc, name):
            values[name] = getattr(doc, name)
    if doc.source:
        values["source"] = doc.source
        values["source_f"] = doc.source
    if doc.date:
        values["date"] = doc.date
    return values


def reindex(corpus_dir: Path, index_dir: Path, *, full: bool = False, procs: int = 1,
            progress: Progress | None = None, limits: Limits | None = None) -> ReindexReport:
    """Bring the index in ``index_dir`` up to date with ``corpus_dir``.

    ``limits``: size limits of pages and records (:class:`~indexer.corpus.reader.Limits`).
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise CorpusMissingError(f"corpus folder not found: {corpus_dir}")
    started = time.perf_counter()
    with ReindexLock(index_dir) as lock:
        report = ReindexReport(started=started)
        if lock.stale_cleared:
            report.notes.append(lock.stale_cleared)
        recovered = store.recover_current(index_dir)
        if recovered:
            report.notes.append(f"CURRENT was missing or damaged: {recovered.name} made"
                                " live again")
        removed = store.remove_leftovers(index_dir)
        if removed:
            report.notes.append("removed leftovers of an interrupted reindex: "
                                + ", ".join(removed))
        generation = store.current_generation(index_dir)
        meta = store.read_json(generation / store.META, {}) if generation else {}
        manifest = manifests.read_manifest(generation) if generation else None
        readers_changed = bool(generation and meta.get("readers_version", 1)
                               != formats.READERS_VERSION)
        if (not full and generation and meta.get("schema_version") == SCHEMA_VERSION
                and manifest and not readers_changed):
            try:
                _incremental(corpus_dir, generation, manifest, meta, report, progress, limits)
            except IndexMissingError as exc:
                report.notes.append(f"{exc}; rebuilding from scratch")
                full = True
        else:
            if generation and not full:
                report.notes.append(
                    "the file readers changed since the last reindex (unchanged files would"
                    " keep their old fields); rebuilding from scratch" if readers_changed
                    else "index missing parts or built by another version;"
                    " rebuilding from scratch")
            full = True
        if full:
            report = _full(corpus_dir, index_dir, procs, report, progress, limits)
        synonyms.install(corpus_dir, index_dir)
        report.seconds = time.perf_counter() - started  # index_bytes: at the commit
        return report


def _full(corpus_dir: Path, index_dir: Path, procs: int, previous: ReindexReport,
          progress: Progress | None, limits: Limits | None) -> ReindexReport:
    report = ReindexReport(mode="full", notes=previous.notes, started=previous.started)
    files = scan(corpus_dir, report.problems, skip=index_dir)
    generation = store.new_generation(index_dir)
    try:
        ix = whoosh_index.create_in(str(generation), build_schema(), indexname=store.INDEX_NAME)
        entries: dict[str, dict] = {}
        # Bulk writers (see indexer/indexing/fullbuild.py): with procs > 1, worker
        # processes analyse, index and count while this one reads the corpus.
        census = Census()
        docs = full_documents(files, entries, report.problems, limits, progress)
        model = bulkbuild.build(ix, census.counting(_counted(docs, report)), procs, _fields)
        report.documents = report.added
        model.save(generation / store.MODEL)
        _write_side_files(generation, ix, entries, report, census)
        ix.close()
        store.publish(index_dir, generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    return report


def _counted(docs: Iterator[Document], report: ReindexReport) -> Iterator[Document]:
    for doc in docs:
        report.added += 1
        yield doc


def _write_side_files(generation: Path, ix, entries: dict, report: ReindexReport,
                      census: Census | None, base: set[str] | None = None,
                      previous: dict[str, dict] | None = None) -> None:
    """The manifest, then meta.json: what the commit holds (the census, recounted from
    the segments if it was not kept or does not add up), its size, its base segments
    (:mod:`indexer.indexing.compaction`; None: all of them, a full build) and this report."""
    if base is None:
        base = {s.id for s in compaction.sizes(ix)}
    manifests.write_manifest(generation, entries, previous)
    with ix.reader() as reader:
        live = reader.doc_count()
        if census is None or census.documents != live:
            census = count_segments(reader)
        elif census.dates_stale:
            census = count_segments(reader, dates_only=census)
    report.index_bytes = store.generation_size(generation)
    report.seconds = time.perf_counter() - report.started
    store.write_json(generation / store.META, {
        "schema_version": SCHEMA_VERSION,
        "readers_version": formats.READERS_VERSION,
        "whoosh_generation": ix.latest_generation(),
        "last_reindex": datetime.now(UTC).isoformat(timespec="seconds"),
        # the status page lists what was skipped and why (capped: a corpus of bad files)
        "last_report": {
            **report.summary(),
            "problems": [[p.path, p.reason] for p in report.skipped[:MAX_REPORTED_PROBLEMS]],
            "warnings": [[p.path, p.reason] for p in report.warnings[:MAX_REPORTED_PROBLEMS]]},
        "census": census.to_json(),
        "index_bytes": report.index_bytes,
        compaction.BASE_KEY: sorted(base),
    })


def _incremental(corpus_dir: Path, generation: Path, manifest: dict, meta: dict,
                 report: ReindexReport, progress: Progress | None,
                 limits: Limits | None) -> None:
    unreachable: list[str] = []
    files = scan(corpus_dir, report.problems, unreachable, skip=generation.parent)
    plan = plan_incremental(files, manifest.get("files", {}), report.problems, limits, progress,
                            unreachable)
    entries, writes, deletes = plan.entries, plan.writes, plan.deletes
    report.added, report.updated, report.unchanged = plan.added, plan.updated, plan.unchanged
    report.deleted, report.documents = len(deletes), plan.documents

    try:
        ix = whoosh_index.open_dir(str(generation), indexname=store.INDEX_NAME)
        ix.reader().close()  # a damaged segment fails here, not halfway through
    except Exception as exc:
        raise IndexMissingError(
            f"the live index cannot be opened ({type(exc).__name__})") from exc
    try:
        model = load_model(generation, ix, meta, report.notes)
        census = _previous_census(ix, meta)
        replaced = plan.replaced
        if meta.get("whoosh_generation") != ix.latest_generation():  # side files behind
            deletes = deletes + _unlisted_live(ix, entries)
            report.deleted = len(deletes)
            # A run stopped after its commit left documents this plan adds again: the
            # model rebuilt from the index counts them, so they are uncounted first.
            listed = set(replaced)
            replaced = replaced + [doc.id for doc in writes if doc.id not in listed]
        if writes or deletes:
            with ix.searcher() as searcher:
                for doc_id in deletes + replaced:
                    stored = searcher.document(id=doc_id)
                    if stored:
                        uncount(model, stored)
                        if census is not None:
                            census.remove(stored.get("source"), stored.get("date"))
            writer = open_writer(ix, limitmb=128)
            try:
                for doc_id in deletes:
                    writer.delete_by_term("id", doc_id)
                for doc in writes:
                    bulkbuild.feed(writer.update_document, model, doc, _fields)
                    if census is not None:
                        census.add(doc.source, doc.date)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=False)  # merging is compaction's, below
            model.save(generation / store.MODEL)
        base = compaction.base_segments(ix, meta)
        _write_side_files(generation, ix, entries, report, census, base,
                          manifest.get("files"))
        before = ix.latest_generation()
        compacted = compaction.compact(ix, base)
        if compacted.merges:
            report.merges, report.purged = compacted.merges, compacted.purged
            report.index_bytes = compaction.refresh_meta(
                generation, ix, before, compacted.base, {
                    "merges": report.merges, "purged": report.purged,
                    "seconds": round(time.perf_counter() - report.started, 3)})
    finally:
        ix.close()


def _unlisted_live(ix, entries: dict) -> list[str]:
    """Live documents no manifest entry lists (see :func:`manifests.unlisted`)."""
    with ix.searcher() as searcher:
        ids = (term.decode("utf-8") for term in searcher.reader().lexicon("id"))
        return [doc_id for doc_id in unlisted(ids, entries)
                if searcher.document_number(id=doc_id) is not None]


def _previous_census(ix, meta: dict) -> Census | None:
    """The census of the commit this run starts from, if meta.json was written for it."""
    if meta.get("whoosh_generation") != ix.latest_generation():
        return None
    return Census.from_json(meta.get("census"))
