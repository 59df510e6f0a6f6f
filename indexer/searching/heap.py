"""The C heap of a long-running search server: fewer arenas, big blocks given back.

A server's searches allocate and free many short-lived arrays of 100 KB to a few MB
(per-segment score accumulators, decoded posting lists, numpy copies). With glibc's
defaults two things keep that memory after the request has gone:

- every thread that meets a locked arena gets an arena of its own (up to eight per
  core), and each arena keeps its high-water mark;
- the first large block freed raises the ``mmap`` threshold to its size (up to
  32 MB), so later large arrays come from those arenas instead of ``mmap`` and
  leave holes no other size fits.

Measured with ``python -m bench --http --docs 1000000`` (waitress, 4 threads, the
posting cache held to 1 MB so only this memory shows): the server's peak private
memory went from 998 MB (741 MB anonymous) to 793 MB (592 MB) with two arenas and
a fixed 128 KB threshold; throughput did not change.

A variable the user set (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``) wins; on
a C library without ``mallopt`` (musl, macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
"""One for the request threads to share besides the main one: searches hold the GIL
most of the time, so threads seldom allocate at the same moment."""
MMAP_THRESHOLD = 128 * 1024
"""glibc's initial threshold, kept fixed: blocks this large are mapped and unmapped."""


def tune_server_heap() -> dict[str, int]:
    """Set the server's heap options (see the module's docstring); returns those set."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return {}
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    done: dict[str, int] = {}
    for variable, option, value in (("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENAS),
                                    ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD,
                                     MMAP_THRESHOLD)):
        if variable not in os.environ and mallopt(option, value) == 1:
            done[variable] = value
    return done
