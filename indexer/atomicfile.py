"""Files replaced whole: a reader sees the old content or the new, never a mix.

Why one function for the whole package: the index pointer (``CURRENT``), its side
files (manifest, meta) and the accent model are all read by servers while a
reindex writes them, so each is written to a temporary file in the same folder,
flushed to disk, made readable by other users and renamed over the old one; one
place gets those four steps right.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would lock out a server running as another user
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
