"""Searchers that are exactly the committed index (Lucene's ``SearcherManager``, for Whoosh).

whoosh-reloaded's ``searcher.refresh()`` cannot be trusted: ``FileIndex._reader(reuse=…)``
adds back the segments of the old reader that a merge removed, and reuses a segment's old
reader (segments compare by id only) with the deletion list it had when it was opened. A
server refreshed that way kept deleted documents, showed old and new versions of updated
ones, and held on to the files of merged-away segments until it ran out of descriptors.

So each commit (generation folder + TOC generation) gets its own :class:`Commit`: the TOC
read once, and a pool of searchers, each a fresh Whoosh reader over exactly that TOC's
segments (at 10k documents opening one costs ~0.4 ms: nothing worth sharing a stale
reader for). A request leases one searcher, uses it alone (Whoosh readers are not safe to
share between threads: their files are read with seek-then-read, their column and
per-document readers and our caches are filled lazily) and gives it back. When a newer
commit appears the old one is retired: idle searchers are closed at once, leased ones when
their request ends. So no reader outlives the request that holds it by more than the
commit it reads, and no file handle outlives its segment.

What never changes within a segment (the one-byte field lengths and BM25 norms that
:mod:`indexer.searching.planner` and :mod:`indexer.searching.segmentscore` cache on a segment
reader) is shared by every reader of that segment, so a commit that only touched a small
segment does not make each new searcher recompute them for the big ones. Deletions are
not part of that: each reader takes them from its own commit's TOC. Decoded posting lists
(:mod:`indexer.searching.postcache`) are keyed on folder and segment id, which a segment never
changes, so they stay valid across commits too.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import TOC, FileIndex
from whoosh.searching import Searcher

from indexer.errors import IndexDamagedError, IndexMissingError
from indexer.indexing import generations as store
from indexer.searching.postcache import POSTING_CACHE
from indexer.searching.weights import WEIGHTING
from indexer.whoosh_ext.livestats import LENGTH_SUMS, LiveSearcher
from indexer.whoosh_ext.readers import open_reader, read_toc, segment_leaves, trim_idf_cache
from indexer.whoosh_ext.readerstate import share

TOC_NAME = re.compile(rf"^_{store.INDEX_NAME}_([0-9]+)\.toc$")
# readerstate caches per segment, shared by its readers (one per searcher: a thread each)
SHARED_CACHES = ("lengths", "norms", "np_norms", "columns", LENGTH_SUMS)
MAX_IDLE = 16  # searchers kept open per commit, beyond that closed when given back
MAX_IDF_TERMS = 50_000  # a searcher's idf cache grows with every distinct query term
ATTEMPTS = 5  # a commit superseded while we open it: try the newer one
FAILED_OPEN_TTL = 1.0
"""Seconds a commit that failed to open is answered with the same error without trying
again (a new commit or generation is tried at once)."""


class Commit:
    """One commit of the live generation: its TOC and its pool of searchers."""

    def __init__(self, generation: Path, ix: FileIndex, toc: TOC, shared: dict):
        self.generation = generation
        self.name = generation.name
        self.ix = ix
        self.toc = toc
        self.key = (generation.name, toc.generation)
        self.documents = sum(segment.doc_count() for segment in toc.segments)
        POSTING_CACHE.fit(self.documents)
        self.retired = False
        self.extras: dict = {}  # per-commit values computed once (see indexer.searching.lookups)
        self._shared = shared
        self._idle: list[Searcher] = []
        self._leased = 0

    def open_searcher(self) -> Searcher:
        """A fresh reader over exactly this commit's segments; its BM25 statistics count
        live documents only (:class:`~indexer.whoosh_ext.livestats.LiveSearcher`), from
        the posting lists scoring decodes anyway."""
        reader = open_reader(self.ix, self.toc)
        for leaf, segment_id in segment_leaves(reader):
            share(leaf, self._shared.setdefault((self.name, segment_id),
                                                {name: {} for name in SHARED_CACHES}))
        return LiveSearcher(reader, weighting=WEIGHTING, postings=POSTING_CACHE.get)


@dataclass
class Lease:
    commit: Commit
    searcher: Searcher


class SearcherManager:
    """Hands out searchers over the latest commit of an index folder; thread-safe."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._commit: Commit | None = None
        self._shared: dict = {}
        self._pointer: tuple | None = None  # (stat of CURRENT, the generation it names)
        self._failed: tuple | None = None  # (key, retry after, error type, args) of a failed open
        self.opened = 0  # searchers opened so far (tests and diagnostics)
        self.closed = 0

    # -- leases ----------------------------------------------------------------------
    def acquire(self) -> Lease:
        """A searcher over the latest commit, for this caller alone until :meth:`release`."""
        failure: Exception | None = None
        for attempt in range(ATTEMPTS):
            commit = self.latest()
            with self._lock:
                if commit.retired:  # superseded while we looked
                    continue
                searcher = commit._idle.pop() if commit._idle else None
                commit._leased += 1
            if searcher is not None:
                return Lease(commit, searcher)
            try:
                searcher = commit.open_searcher()
                with self._lock:
                    self.opened += 1
                return Lease(commit, searcher)
            except OSError as exc:  # a newer commit removed its files: look again
                failure = exc
                self._give_back(commit, None)
                time.sleep(0.01 * (attempt + 1))
        raise _cannot_open(self.index_dir, failure)

    def release(self, lease: Lease) -> None:
        trim_idf_cache(lease.searcher, MAX_IDF_TERMS)
        self._give_back(lease.commit, lease.searcher)

    def _give_back(self, commit: Commit, searcher: Searcher | None) -> None:
        with self._lock:
            commit._leased -= 1
            if searcher is None:
                return
            if not commit.retired and len(commit._idle) < MAX_IDLE:
                commit._idle.append(searcher)
                return
            self.closed += 1
        searcher.close()

    # -- commits ---------------------------------------------------------------------
    def latest(self) -> Commit:
        """The commit the index folder holds now (opened if it is new).

        A commit that cannot be opened is not tried again for :data:`FAILED_OPEN_TTL`
        seconds, unless the folder changes meanwhile (a reindex, a new commit): each try
        costs the retries meant for a commit being replaced (~0.15 s on a missing or
        garbage segment), which every request to a damaged index paid.
        """
        current = self._commit
        key = self._probe()
        if current is not None and key == current.key:
            return current
        failed = self._failed
        if failed is not None and failed[0] == key and time.monotonic() < failed[1]:
            raise failed[2](*failed[3])
        try:
            return self._open_latest()
        except IndexMissingError as exc:
            self._failed = (key, time.monotonic() + FAILED_OPEN_TTL, type(exc), exc.args)
            raise

    def _open_latest(self) -> Commit:
        failure: Exception | None = None
        with self._lock:
            for attempt in range(ATTEMPTS):
                generation, toc_generation = key = self._probe()
                current = self._commit
                if current is not None and key == current.key:
                    return current
                try:
                    commit = self._open(generation, toc_generation)
                except OSError as exc:  # superseded while we read it: look again
                    failure = exc
                    time.sleep(0.01 * (attempt + 1))
                    continue
                self._retire(current)
                self._commit = commit
                return commit
        raise _cannot_open(self.index_dir, failure)

    def _probe(self) -> tuple[str, int]:
        """(generation name, TOC generation) of the live commit: a stat and a listing."""
        for _ in range(ATTEMPTS):
            generation = self._pointed()
            if generation is None:
                raise IndexMissingError(
                    f"no index in {self.index_dir}: run `vnsearch reindex` first")
            try:
                names = os.listdir(generation)
            except FileNotFoundError:  # replaced by a --full reindex meanwhile
                self._pointer = None
                continue
            found = [int(m.group(1)) for m in map(TOC_NAME.match, names) if m]
            if not found:
                raise IndexMissingError(f"the index in {self.index_dir} has no table of"
                                        " contents: run `vnsearch reindex --full`")
            return generation.name, max(found)
        raise IndexMissingError(f"the index in {self.index_dir} keeps disappearing:"
                                " run `vnsearch reindex`")

    def _pointed(self) -> Path | None:
        """The generation ``CURRENT`` names, read again only when the file was replaced
        (:func:`indexer.indexing.generations.publish` replaces it: a new inode and time); half
        the cost of a request's look at the folder was reading it."""
        try:
            st = os.stat(self.index_dir / store.CURRENT)
        except OSError:
            return None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        known = self._pointer
        if known is not None and known[0] == stamp:
            return known[1]
        generation = store.current_generation(self.index_dir)
        self._pointer = (stamp, generation)  # read after the stat: a change since shows next time
        return generation

    def _open(self, name: str, toc_generation: int) -> Commit:
        """Open a commit and one searcher over it (which checks every segment opens)."""
        generation = self.index_dir / name
        current = self._commit
        ix = current.ix if current is not None and current.name == name else None
        if ix is None:
            store.check_version(self.index_dir, generation)
            ix = _damage_is_missing(self.index_dir, whoosh_index.open_dir, str(generation),
                                    indexname=store.INDEX_NAME)
        toc = _damage_is_missing(self.index_dir, read_toc, ix, store.INDEX_NAME, toc_generation)
        live = {(name, segment.segment_id()) for segment in toc.segments}
        self._shared = {key: value for key, value in self._shared.items() if key in live}
        commit = Commit(generation, ix, toc, self._shared)
        searcher = _damage_is_missing(self.index_dir, commit.open_searcher)
        self.opened += 1
        commit._idle.append(searcher)
        return commit

    def _retire(self, commit: Commit | None) -> None:
        """Under the lock: no new leases; idle searchers closed now, leased ones on release."""
        if commit is None:
            return
        commit.retired = True
        idle, commit._idle = commit._idle, []
        for searcher in idle:
            searcher.close()
        self.closed += len(idle)

    def close(self) -> None:
        """Retire everything; searchers still leased are closed when given back."""
        with self._lock:
            self._retire(self._commit)
            self._commit = None
            self._shared = {}

    def open_searchers(self) -> int:
        with self._lock:
            return self.opened - self.closed


def _cannot_open(index_dir: Path, failure: Exception | None) -> IndexMissingError:
    """A commit that is there but cannot be opened is damaged, not missing (the web app
    says "build it" for a missing index, "rebuild it" for a damaged one)."""
    cause = type(failure).__name__ if failure else "it kept changing while being opened"
    return (IndexDamagedError if failure else IndexMissingError)(
        f"the index in {index_dir} cannot be opened ({cause}): run `vnsearch reindex --full`")


def _damage_is_missing(index_dir: Path, function, *args, **kwargs):
    """Call ``function``; Whoosh's many exceptions for damaged files become one error.

    OSError passes through: it usually means a newer commit removed a file, and the
    caller looks again.
    """
    try:
        return function(*args, **kwargs)
    except (OSError, IndexMissingError):
        raise
    except Exception as exc:  # whoosh raises many types for damaged files
        raise _cannot_open(index_dir, exc) from exc
