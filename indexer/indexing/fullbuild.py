"""Full rebuilds in one process or several: documents in, segments and accent model out.

With ``procs > 1`` this process only reads the corpus (the caller's iterator)
and deals documents out in numbered batches, batch ``n`` to worker
``n % procs``: the same corpus and ``procs`` always give the same segments.
Each worker analyses its documents once, writes its own segments with a
:class:`~indexer.whoosh_ext.segment_writer.BulkWriter` and counts the accent model too,
because counting needs the same analysis and would otherwise make this
process the bottleneck. This process then commits every worker's segments in
one TOC and merges the counts into the model a single process would have
built: same words with the same ids, same counts (see :func:`merge_counts`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from whoosh import index as whoosh_index

from indexer.accents.model import AccentModel
from indexer.accents.ngrams import MASK, SHIFT, UNK
from indexer.corpus.reader import Document
from indexer.errors import VnsearchError
from indexer.indexing.lifetime import die_with_parent
from indexer.whoosh_ext.segment_writer import BulkWriter, commit_segments

LIMIT_MB = 256
"""Postings gathered in memory (per process) before a segment is written: about
18k documents of 1.2 kB per 128 MB, and a peak RSS about 100 MB above it."""
BATCH = 64
"""Documents per job (at most): large enough that queue traffic is cheap."""
BATCH_CHARS = 128 * 1024
"""Text per job (at most): jobs of long documents stay small."""
QUEUED = 256
"""Jobs waiting per worker (at most 32 MB of text). Jobs are dealt in turn, so
while one worker writes out a segment (seconds), this process keeps reading
and the other workers keep indexing only if their queues can take the jobs
dealt meanwhile; short queues made everyone wait for the slowest flush."""
POLL = 0.5
"""Seconds between checks that the workers are still alive while waiting on them."""

Fields = Callable[[Document], dict]
ModelPart = tuple[list[str], dict[int, int], list[tuple[int, int]], dict]  # + capitals
"""A worker's counting: its words by local id, trigram counts over local ids, and
(batch number, words known after it) for each batch it counted."""


class WorkerError(VnsearchError):
    """A worker process failed; the message says why in one line (no traceback)."""


def feed(add: Callable[..., None], counting, doc: Document, fields: Fields) -> None:
    """One document into the index (``add``: a writer's add or update) and into the
    accent model's counts: the same title and body feed both, in every kind of build."""
    add(**fields(doc))
    counting.add(doc.title)
    counting.add(doc.body)


def build(ix, docs: Iterable[Document], procs: int, fields: Fields) -> AccentModel:
    """Write ``docs`` into the empty index ``ix`` (committed) and return their accent model."""
    with _gc_paused():
        if procs <= 1:
            return _build_here(ix, docs, fields)
        return _build_parallel(ix, docs, procs, fields)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building.

    The postings are millions of small long-lived objects; the collector kept
    re-scanning them (a fifth of the build time) and would find no cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_here(ix, docs: Iterable[Document], fields: Fields) -> AccentModel:
    writer = BulkWriter(ix, limitmb=LIMIT_MB)
    counting = AccentModel.builder()
    try:
        for doc in docs:
            feed(writer.add_document, counting, doc, fields)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return counting.finish()


def _context():
    """``fork`` (cheap, nothing to re-import) unless threads make forking unsafe."""
    if threading.active_count() > 1:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("fork")


def _build_parallel(ix, docs: Iterable[Document], procs: int, fields: Fields) -> AccentModel:
    ctx = _context()
    jobs = [ctx.Queue(QUEUED) for _ in range(procs)]
    results = ctx.Queue()
    folder = ix.storage.folder
    parent = (os.getpid(), ctx.get_start_method() == "fork")
    workers = [ctx.Process(target=_work, daemon=True,
                           args=(i, folder, ix.indexname, jobs[i], results,
                                 LIMIT_MB, fields, parent))
               for i in range(procs)]
    try:
        for worker in workers:  # inside the try: a SIGTERM while starting them kills them too
            worker.start()
        number, batch, chars = 0, [], 0
        for doc in docs:
            batch.append(doc)
            chars += len(doc.body) + len(doc.title)
            if len(batch) == BATCH or chars >= BATCH_CHARS:
                _put(jobs[number % procs], (number, batch), workers, results)
                number, batch, chars = number + 1, [], 0
        if batch:
            _put(jobs[number % procs], (number, batch), workers, results)
        for job in jobs:
            _put(job, None, workers, results)
        outcomes = _collect(results, workers)
        for worker in workers:
            worker.join()
    except BaseException:
        for worker in workers:
            if worker.pid is not None:  # started
                worker.kill()
                worker.join()
        raise
    finally:
        for q in (*jobs, results):
            q.close()
            q.cancel_join_thread()
    commit_segments(ix, [s for i in range(procs) for s in outcomes[i][0]])
    return merge_counts([outcomes[i][1] for i in range(procs)])


def _one_line(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= 300 else text[:297] + "..."


def _work(index: int, folder: str, indexname: str, jobs, results, limitmb: float,
          fields: Fields, parent: tuple[int, bool] | None = None) -> None:
    """Worker process: index and count the batches dealt to it until ``None`` arrives."""
    # A forked worker inherits the parent's SIGTERM handler (which raises to clean up the
    # parent's build); here SIGTERM must simply end the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        die_with_parent(*parent)
    doc_id = None
    try:
        gc.disable()
        ix = whoosh_index.open_dir(folder, indexname=indexname)
        # _lk=False: workers write side by side into a generation nobody else sees
        # until it is published (and the reindex lock keeps other writers out).
        writer = BulkWriter(ix, _lk=False, limitmb=limitmb)
        counting = AccentModel.builder()
        marks: list[tuple[int, int]] = []
        while (job := jobs.get()) is not None:
            number, batch = job
            for doc in batch:
                doc_id = doc.id
                feed(writer.add_document, counting, doc, fields)
            marks.append((number, len(counting.model.words)))
        doc_id = None
        segments = writer.finish_segments()
        results.put((index, None, (segments, (counting.model.words, counting.totals, marks,
                                                  counting.capitals))))
    except BaseException as exc:  # one line for the user; the parent stops the build
        where = f" while indexing {doc_id!r}" if doc_id is not None else ""
        results.put((index, f"{_one_line(exc)}{where}", None))


@contextmanager
def _sigterm_held() -> Iterator[None]:
    """SIGTERM raises in the main thread (``clitools.sigterm_stops``); raised inside a queue
    operation it can leave the queue's lock taken, and closing the queue then waits for ever
    (seen: 1 build in 10). So it waits, blocked, until the operation is over. Threads the
    queue starts meanwhile inherit the block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _get(results):
    with _sigterm_held():
        return results.get(timeout=POLL)


def _put(job_queue, item, workers: list, results) -> None:
    """Queue a job, failing (instead of waiting forever) if a worker has died."""
    while True:
        try:
            with _sigterm_held():
                job_queue.put(item, timeout=POLL)
            return
        except queue.Full:
            _check(workers, results)


def _check(workers: list, results) -> None:
    if all(worker.is_alive() for worker in workers):
        return
    try:
        _, error, _ = _get(results)
    except queue.Empty:
        error = None
    raise _failure(error, workers)


def _failure(error: str | None, workers: list) -> WorkerError:
    if error:
        return WorkerError(f"an indexing worker process failed: {error};"
                           " the live index is unchanged")
    codes = [w.exitcode for w in workers if w.exitcode]
    how = (f"killed by signal {-codes[0]}" if codes[0] < 0 else f"exit code {codes[0]}"
           ) if codes else "no report"
    return WorkerError(f"an indexing worker process died ({how}); the live index is unchanged")


def _collect(results, workers: list) -> dict[int, tuple]:
    """Every worker's (segments, model part), by worker index."""
    outcomes: dict[int, tuple] = {}
    while len(outcomes) < len(workers):
        try:
            index, error, outcome = _get(results)
        except queue.Empty:
            if any(not w.is_alive() for i, w in enumerate(workers) if i not in outcomes):
                # One last look: a worker may have exited right after reporting.
                try:
                    index, error, outcome = _get(results)
                except queue.Empty:
                    raise _failure(None, workers) from None
            else:
                continue
        if error:
            raise _failure(error, workers)
        outcomes[index] = outcome
    return outcomes


def merge_counts(parts: list[ModelPart]) -> AccentModel:
    """The accent model of all batches, as if one process had counted them in order.

    A model numbers words by first appearance. A word first appears (over the
    whole corpus) in the first batch that contains it, where it is also new to
    that batch's worker; so interning every batch's newly seen words, batch
    by batch, reproduces the single-process numbering. Each worker's counts
    are then translated from its own ids to those.
    """
    counting = AccentModel.builder()
    model = counting.model
    spans = []  # (batch number, part, its new words: start, end)
    for part, (_, _, marks, *_) in enumerate(parts):  # a worker dealt no batch has no marks
        start = len(model.words)
        for number, end in marks:
            spans.append((number, part, start, end))
            start = end
    for _, part, start, end in sorted(spans):
        for word in parts[part][0][start:end]:
            model._intern(word)
    totals = counting.totals
    for words, counts, _, *capitals in parts:
        ids = [model.ids.get(word, UNK) for word in words]
        for key, count in counts.items():
            key = ((ids[key >> 2 * SHIFT] << 2 * SHIFT) | (ids[(key >> SHIFT) & MASK] << SHIFT)
                   | ids[key & MASK])
            totals[key] = totals.get(key, 0) + count
        for (kind, i), count in (capitals[0] if capitals else {}).items():
            i = (ids[i[0]], ids[i[1]]) if isinstance(i, tuple) else ids[i]
            counting.capitals[(kind, i)] += count
    return counting.finish()
