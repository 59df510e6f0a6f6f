"""What we remember about a Whoosh reader, kept beside it instead of on it.

Why: field lengths, BM25 norms, facet columns, a segment's cache key and its copy-key
column reader are worked out once per segment reader. They used to be set as attributes
in the reader's ``__dict__`` under ``_vnsearch_*`` names: state of ours on another
library's objects, invisible to its ``close()`` and one attribute clash away from a bug.
Here each reader has a dict of its own in a :class:`~weakref.WeakKeyDictionary`, gone
with the reader; the caches every reader of one segment shares
(:data:`indexer.searching.searchers.SHARED_CACHES`) are put in it by :func:`share`.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

_STATE: WeakKeyDictionary = WeakKeyDictionary()


def state_of(reader) -> dict:
    """The dict of what we keep about ``reader`` (empty at first)."""
    state = _STATE.get(reader)
    if state is None:
        state = _STATE.setdefault(reader, {})  # one dict even if two threads get here
    return state


def cache_of(reader, name: str) -> dict:
    """The cache ``name`` of ``reader`` (a dict, empty at first)."""
    return state_of(reader).setdefault(name, {})


def share(reader, caches: dict[str, dict]) -> None:
    """Give ``reader`` the caches its segment's other readers have (name -> dict)."""
    state_of(reader).update(caches)
