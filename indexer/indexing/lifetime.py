"""Worker processes that end when the process that started them ends, however it ends.

A parent killed by SIGKILL (or by SIGTERM's default action) runs no clean-up, so
it cannot stop its workers; a worker blocked on its empty job queue would then
wait for ever, holding hundreds of MB. Each worker watches for itself instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL = 0.5
"""Seconds between the watchdog's checks."""
_PROC = os.path.exists("/proc/self/stat")


def die_with_parent(parent: int, forked: bool) -> None:
    """End this worker when ``parent``, the reindexing process, ends.

    A forked worker asks Linux to kill it (``PR_SET_PDEATHSIG``).
    A fork server's children keep the fork server alive (they hold its "alive"
    pipe), so there, and on other systems, a watchdog thread checks that
    ``parent``, the reindexing process, is still the same process.
    """
    if forked and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    born = _started(parent)
    if born is None or (forked and os.getppid() != parent):  # gone already
        os._exit(1)

    def watch() -> None:
        while _started(parent) == born:
            time.sleep(POLL)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _started(pid: int) -> str | None:
    """When process ``pid`` started (tells a reused pid apart), or None once it has
    ended (a zombie has ended too)."""
    if not _PROC:  # only whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except OSError:
            pass
        return ""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in (b"Z", b"X") else fields[19].decode()
