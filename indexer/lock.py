"""One reindex at a time, and a crashed one never blocks the next.

The lock is a file created with O_EXCL holding the owner's pid and host. If
that process no longer exists (it was killed), the lock is stale: it is
cleared and the caller is told so.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from .errors import ReindexLockedError

LOCK_NAME = ".reindex.lock"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) holds nothing.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


class ReindexLock:
    """Context manager; ``stale_cleared`` says whether a dead owner's lock was removed."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / LOCK_NAME
        self.stale_cleared: str | None = None

    def _owner(self) -> tuple[int, str]:
        try:
            pid_text, _, host = self.path.read_text("utf-8").partition(" ")
            return int(pid_text), host.strip()
        except (OSError, ValueError):
            return -1, ""

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid, host = self._owner()
                same_host = host in ("", socket.gethostname())
                if same_host and not _pid_alive(pid):
                    self.stale_cleared = f"cleared a stale reindex lock left by process {pid}"
                    self.path.unlink(missing_ok=True)
                    continue
                raise ReindexLockedError(
                    f"another reindex (process {pid}) is running on {self.path.parent};"
                    f" wait for it, or delete {self.path} if that process is gone"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {socket.gethostname()}")
            return
        raise ReindexLockedError(f"could not take the reindex lock {self.path}")

    def release(self) -> None:
        pid, _ = self._owner()
        if pid == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ReindexLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
