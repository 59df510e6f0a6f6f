"""`kill -9` a running `vnsearch reindex` anywhere: readers keep the last committed index, the
next reindex clears the stale lock (and says so), converges to the corpus, and leaves no
temporary files or generations behind.

Precise points are reached without test hooks in the product: the reindex runs in a child
process through ``CRASH_WRAPPER``, which patches one Whoosh or indexer function to announce
``PAUSED`` on stderr and sleep; the test then kills it. One more point (analysis of an
incremental build) and a few random delays use the plain ``python -m indexer.cli``.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import indexer
from indexer.indexing import generations as store
from indexer.indexing.lock import LOCK_NAME
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

BIG, SMALL = 400, 80  # big: analysis takes > 1 s, so a kill lands in it; small: quick
WORDS = ("cán bộ đảng viên trách nhiệm hình sự pháp luật quy định nhà nước công dân doanh "
         "nghiệp người lao động ủy ban nhân dân hội nghị toàn quốc thuế phí gương mẫu chấp "
         "hành chủ trương").split()
QUERIES = ["can bo", "sua doi", "bo sung moi", "xoa bo", "title:dang", '"nhan dan"', "thue*"]

CRASH_WRAPPER = r"""
import os, sys, time
from pathlib import Path

point = os.environ["CRASH_AT"]


def pause():
    sys.stderr.write(f"PAUSED {point}\n")
    sys.stderr.flush()
    time.sleep(120)


def before(owner, name, when=lambda *a, **k: True):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if when(*args, **kwargs):
            pause()
        return original(*args, **kwargs)

    setattr(owner, name, staticmethod(wrapper) if isinstance(owner, type) else wrapper)


if point == "assemble":  # mid-commit: segment parts written, compound .seg not yet
    from whoosh.filedb.compound import CompoundStorage
    before(CompoundStorage, "assemble")
elif point == "toc":  # new segment complete, the commit (TOC) not yet written
    from whoosh import index
    original_write = index.TOC.write

    def write(self, storage, indexname):
        pause()
        return original_write(self, storage, indexname)

    index.TOC.write = write
elif point == "side-files":  # Whoosh committed, manifest and meta not yet written
    from indexer.indexing import generations as store
    before(store, "write_json")
elif point == "swap":  # new generation complete, CURRENT's temporary file written
    before(os, "replace", lambda src, dst, *a, **k: Path(dst).name == "CURRENT")
elif point == "after-swap":  # CURRENT replaced, old generations not yet removed
    from indexer.indexing import generations as store
    calls = []
    before(store, "remove_leftovers", lambda *a, **k: calls.append(1) or len(calls) == 2)
elif point == "merge":  # compaction: the merged segment written, its commit (TOC) not yet
    from indexer.whoosh_ext.merging import MergeWriter
    original_commit_toc = MergeWriter._commit_toc

    def commit_toc(self, segments):
        pause()
        return original_commit_toc(self, segments)

    MergeWriter._commit_toc = commit_toc
elif point == "full-analysis":  # a full build halfway through analysing its documents
    from indexer.whoosh_ext.segment_writer import BulkWriter
    original_add = BulkWriter.add_document
    added = []

    def add_document(self, **fields):
        added.append(1)
        if len(added) == 200:
            pause()
        return original_add(self, **fields)

    BulkWriter.add_document = add_document

from indexer.cli.commands import main

