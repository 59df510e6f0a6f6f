"""Find the corpus files and open them, never leaving the corpus folder.

The walk is confined: a symlink is followed only when its target lies inside
the corpus folder (``passwd.txt -> /etc/passwd`` would otherwise be indexed and
served, and a link to ``/proc/self`` walks the whole filesystem), each folder
is entered once (no loops), and only regular files are read: opening a FIFO
blocks for ever, a device can be endless. Whatever is left out is reported.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from indexer.corpus import formats
from indexer.corpus.documents import UNPRINTABLE
from indexer.corpus.problems import Problem

MAX_DEPTH = 64
SUFFIXES = formats.SUFFIXES

_KINDS = [(stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device")]


@dataclass(frozen=True)
class SourceFile:
    """A corpus file as found on disk; (mtime, size) let reindex skip unchanged files.

    ``abspath`` is the file itself (a symlink's target, checked to be inside the corpus).
    """

    relpath: str
    abspath: Path
    mtime_ns: int
    size: int

    @property
    def suffix(self) -> str:
        """The suffix of the name in the corpus (a link's, not its target's)."""
        return Path(self.relpath).suffix.lower()


def scan(root: Path, problems: list[Problem], unreachable: list[str] | None = None,
         skip: Path | None = None) -> list[SourceFile]:
    """Corpus files in path order (the order that decides which duplicate id wins).

    ``unreachable`` gets the relative paths of the folders and files that are there
    but could not be read (permissions): their files are not known to be gone, so an
    incremental reindex keeps what was indexed from them. ``skip``: a folder left out
    silently (the index, when it was put inside the corpus folder).
    """
    unreachable = [] if unreachable is None else unreachable
    try:
        skipped = os.stat(skip) if skip is not None else None
    except OSError:
        skipped = None
    skip_id = (skipped.st_dev, skipped.st_ino) if skipped else None
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    real_root = os.path.realpath(root)
    found: list[SourceFile] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(directory: Path, depth: int) -> None:
        rel = _rel(directory, root)
        try:
            st = directory.stat()
        except FileNotFoundError:
            return  # removed while walking: gone
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read folder ({exc.strerror})"))
            unreachable.append(rel)
            return
        if (st.st_dev, st.st_ino) == skip_id:
            return  # the index itself: not a document
        if (st.st_dev, st.st_ino) in seen_dirs:
            problems.append(Problem(rel, "symlink loop, skipped"))
            return
        if depth > MAX_DEPTH:
            problems.append(Problem(rel, "folders nested too deep, skipped"))
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError as exc:
            problems.append(Problem(rel, f"cannot read folder ({exc.strerror})"))
            unreachable.append(rel)
            return
        for entry in entries:
            if not entry.name.startswith("."):
                visit(entry, depth)

    def visit(entry: os.DirEntry, depth: int) -> None:
        path = Path(entry.path)
        if depth == 0 and entry.name == "synonyms.txt":
            return  # configuration (indexer.searching.synonyms), not a document nor a problem
        wanted = path.suffix.lower() in SUFFIXES
        target = path
        try:
            if entry.is_symlink():
                target = Path(os.path.realpath(path, strict=True))
                st = target.stat()
                if not _inside(str(target), real_root):
                    if wanted or stat.S_ISDIR(st.st_mode):
                        problems.append(Problem(_rel(path, root), "symlink to outside the"
                                                " corpus folder, skipped"))
                    return
            elif entry.is_dir(follow_symlinks=False):
                walk(path, depth + 1)
                return
            elif not wanted:
                if entry.is_file(follow_symlinks=False):
                    problems.append(_unsupported(path, root))
                return
            else:
                st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            problems.append(Problem(_rel(path, root), "broken symlink, skipped"))
            return
        except OSError as exc:
            problems.append(Problem(_rel(path, root), f"cannot read ({exc.strerror})"))
            unreachable.append(_rel(path, root))
            return
        if stat.S_ISDIR(st.st_mode):
            walk(path, depth + 1)  # a link to a folder inside the corpus; loops stop at seen_dirs
        elif not wanted:
            if stat.S_ISREG(st.st_mode):
                problems.append(_unsupported(path, root))
            return
        elif not stat.S_ISREG(st.st_mode):
            problems.append(Problem(_rel(path, root), f"{_kind(st.st_mode)}, not a regular"
                                    " file, skipped"))
        else:
            # ctime too: a chmod that makes an unreadable file readable must get it re-read.
            changed = max(st.st_mtime_ns, st.st_ctime_ns)
            found.append(SourceFile(_rel(path, root), target, changed, st.st_size))

    walk(root, 0)
    found.sort(key=lambda source: source.relpath)
    return found


def _unsupported(path: Path, root: Path) -> Problem:
    """Files of other formats are reported once per scan, never silently ignored."""
    return Problem(_rel(path, root),
                   f"unsupported format ({path.suffix.lower() or 'no extension'}), skipped")


def _inside(path: str, real_root: str) -> bool:
    return path == real_root or path.startswith(real_root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def open_regular(path: Path, buffering: int = 1 << 20) -> BinaryIO:
    """Open a file for reading only if it is (still) a regular file.

    ``O_NONBLOCK``: a file replaced by a FIFO after the scan must fail here, not
    block; ``O_NOFOLLOW``: nor may it have become a symlink (``path`` is already
    the target of a link the scan checked).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, f"{_kind(mode)}, not a regular file")
        os.set_blocking(fd, True)
        return open(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    # Names with newlines, control characters (a terminal escape) or undecodable bytes must
    # still print as one harmless line.
    rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\n", "\\n")
    return UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}", rel)
