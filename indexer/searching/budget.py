"""A time budget per query: when its work must stop, checked at coarse points.

A query of many phrases or prefixes of common syllables can cost seconds of
CPU; a server thread that runs it is lost to everyone else for that long, and
waitress cannot tell when the client has gone, so an abandoned request would
run on. The budget bounds every request instead: search, highlighting and date
sorting look at a :class:`Deadline` between units of work (a posting list, a
segment, a few hundred phrase candidates, a hit) and, once it has passed, stop
and answer with the best results found so far, flagged ``timed_out``.

What "stop" may mean is decided where the work is done, so that what is shown
stays true: a document listed always matches the query; only totals and the
order may be incomplete (see :mod:`indexer.searching.topdocs`).

The default is 2 s (``VNSEARCH_QUERY_BUDGET_MS``; 0 means no limit).

A budget alone does not keep a server responsive: four such requests on four
threads would still hold every thread for the whole budget, and a cheap query
would queue behind them. The process-wide :data:`GATE` therefore ranks
queries by the CPU they have used: a query is *light* until it has used
``LIGHT_CPU_S`` of its thread's CPU, then *heavy*. At most ``slots`` heavy
queries run at once (a server sets ``threads - 1``, see
:func:`limit_heavy_queries`), so a thread is always free for light ones
within ``LIGHT_CPU_S``; a query that would become heavy with every slot taken
stops there, with what it found (``busy``). And a heavy query, at each check,
waits while light queries are running: with the GIL, one process runs one
thread at a time, and this is how the cheap one gets it.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Iterator

DEFAULT_BUDGET_MS = 2000
BUDGET_ENV = "VNSEARCH_QUERY_BUDGET_MS"
SEARCH_SHARE = 0.75
"""Share of the budget for finding and ranking; the rest is kept for snippets and
for the step under way when it ends (a posting list being decoded cannot be cut:
with four long queries sharing one core, that took up to 0.6 s at 100k documents)."""
LIGHT_CPU_S = 0.05
"""CPU seconds a query may use before it counts as heavy (a common query at 100k
documents uses 5-40 ms)."""
HEAVY_POSTINGS = 1_000_000
"""A query whose posting lists add up to more than this (phrase words count four
times: their positions are read) is heavy from the start. At 100k documents the
benchmark's common queries read up to ~1M, the hostile ones 1.3M-9M."""
YIELD_S = 0.1
"""Longest a heavy query waits for light ones at one check."""


