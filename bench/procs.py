"""Run one measurement in a child process; sample its process tree's memory.

Every measured piece of work runs as ``python -m bench.child TASK ARGS`` so
that it starts from a fresh interpreter and its peak memory is its own. It
imports ``indexer`` from :func:`code_root`: the repository, or (the suite's
default) a snapshot of ``HEAD`` taken with ``git archive`` by
:func:`snapshot_head`, so that colleagues editing the working tree during a
long run cannot mix two versions of the engine into one table. Peak
RSS is the larger of the child's ``ru_maxrss`` and the highest *sum* of RSS
over the child and its descendants (Whoosh's ``procs=2`` writer forks
workers), sampled from ``/proc`` every 0.2 s.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "BENCH-RESULT "
PAGE = os.sysconf("SC_PAGE_SIZE")


class ChildError(RuntimeError):
    """A measurement's child process failed; the message ends with its stderr."""


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry)] = int(fields[1])
    return parents


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants, now."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


class TreeSampler(threading.Thread):
    """Keeps the peak of :func:`tree_rss` until stopped."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def tree_private(root: int) -> tuple[int, int]:
    """Bytes of private memory (``Private_Clean + Private_Dirty`` of ``smaps_rollup``:
    resident pages no other process maps, file pages included) and of anonymous memory
    (``Anonymous``: no file pages) in ``root`` and all its descendants, now."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    private = anonymous = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith(("Private_Clean:", "Private_Dirty:")):
                        private += int(line.split()[1]) * 1024
                    elif line.startswith("Anonymous:"):
                        anonymous += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return private, anonymous


class MemorySampler(TreeSampler):
    """Keeps the peaks of :func:`tree_rss` and of both :func:`tree_private` figures (a
    server's, under load)."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(pid, interval)
        self.peak_private = self.peak_anonymous = 0

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            private, anonymous = tree_private(self.pid)
            self.peak_private = max(self.peak_private, private)
            self.peak_anonymous = max(self.peak_anonymous, anonymous)
            self._stop_event.wait(self.interval)


_code_root = ROOT


def use_code(root: Path) -> None:
    """Run later children (and the server) on the packages found in ``root``."""
    global _code_root
    _code_root = Path(root)


def code_root() -> Path:
    return _code_root


def snapshot_head(workdir: Path) -> tuple[str, Path]:
    """``indexer`` and ``search_app`` as committed at HEAD, plus this ``bench``, in ``workdir``.

    Returns (commit, folder). Read-only for the repository: ``git archive``, no checkout.
    """
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=30).stdout.strip()
    dest = Path(workdir) / f"code-{commit[:12]}"
    shutil.rmtree(dest, ignore_errors=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "indexer", "search_app"],
                             cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    shutil.copytree(ROOT / "bench", dest / "bench",
                    ignore=shutil.ignore_patterns("__pycache__", "*.md", "*.tmp"))
    compile_snapshot(dest)
    return commit, dest


def compile_snapshot(folder: Path) -> None:
    """Byte-compile the snapshot, as ``pip install`` does an installed package.

    Without ``.pyc`` files (and with ``PYTHONDONTWRITEBYTECODE`` set, as on this
    machine, none are ever written) every measured process compiles the whole
    library from source first: ~0.2 s charged to the first query after opening,
    which a deployed server never pays.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)],
                   check=True, capture_output=True, timeout=300)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_code_root), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(task: str, args: dict, timeout: float = 3600, log: Path | None = None) -> dict:
    """Run ``bench.child`` ``task``; return its JSON result plus ``peak_rss_mb``, ``wall_s``."""
    cmd = [sys.executable, "-m", "bench.child", task, json.dumps(args)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=_code_root, env=child_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n(timed out after {timeout:.0f} s)"
    finally:
        peak = sampler.stop()
    wall = time.perf_counter() - started
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"$ {' '.join(cmd)}\n--- stdout\n{out}\n--- stderr\n{err}", "utf-8")
    lines = [line for line in out.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise ChildError(f"bench.child {task} failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = json.loads(lines[-1][len(MARKER):])
    own = max(result.get("maxrss_self_kb", 0), result.get("maxrss_children_kb", 0)) * 1024
    result["peak_rss_mb"] = max(peak, own) / 2**20
    result["wall_s"] = wall
    return result
