"""Least recently used out first: the one LRU of the package.

Why one: the result cache (a few hundred recent answers) and the posting cache (decoded
lists, weighed by their postings) are the same structure with other weights; each keeps
its own lock and its own rules on top (the posting cache also waits for lists being
decoded by another thread).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable


class LRU:
    """Items bounded by their total weight (``weigh``: 1 each by default); the least
    recently used go first. Not locked: its owner holds a lock around each call."""

    def __init__(self, capacity: int, weigh: Callable[[object], int] = lambda value: 1):
        self.capacity = capacity
        self.held = 0
        self._weigh = weigh
        self._items: OrderedDict = OrderedDict()  # key -> (value, weight)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def get(self, key: Hashable, default=None):
        """The value of ``key``, now the most recently used, or ``default``."""
        found = self._items.get(key)
        if found is None:
            return default
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: Hashable, value, weight: int | None = None) -> None:
        """Keep ``value`` (replacing an older one; ``weight``: if already known), then
        drop the least recently used until the total weight fits the capacity."""
        weight = self._weigh(value) if weight is None else weight
        old = self._items.pop(key, None)
        if old is not None:
            self.held -= old[1]
        self._items[key] = (value, weight)
        self.held += weight
        while self.held > self.capacity and self._items:
            _, (_, dropped) = self._items.popitem(last=False)
            self.held -= dropped

    def clear(self) -> None:
        self._items.clear()
        self.held = 0
