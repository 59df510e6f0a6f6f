"""Worker processes of ``reindex --full --procs N`` die with their parent (issue 10, finding 9).

A parent killed by ``kill -9``, or by ``kill`` (SIGTERM, as ``timeout`` and systemd
send), used to leave its workers blocked on their job queues for ever (~230 MB
each). Now they end within a second or two, and SIGTERM also stops the parent
cleanly: exit 143, one line, the live index untouched and nothing left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import indexer
from indexer.indexing import generations as store
from tests.helpers import ROOT, write_jsonl

pytestmark = pytest.mark.slow

TEXT = ("Cán bộ, đảng viên phải gương mẫu chấp hành chủ trương của Đảng, chính sách pháp luật "
        "của Nhà nước; trách nhiệm của người đứng đầu cơ quan, tổ chức trong công tác. ") * 8
FORKSERVER = """
import sys, threading, time
import indexer
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()  # forces forkserver
indexer.reindex(sys.argv[1], sys.argv[2], full=True, procs=2)
"""


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A live index of 3 documents, and a corpus grown to 3,003 for the build to kill."""
    root = tmp_path / "corpus"
    write_jsonl(root / "a.jsonl", [{"id": f"a{i}", "title": "Cán bộ", "text": TEXT}
                                   for i in range(3)])
    indexer.reindex(root, tmp_path / "index")
    write_jsonl(root / "b.jsonl", [{"id": f"b{i}", "title": f"Điều {i}", "text": TEXT}
                                   for i in range(3000)])
    return root


def start_and_kill(command: list[str], how: signal.Signals, workers: int, log: Path):
    """Start a full build, wait for its worker processes, signal the parent; return its
    exit code, its stderr and the processes it had started that are still alive."""
    with open(log, "w") as stderr:  # a file: an orphan holding a pipe would block reading it
        parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(children) < workers and time.monotonic() < deadline:
            assert parent.poll() is None, log.read_text()
            children = descendants(parent.pid)
            time.sleep(0.01)
        assert len(children) >= workers, "the workers never started"
        parent.send_signal(how)
        parent.wait(timeout=60)
        deadline = time.monotonic() + 10
        while any(map(alive, children)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return parent.returncode, log.read_text(), {pid for pid in children if alive(pid)}
    finally:
        for pid in children | {parent.pid}:  # never leave an orphan behind, even on failure
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_workers_die_when_the_parent_is_killed(corpus, tmp_path, start):
    index_dir = tmp_path / "index"
    if start == "fork":
        command = [sys.executable, "-m", "indexer.cli", "reindex", "--full", "--procs", "2",
                   "--corpus", str(corpus), "--index", str(index_dir)]
    else:
        command = [sys.executable, "-c", FORKSERVER, str(corpus), str(index_dir)]
    live = store.current_generation(index_dir)
    code, _, survivors = start_and_kill(command, signal.SIGKILL,
                                        3 if start == "forkserver" else 2, tmp_path / "log")
    assert code == -signal.SIGKILL
    assert not survivors, f"orphaned workers: {survivors}"
    assert store.current_generation(index_dir) == live
    report = indexer.reindex(corpus, index_dir)  # the next run cleans up and carries on
    assert report.documents == 3003


def test_sigterm_stops_the_build_cleanly(corpus, tmp_path):
    index_dir = tmp_path / "index"
    live = store.current_generation(index_dir)
    code, stderr, survivors = start_and_kill(
        [sys.executable, "-m", "indexer.cli", "reindex", "--full", "--procs", "2",
         "--corpus", str(corpus), "--index", str(index_dir)], signal.SIGTERM, 2, tmp_path / "log")
    assert not survivors, f"orphaned workers: {survivors}"
    assert code == 128 + signal.SIGTERM, stderr
    assert stderr.splitlines() == ["Error: reindex stopped by SIGTERM before it finished; the"
                                   " live index is intact: run reindex again"]
    assert store.current_generation(index_dir) == live
    assert [p.name for p in index_dir.glob("gen-*")] == [live.name]  # the half-built one went
    assert not (index_dir / ".reindex.lock").exists()
    handle = indexer.open_index(index_dir)
    try:
        assert indexer.search(handle, "can bo").total == 3
    finally:
        handle.close()
