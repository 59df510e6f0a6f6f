"""One reindex at a time, and a crashed one never blocks the next.

The lock is a file created with O_EXCL holding the owner's pid, host and (on
Linux) process start time. If that process no longer exists (it was killed),
or its pid now belongs to a process started at another time, the lock is
stale: it is cleared and the caller is told so.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from indexer.errors import ReindexLockedError

LOCK_NAME = ".reindex.lock"
FRESH_SECONDS = 5.0
"""A lock file without a readable owner this young is being written, not abandoned."""


def _start_time(pid: int) -> str:
    """Start time of ``pid`` in clock ticks since boot ("" where /proc is unavailable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[19]
    except (OSError, IndexError):
        return ""


def _pid_alive(pid: int, started: str = "") -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[-1].split()
    except OSError:
        return True
    if fields[0] == "Z":  # a zombie (killed, not yet reaped by its parent) holds nothing
        return False
    # The pid of a killed owner may since have been given to another process.
    return not started or len(fields) < 20 or fields[19] == started


class ReindexLock:
    """Context manager; ``stale_cleared`` says whether a dead owner's lock was removed."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / LOCK_NAME
        self.stale_cleared: str | None = None

    def _owner(self) -> tuple[int, str, str]:
        """(pid, host, start time) of the holder; the start time is absent in old locks."""
        try:
            pid_text, host, started, *_ = [*self.path.read_text("utf-8").split(), "", "", ""]
            return int(pid_text), host, started
        except (OSError, ValueError):
            return -1, "", ""

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return FRESH_SECONDS

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid, host, started = self._owner()
                same_host = host in ("", socket.gethostname())
                if pid == -1 and self._age() < FRESH_SECONDS:
                    # just created: its owner is about to write its pid, it is not stale
                    raise ReindexLockedError(f"another reindex is starting on "
                                             f"{self.path.parent}; try again in a moment"
                                             ) from None
                if same_host and not _pid_alive(pid, started):
                    self.stale_cleared = f"cleared a stale reindex lock left by process {pid}"
                    self.path.unlink(missing_ok=True)
                    continue
                raise ReindexLockedError(
                    f"another reindex (process {pid}) is running on {self.path.parent};"
                    f" wait for it, or delete {self.path} if that process is gone"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {socket.gethostname()} {_start_time(os.getpid())}")
            return
        raise ReindexLockedError(f"could not take the reindex lock {self.path}")

    def release(self) -> None:
        pid, _, _ = self._owner()
        if pid == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ReindexLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