def default_budget() -> float | None:
    """The budget in seconds from ``VNSEARCH_QUERY_BUDGET_MS`` (read on every call, so a
    test or an operator can change it), else 2 s; None for no limit (0 or negative)."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    try:
        millis = float(raw) if raw else DEFAULT_BUDGET_MS
    except ValueError:
        millis = DEFAULT_BUDGET_MS
    return seconds_or_none(millis / 1000)


def seconds_or_none(seconds: float | None) -> float | None:
    """A budget as given by a caller: None, 0, a negative number or NaN mean no limit."""
    if seconds is None or not seconds > 0 or math.isinf(seconds):
        return None
    return float(seconds)


class Gate:
    """Admission and priority of heavy queries in this process (see the module doc)."""

    def __init__(self, slots: int | None = None, light_cpu: float = LIGHT_CPU_S,
                 heavy_postings: int = HEAVY_POSTINGS):
        self.slots = slots  # heavy queries at once; None: no limit
        self.light_cpu = light_cpu
        self.heavy_postings = heavy_postings
        self._lock = threading.Lock()
        self._light = 0
        self._heavy = 0
        self._no_light = threading.Event()
        self._no_light.set()

    def ticket(self) -> Ticket:
        return Ticket(self)

    def counts(self) -> tuple[int, int]:
        """(light, heavy) queries running now."""
        return self._light, self._heavy


class Ticket:
    """One query's place at the :class:`Gate`, for a ``with`` block in the query's thread."""

    def __init__(self, gate: Gate):
        self.gate = gate
        self.heavy = False
        self.busy = False  # stopped because every heavy slot was taken
        self._cpu0 = 0.0
        self._wall0 = 0.0

    def __enter__(self) -> Ticket:
        gate = self.gate
        self._cpu0 = time.thread_time()
        self._wall0 = time.monotonic()
        with gate._lock:
            gate._light += 1
            gate._no_light.clear()
        return self

    def __exit__(self, *exc) -> None:
        gate = self.gate
        with gate._lock:
            if self.heavy:
                gate._heavy -= 1
            else:
                self._leave_light()

    def _leave_light(self) -> None:
        gate = self.gate
        gate._light -= 1
        if not gate._light:
            gate._no_light.set()

    def expect(self, postings: int) -> None:
        """The query's estimated size: a heavy one takes its slot now, or, with none
        free, stops before any work (then a thread is free again at once)."""
        if postings > self.gate.heavy_postings and not self.heavy:
            self._promote()

    def _promote(self) -> bool:
        """Count as heavy if a slot is free (True); else mark busy."""
        gate = self.gate
        with gate._lock:
            if gate.slots is not None and gate._heavy >= gate.slots:
                self.busy = True
                return False
            gate._heavy += 1
            self._leave_light()
            self.heavy = True
            return True

    def must_stop(self, deadline: Deadline) -> bool:
        """At a check: become heavy if due (True: no slot, stop), then let light queries
        run first (waiting at most until ``deadline``)."""
        gate = self.gate
        if self.busy:
            return True
        if not self.heavy:
            # A thread's CPU time never runs ahead of the wall clock, and reading the
            # clock is a vDSO call where thread_time() is a system call (3.5 us here,
            # and a chance to lose the CPU on a loaded machine): ask for the CPU time
            # only once the query has been running for light_cpu of wall time.
            if time.monotonic() - self._wall0 < gate.light_cpu:
                return False
            if time.thread_time() - self._cpu0 < gate.light_cpu:
                return False
            if not self._promote():
                return True
        if gate._light:  # bounded wait: a light query may be waiting for this one's work
            remaining = deadline.remaining()
            gate._no_light.wait(YIELD_S if remaining is None else min(remaining, YIELD_S))
        return False


GATE = Gate()
"""The gate of this process's queries."""


_local = threading.local()


@contextlib.contextmanager
def query_scope() -> Iterator[Ticket]:
    """This thread's place at the gate for the enclosed work: a new ticket, or the one an
    enclosing scope holds. A web request wraps all its handling in one, so that heavy
    searches of other threads wait while it runs light (parsing, rendering included)."""
    ticket = getattr(_local, "ticket", None)
    if ticket is not None:
        yield ticket
        return
    with GATE.ticket() as ticket:
        _local.ticket = ticket
        try:
            yield ticket
        finally:
            _local.ticket = None


def limit_heavy_queries(slots: int | None) -> None:
    """Let at most ``slots`` heavy queries run at once in this process (None: any number).

    A server with ``T`` request threads sets ``T - 1``: one thread then never waits
    for a heavy query to end.
    """
    GATE.slots = None if slots is None else max(1, int(slots))


class Deadline:
    """The moment a query's work must stop (``None``: never).

    ``expired()`` is cheap (a clock read) and sticky: once it has said True it
    keeps saying so, and ``hit`` records that some work was cut short. With a
    :class:`Ticket`, each call is also a check at the gate (where a heavy query
    waits for light ones): call it every few milliseconds of work, even where
    the answer cannot be acted on.
    """

    __slots__ = ("end", "hit", "ticket")

    def __init__(self, end: float | None, ticket: Ticket | None = None):
        self.end = end
        self.hit = False
        self.ticket = ticket

    @classmethod
    def after(cls, seconds: float | None, ticket: Ticket | None = None) -> Deadline:
        return cls(None if seconds is None else time.monotonic() + seconds, ticket)

    def expired(self) -> bool:
        if self.hit:
            return True
        if self.ticket is not None and self.ticket.must_stop(self):
            self.hit = True
        elif self.end is not None and time.monotonic() >= self.end:
            self.hit = True
        return self.hit

    def remaining(self) -> float | None:
        """Seconds left (None without a limit, 0 once passed)."""
        if self.end is None:
            return None
        return max(0.0, self.end - time.monotonic())


NEVER = Deadline(None)
"""No limit: what library functions use when no deadline is given."""