main()
"""


def records(version: int, n: int) -> dict[str, list[dict]]:
    """Version 0, then version 1: every text edited, n/10 records added, n/10 deleted."""
    rnd = random.Random(7)
    base = []
    for i in range(n):
        title = " ".join(rnd.choices(WORDS, k=8))
        text = " ".join(rnd.choices(WORDS, k=120))
        if version == 0 and i % 10 == 0:
            text += " xóa bỏ"
        if version == 1:
            text += " sửa đổi"
        base.append({"id": f"doc-{i}", "title": title, "text": text, "source": f"Nguồn {i % 5}",
                     "date": f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}"})
    if version == 1:
        base = [r for i, r in enumerate(base) if i % 10]
        extra = [{"id": f"new-{i}", "title": f"Văn bản bổ sung mới {i}",
                  "text": " ".join(rnd.choices(WORDS, k=60)) + " bổ sung mới"}
                 for i in range(n // 10)]
        return {"base.jsonl": base, "extra.jsonl": extra}
    return {"base.jsonl": base}


def write_corpus(root: Path, files: dict[str, list[dict]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, recs in files.items():
        (root / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                         for r in recs), "utf-8")
    return root


def answers(index_dir: Path) -> dict:
    """What readers see: document count, and for each query the total and the ids found."""
    handle = indexer.open_index(index_dir)
    try:
        seen = {"documents": indexer.stats(handle).documents}
        for query in QUERIES:
            results = indexer.search(handle, query, per_page=100, suggest=False)
            pages = [results] + [indexer.search(handle, query, page=p, per_page=100,
                                                suggest=False)
                                 for p in range(2, results.pages + 1)]
            seen[query] = (results.total, frozenset(h.id for r in pages for h in r.hits))
        return seen
    finally:
        handle.close()


@dataclass
class World:
    old_corpus: Path
    new_corpus: Path
    old_index: Path
    before: dict
    after: dict


def make_world(base: Path, n: int) -> World:
    old_corpus = write_corpus(base / "corpus-0", records(0, n))
    new_corpus = write_corpus(base / "corpus-1", records(1, n))
    indexer.reindex(old_corpus, base / "index-0", full=True)
    indexer.reindex(new_corpus, base / "reference-1", full=True)
    world = World(old_corpus, new_corpus, base / "index-0", answers(base / "index-0"),
                  answers(base / "reference-1"))
    assert world.before != world.after and world.after["documents"] == n
    return world


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> World:
    return make_world(tmp_path_factory.mktemp("crash-big"), BIG)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> World:
    return make_world(tmp_path_factory.mktemp("crash-small"), SMALL)


def cli(*args: str, crash_at: str | None = None) -> subprocess.Popen:
    if crash_at:
        command = [sys.executable, "-c", CRASH_WRAPPER, *args]
    else:
        command = [sys.executable, "-m", "indexer.cli", *args]
    env = {**os.environ, "CRASH_AT": crash_at or ""}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env=env, text=True)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"reindex ended first: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def wait_paused(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, "the reindex never reached its pause point"
        line = proc.stderr.readline()
        assert line, f"reindex ended first: {proc.communicate()}"
        if line.startswith("PAUSED"):
            return


def kill(proc: subprocess.Popen) -> None:
    proc.kill()  # SIGKILL: no cleanup of any kind runs
    proc.communicate(timeout=30)
    assert proc.returncode == -9, "the reindex had already ended"


def leftovers(index_dir: Path) -> list[str]:
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    kept = {g.name for g in (store.current_generation(index_dir),
                             store.current_generation(index_dir, store.PREVIOUS)) if g}
    temp = [str(p.relative_to(index_dir)) for p in index_dir.rglob("*")
            if p.name.endswith(".tmp") or ".toc." in p.name]
    return [g for g in gens if g not in kept] + temp


def recover_and_check(world: World, index: Path, killed: subprocess.Popen) -> str:
    """The next plain reindex: clears the lock with a note, converges, leaves nothing."""
    assert (index / LOCK_NAME).read_text().split()[0] == str(killed.pid)
    done = subprocess.run([sys.executable, "-m", "indexer.cli", "reindex", "--corpus",
                           str(world.new_corpus), "--index", str(index)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"note: cleared a stale reindex lock left by process {killed.pid}" in done.stderr
    assert "Traceback" not in done.stderr
    assert answers(index) == world.after
    assert not (index / LOCK_NAME).exists()
    assert len(list(index.glob("gen-*"))) <= 2
    assert leftovers(index) == []
    again = indexer.reindex(world.new_corpus, index)
    assert not again.changed and not again.notes, again.notes
    return done.stderr


def copy_index(world: World, tmp_path: Path) -> Path:
    """A copy of the index of the old corpus: every scenario starts from it."""
    shutil.copytree(world.old_index, tmp_path / "index")
    return tmp_path / "index"


def args(world: World, index: Path, *more: str) -> list[str]:
    return ["reindex", "--corpus", str(world.new_corpus), "--index", str(index), *more]


def test_kill_during_analysis_of_a_full_build(big, tmp_path):
    world, index = big, copy_index(big, tmp_path)
    proc = cli(*args(world, index, "--full"), crash_at="full-analysis")
    wait_paused(proc)  # a full build is too quick now for a timed kill to land in it
    kill(proc)
    assert len(list(index.glob("gen-*"))) == 2  # the half-built one is left behind
    assert answers(index) == world.before
    stderr = recover_and_check(world, index, proc)
    assert "removed leftovers of an interrupted reindex: gen-" in stderr


def test_kill_during_analysis_of_an_incremental_build(big, tmp_path):
    world, index = big, copy_index(big, tmp_path)
    pool = store.current_generation(index) / f"{store.INDEX_NAME}.tmp"
    proc = cli(*args(world, index))
    wait_for(pool.exists, proc)  # the writer is open: documents are being analysed
    time.sleep(0.3)
    kill(proc)
    assert answers(index) == world.before
    stderr = recover_and_check(world, index, proc)
    assert f"{store.INDEX_NAME}.tmp" in stderr  # Whoosh's pool folder, removed


@pytest.mark.parametrize("point, committed", [
    ("assemble", False), ("toc", False), ("side-files", True),
])
def test_kill_inside_an_incremental_commit(small, tmp_path, point, committed):
    world, index = small, copy_index(small, tmp_path)
    proc = cli(*args(world, index), crash_at=point)
    wait_paused(proc)
    kill(proc)
    assert answers(index) == (world.after if committed else world.before)
    recover_and_check(world, index, proc)


def test_kill_inside_the_merge_after_an_incremental_commit(small, tmp_path):
    """Compaction runs after the reindex's own commit: killed in a merge, readers have
    the new documents already, and the next reindex merges again and converges."""
    world, index = small, copy_index(small, tmp_path)
    proc = cli(*args(world, index), crash_at="merge")
    wait_paused(proc)
    kill(proc)
    assert answers(index) == world.after
    recover_and_check(world, index, proc)


def test_kill_inside_an_optimize(small, tmp_path):
    """`vnsearch optimize` killed before its commit: readers keep the index as it was."""
    world, index = small, copy_index(small, tmp_path)
    files = records(0, SMALL)
    for record in files["base.jsonl"][:5]:
        record["text"] += " sửa đổi"
    indexer.reindex(write_corpus(tmp_path / "corpus-edit", files), index)
    before = answers(index)
    proc = cli("optimize", "--index", str(index), crash_at="merge")
    wait_paused(proc)
    kill(proc)
    assert answers(index) == before
    recover_and_check(world, index, proc)


@pytest.mark.parametrize("point, published", [("swap", False), ("after-swap", True)])
def test_kill_during_the_full_swap(small, tmp_path, point, published):
    world, index = small, copy_index(small, tmp_path)
    old = store.current_generation(index)
    proc = cli(*args(world, index, "--full"), crash_at=point)
    wait_paused(proc)
    kill(proc)
    live = store.current_generation(index)
    assert (live != old) is published
    assert answers(index) == (world.after if published else world.before)
    if published:
        assert store.current_generation(index, store.PREVIOUS) == old
    else:
        assert list(index.glob(".CURRENT.*.tmp"))  # what the recovery must clean
    recover_and_check(world, index, proc)


@pytest.mark.parametrize("seed", range(3))
def test_kill_at_random_moments(small, tmp_path, seed):
    world, index = small, copy_index(small, tmp_path)
    rnd = random.Random(seed)
    proc = cli(*args(world, index, *(["--full"] if seed % 2 else [])))
    wait_for((index / LOCK_NAME).exists, proc)
    time.sleep(rnd.uniform(0.0, 0.4))
    proc.kill()
    proc.communicate(timeout=30)
    assert answers(index) in (world.before, world.after)  # old or new, never a mix
    if (index / LOCK_NAME).exists():
        recover_and_check(world, index, proc)
    else:  # it had finished (lock released) and was exiting
        assert answers(index) == world.after and leftovers(index) == []


@pytest.fixture
def sleeper():
    """A live process whose pid can stand in for a lock owner."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_lock_whose_pid_was_reused_is_stale(small, tmp_path, sleeper):
    """kill -9, then the pid goes to another process: the start time tells them apart."""
    index = copy_index(small, tmp_path)
    (index / LOCK_NAME).write_text(f"{sleeper.pid} {os.uname().nodename} 1")
    report = indexer.reindex(small.new_corpus, index)
    assert f"cleared a stale reindex lock left by process {sleeper.pid}" in report.notes
    assert answers(index) == small.after


def test_a_live_owner_keeps_its_lock(small, tmp_path):
    index = copy_index(small, tmp_path)
    proc = cli(*args(small, index), crash_at="toc")
    try:
        wait_paused(proc)
        with pytest.raises(indexer.ReindexLockedError, match=f"process {proc.pid}"):
            indexer.reindex(small.new_corpus, index)
    finally:
        kill(proc)


def test_an_ownerless_lock_is_stale_only_once_it_is_old(small, tmp_path):
    """Killed between creating the lock file and writing its pid: empty, and not stale
    while another reindex may still be about to write its pid into it."""
    index = copy_index(small, tmp_path)
    lock = index / LOCK_NAME
    lock.write_text("")
    with pytest.raises(indexer.ReindexLockedError, match="starting"):
        indexer.reindex(small.new_corpus, index)
    os.utime(lock, (time.time() - 60, time.time() - 60))
    report = indexer.reindex(small.new_corpus, index)
    assert any("stale" in note for note in report.notes)
    assert answers(index) == small.after
