"""A process-wide LRU of decoded posting lists (see :class:`PostingCache`)."""

from __future__ import annotations

import os
import threading
from array import array

from indexer.searching.lru import LRU
from indexer.whoosh_ext.codec import read_postings
from indexer.whoosh_ext.readers import storage_folder
from indexer.whoosh_ext.readerstate import state_of

LEAST = 16_000_000
"""The posting cache's default budget, in units of 8 bytes (128 MB), whatever the index."""
PER_DOCUMENT = 75
"""Units of budget per document of the largest index opened (600 MB at 1M documents:
the bench's 60 queries hold 477 MB of lists there, and the server stays under 1.5 GB)."""
MOST = 125_000_000
"""The default budget's ceiling (1 GB); ``VNSEARCH_POSTING_CACHE_MB`` may set more."""


class PostingCache:
    """Decoded posting lists shared by every searcher of the process, least recently
    used out first, bounded by the bytes its lists hold (counted in units of 8; a posting
    takes 5: see ``_size``): 128 MB, or :data:`PER_DOCUMENT` units per document of the
    largest index opened, up to :data:`MOST` (1 GB), unless ``VNSEARCH_POSTING_CACHE_MB``
    says otherwise.

    Frequent syllables (*của*, *người*, *đồng*) appear in query after query;
    decoding their long lists is half of a query's cost. A segment's postings
    never change (deletions are applied at search time), so entries keyed on
    the index folder and segment id stay valid until the segment is merged away.
    """

    def __init__(self, budget: int | None = None):
        self._budget = budget  # None: VNSEARCH_POSTING_CACHE_MB, read when first needed
        self._documents = 0  # of the largest index opened (see fit)
        self._lru = LRU(0, weigh=_size)  # its capacity is set from the budget when used
        self._pending: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    @property
    def budget(self) -> int:
        """Units of 8 bytes held at most. The process-wide cache is made at import, so the
        environment is read on first use: a variable set after ``import indexer`` (a
        test, a server's start-up code) still counts."""
        if self._budget is None:
            megabytes = os.environ.get("VNSEARCH_POSTING_CACHE_MB", "").strip()
            if megabytes.isdigit():
                self._budget = int(megabytes) * 125_000
            else:
                return max(LEAST, min(MOST, PER_DOCUMENT * self._documents))
        return self._budget

    def fit(self, documents: int) -> None:
        """Let the default budget grow with an index of ``documents`` opened in this
        process (never shrink: the cache is shared by every index of the process).

        The lists a set of queries reads grow with the collection: the bench's 60
        queries read 93M postings (477 MB as cached) on a 1M-document index, so a fixed
        128 MB cache was emptied by each pass and every query decoded its lists again
        (warm median 799 ms against 244 ms with a 1 GB cache, FTS5 321 ms)."""
        self._documents = max(self._documents, documents)

    @budget.setter
    def budget(self, value: int) -> None:
        self._budget = value

    def get(self, reader, fieldname: str, btext: bytes, with_values: bool = False):
        """``read_postings(reader, fieldname, btext, with_values)``, from the cache when
        possible.

        A list being decoded by one thread is waited for by the others, instead of
        sixteen concurrent requests decoding the same long list sixteen times.
        """
        if not reader.doc_count_all():  # an index of no segments reads as an EmptyReader
            return array("I"), array("f"), ([] if with_values else None)
        state = state_of(reader)
        segment_key = state.get("segment_key")
        if segment_key is None:
            segment_key = state["segment_key"] = (storage_folder(reader), reader.segment().segid)
        key = (segment_key, fieldname, btext, with_values)
        with self._lock:
            # A list decoded with its positions (for a phrase) serves plain look-ups too.
            for held in (key, (segment_key, fieldname, btext, True)):
                found = self._lru.get(held)
                if found is not None:
                    return found
            pending = self._pending.get(key)
            if pending is None:
                self._pending[key] = threading.Event()
        if pending is not None:
            pending.wait(30)
            with self._lock:
                found = self._lru.get(key)
            if found is None:
                found = read_postings(reader, fieldname, btext, with_values)
            return found
        try:
            found = read_postings(reader, fieldname, btext, with_values)
            self._put(key, found)
        finally:
            with self._lock:
                self._pending.pop(key).set()
        return found

    def _put(self, key: tuple, found) -> None:
        size = _size(found)
        if size * 4 > self.budget:
            return
        with self._lock:
            if key not in self._lru:
                self._lru.capacity = self.budget
                self._lru.put(key, found, size)

    @property
    def _held(self) -> int:
        """Units of 8 bytes held now."""
        return self._lru.held


def _size(found) -> int:
    """A cached list's weight in postings of 8 bytes: its arrays' bytes (4 a docnum and
    1 a weight for most lists) and its values' (packed: see ``read_postings``)."""
    ids, weights, values = found
    size = len(ids) * ids.itemsize + len(weights) * weights.itemsize
    if values is not None:
        size += values.nbytes if hasattr(values, "nbytes") else (
            len(ids) * 41 + sum(map(len, values)))
    return size // 8


POSTING_CACHE = PostingCache()
