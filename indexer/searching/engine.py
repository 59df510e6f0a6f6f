"""An open index: searchers over its latest commit, the accent model, a result cache.

Opened lazily (never at import) and shared by a whole process (one per Flask
app). Every library call that reads the index holds one searcher for its whole
duration (:meth:`SearchIndex.reading`), leased from a
:class:`indexer.searching.searchers.SearcherManager`: a searcher over exactly the commit
that was live when the call began, used by that call alone, given back when it
ends. Each call looks at the index folder first (a file read and a listing,
~20 µs), so a reindex, incremental or ``--full``, is seen by the next request,
and a half-built index never is.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.accents.basemodel import Backed, backed
from indexer.accents.model import AccentModel
from indexer.errors import IndexDamagedError, VnsearchError
from indexer.indexing import generations as store
from indexer.searching.lru import LRU
from indexer.searching.searchers import Commit, Lease, SearcherManager
from indexer.searching.synonyms import FILE_NAME, Synonyms
from indexer.searching.synonyms import load as load_synonyms
from indexer.whoosh_ext.damage import raised_in_whoosh


class _Model:
    """A generation's accent model, reloaded when an incremental reindex rewrites it."""

    def __init__(self, generation: Path):
        self.path = generation / store.MODEL
        self.name = generation.name
        self._model: AccentModel | Backed | None = None
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.problem: str | None = None  # why the model could not be read, if it could not

    def get(self) -> AccentModel | Backed:
        return self.state()[0]

    def state(self) -> tuple[AccentModel | Backed, str | None]:
        """The model and why it could not be read (None: it was), read together."""
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._model is None or stamp != self._stamp:
                try:
                    self._model = backed(AccentModel.load(self.path) if stamp
                                         else AccentModel())
                    self.problem = None
                except Exception:  # a damaged model only costs suggestions...
                    self._model = AccentModel()
                    # ...and restoring, which says so (vnsearch restore)
                    self.problem = (f"the accent model {self.path} is damaged and cannot"
                                    " be read; rebuild it with `vnsearch reindex --full`")
                self._stamp = stamp
            return self._model, self.problem


class ResultCache:
    """A small LRU of recent results; keys include the data version, so no stale hits."""

    def __init__(self, size: int = 256):
        self._lru = LRU(size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._lru.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._lru.put(key, value)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()


class SearchIndex:
    """Process-wide handle on an index folder; safe to use from many threads."""

    def __init__(self, index_dir: Path, synonyms: Path | None = None):
        self.index_dir = Path(index_dir)
        self.synonyms_file = Path(synonyms) if synonyms else self.index_dir / FILE_NAME
        self.manager = SearcherManager(self.index_dir)
        self._local = threading.local()
        self._model: _Model | None = None
        self.results_cache = ResultCache()

    @contextmanager
    def reading(self) -> Iterator:
        """Hold one searcher over the latest commit for the duration of the block.

        Nested blocks (and :meth:`searcher`, :meth:`commit`, :meth:`data_version`
        inside one) get the same searcher, so one call sees one commit throughout.
        """
        local = self._local
        lease: Lease | None = getattr(local, "lease", None)
        if lease is not None:
            yield lease.searcher
            return
        lease = local.lease = self.manager.acquire()
        try:
            yield lease.searcher
        finally:
            local.lease = None
            self.manager.release(lease)

    def _lease(self) -> Lease:
        """The lease of the enclosing :meth:`reading` block, or this thread's own.

        Outside a block (scripts, tests, the REPL) a thread keeps one lease until it
        asks again after a reindex; servers and library calls use :meth:`reading`.
        """
        lease = getattr(self._local, "lease", None)
        if lease is not None:
            return lease
        own: Lease | None = getattr(self._local, "own", None)
        latest = self.manager.latest()
        if own is None or own.commit is not latest:
            if own is not None:
                self._local.own = None
                self.manager.release(own)
            own = self._local.own = self.manager.acquire()
        return own

    def searcher(self):
        """The searcher of the current :meth:`reading` block (see :meth:`_lease`)."""
        return self._lease().searcher

    def commit(self) -> Commit:
        """The commit being read (generation folder, TOC generation, document count):
        the enclosing :meth:`reading` block's, else the latest."""
        lease = getattr(self._local, "lease", None)
        return lease.commit if lease is not None else self.manager.latest()

    def data_version(self) -> tuple:
        """Changes whenever search results may change (used as a cache key)."""
        return self.commit().key

    def model(self) -> AccentModel | Backed:
        """The accent model of the commit being read, backed by the shipped base
        model for a small corpus (:mod:`indexer.accents.basemodel`)."""
        return self.model_state()[0]

    def model_state(self) -> tuple[AccentModel | Backed, str | None]:
        """:meth:`model` and why it could not be read (None: it was), from one holder:
        searching goes on without a damaged model, restoring accents cannot."""
        generation = self.commit().generation
        holder = self._model
        if holder is None or holder.name != generation.name:
            holder = self._model = _Model(generation)
        return holder.state()

    def synonyms(self) -> Synonyms:
        """Built-in abbreviations plus the user's file (re-read when it changes)."""
        return load_synonyms(self.synonyms_file)

    def generation(self) -> Path:
        return self.commit().generation

    def close(self) -> None:
        own = getattr(self._local, "own", None)
        if own is not None:
            self._local.own = None
            self.manager.release(own)
        self.manager.close()
        self._model = None


def reads_index(function):
    """Run ``function(index, ...)`` inside ``index.reading()``: one commit per call.

    Damaged data that only fails while being read (inside Whoosh) is raised as
    :class:`IndexDamagedError`, with the remedy, so callers need no traceback sniffing.
    """

    @functools.wraps(function)
    def wrapper(index: SearchIndex, *args, **kwargs):
        try:
            with index.reading():
                return function(index, *args, **kwargs)
        except VnsearchError:
            raise
        except Exception as exc:
            if not raised_in_whoosh(exc):
                raise  # a bug of ours stays a bug
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            raise IndexDamagedError(
                f"cannot read the index in {index.index_dir} ({detail}); it is damaged:"
                " rebuild it with `vnsearch reindex --full`") from exc

    return wrapper


def open_index(index_dir: Path, synonyms: Path | None = None) -> SearchIndex:
    """A lazy handle: nothing is read until the first search.

    ``synonyms``: a synonyms file to use instead of the copy a reindex put next
    to the index (see :mod:`indexer.searching.synonyms`).
    """
    return SearchIndex(Path(index_dir), synonyms)
