"""An open index: the live generation, per-thread searchers, the accent model.

Opened lazily (never at import) and shared by a whole process (one per Flask
app). Each thread gets its own Whoosh searcher, because a searcher's readers
are not safe to share between threads; it is refreshed when a reindex has
committed (incremental) or published a new generation (``--full``), checked at
most every ``check_interval`` seconds, so a running server sees new documents
without a restart and never reads a half-built index.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path

from . import store
from .errors import IndexMissingError
from .ranking import WEIGHTING
from .suggest import AccentModel


class _Live:
    """One opened generation: Whoosh index + accent model."""

    def __init__(self, index_dir: Path):
        self.generation, self.ix = store.open_generation(index_dir)
        self.name = self.generation.name
        self._model: AccentModel | None = None
        self._model_stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def model(self) -> AccentModel:
        path = self.generation / store.MODEL
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._model is None or stamp != self._model_stamp:
                try:
                    self._model = AccentModel.load(path) if stamp else AccentModel()
                except Exception:  # a damaged model only costs suggestions
                    self._model = AccentModel()
                self._model_stamp = stamp
            return self._model


class ResultCache:
    """A small LRU of recent results; keys include the data version, so no stale hits."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class SearchIndex:
    """Process-wide handle on an index folder; safe to use from many threads."""

    def __init__(self, index_dir: Path, check_interval: float = 0.5):
        self.index_dir = Path(index_dir)
        self.check_interval = check_interval
        self._live: _Live | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._checked = 0.0
        self.results_cache = ResultCache()

    def _current(self) -> _Live:
        now = time.monotonic()
        live = self._live
        if live is not None and now - self._checked < self.check_interval:
            return live
        with self._lock:
            self._checked = now
            generation = store.current_generation(self.index_dir)
            if generation is None:
                self._live = None
                raise IndexMissingError(
                    f"no index in {self.index_dir}: run `vnsearch reindex` first")
            if self._live is None or self._live.name != generation.name:
                self._live = _Live(self.index_dir)
            return self._live

    def searcher(self):
        """This thread's searcher, refreshed if the index changed since its last use."""
        live = self._current()
        local = self._local
        searcher = getattr(local, "searcher", None)
        now = time.monotonic()
        if searcher is None or local.name != live.name:
            if searcher is not None:
                searcher.close()
            searcher = live.ix.searcher(weighting=WEIGHTING)
            local.name, local.checked = live.name, now
        elif now - local.checked >= self.check_interval:
            # Checked on a clock, not after idleness: a thread kept busy by a
            # steady load must still see an incremental commit.
            searcher = searcher.refresh()
            local.checked = now
        local.searcher = searcher
        return searcher

    def data_version(self) -> tuple:
        """Changes whenever search results may change (used as a cache key)."""
        searcher = self.searcher()
        return (self._live.name if self._live else None, searcher.reader().generation())

    def model(self) -> AccentModel:
        return self._current().model()

    def generation(self) -> Path:
        return self._current().generation

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        self._live = None


def open_index(index_dir: Path) -> SearchIndex:
    """A lazy handle: nothing is read until the first search."""
    return SearchIndex(Path(index_dir))
