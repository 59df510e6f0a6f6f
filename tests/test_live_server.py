"""A real `vnsearch serve` through many incremental reindexes under query load.

After every reindex (adds, updates, deletes; Whoosh merges segments as it goes; now and
then a ``--full`` one), the server's totals, ids, date order, ``/api/doc`` and ``/healthz``
answers must equal what the corpus holds and what a fresh library search finds, and the
server's open files (``/proc/<pid>/fd``, under ``ulimit -n 128``) stay bounded, none on a
deleted file once requests have ended.

The number of reindexes is ``VNSEARCH_LIVE_REINDEXES`` (default 60, ~20 s on a loaded
2-core machine; merges happen every few commits, so 60 exercise many). The issue's 200:
``VNSEARCH_LIVE_REINDEXES=200 pytest tests/test_live_server.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

import indexer
from indexer.indexing import generations as store
from tests.helpers import write_jsonl

pytestmark = pytest.mark.slow

REINDEXES = int(os.environ.get("VNSEARCH_LIVE_REINDEXES", "60"))
GROUPS = ["sen", "mai", "cuc", "lan", "dao"]
VERSIONS = ["xanh", "tim", "vang", "nau", "hong", "xam", "bac"]
FILES = 6
THREADS = 4
FD_LIMIT = 128


class Corpus:
    """The corpus the test writes, and so what the index must hold."""

    def __init__(self, root: Path, seed: int = 10):
        self.root = root
        self.random = random.Random(seed)
        self.files: dict[str, dict[str, dict]] = {f"f{k}.jsonl": {} for k in range(FILES)}
        self.next_id = 0
        for _ in range(120):
            self.add(self.random.choice(list(self.files)))
        self.write(list(self.files))

    def record(self, n: int, version: int) -> dict:
        rec = {"id": f"doc-{n}", "title": f"Văn bản {n}",
               "text": f"Nội dung chung {GROUPS[n % 5]} phiên bản {VERSIONS[version % 7]}."}
        if n % 3:
            rec["date"] = f"{2000 + n % 24}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            rec["source"] = f"Nguồn {n % 4}"
        return rec

    def add(self, name: str) -> str:
        n, self.next_id = self.next_id, self.next_id + 1
        self.files[name][f"doc-{n}"] = self.record(n, self.random.randrange(7))
        return f"doc-{n}"

    def records(self) -> dict[str, dict]:
        return {doc_id: rec for recs in self.files.values() for doc_id, rec in recs.items()}

    def write(self, names: list[str]) -> None:
        for name in names:
            path = self.root / name
            if name not in self.files:
                path.unlink(missing_ok=True)
            else:
                write_jsonl(path, list(self.files[name].values()))

    def change(self, step: int) -> dict[str, set[str]]:
        """Adds, updates and deletes in one to three files; now and then a whole file goes
        or comes back. Returns the ids touched, by kind."""
        touched: dict[str, set[str]] = {"added": set(), "updated": set(), "deleted": set()}
        pool = sorted(set(self.files) | {f"f{k}.jsonl" for k in range(FILES)})
        names = self.random.sample(pool, self.random.randint(1, 3))
        for name in names:
            if name not in self.files:
                self.files[name] = {}
            recs = self.files[name]
            if step % 15 == 7 and len(self.records()) > 80 and recs:
                touched["deleted"] |= set(recs)
                del self.files[name]
                continue
            grow = len(self.records()) < 150
            for _ in range(self.random.randint(0, 4 if grow else 2)):
                touched["added"].add(self.add(name))
            for doc_id in self.random.sample(sorted(recs), min(len(recs),
                                                               self.random.randint(0, 3))):
                if doc_id in touched["added"]:
                    continue
                if self.random.random() < (0.4 if grow else 0.7):
                    del recs[doc_id]
                    touched["deleted"].add(doc_id)
                else:
                    n = int(doc_id.split("-")[1])
                    recs[doc_id] = self.record(n, self.random.randrange(7))
                    touched["updated"].add(doc_id)
        self.write(names)
        return touched


class Server:
    """`python -m indexer.cli serve` in a child process with a low descriptor limit."""

    def __init__(self, index_dir: Path, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "indexer.cli", "serve", "--index", str(index_dir),
             "--port", str(self.port), "--threads", str(THREADS)],
            stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                  (FD_LIMIT, FD_LIMIT)))
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/healthz")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"the server did not start: see {log}") from None
                time.sleep(0.1)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def get(self, path: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    def fds(self) -> list[str]:
        targets = []
        for name in os.listdir(f"/proc/{self.process.pid}/fd"):
            try:
                targets.append(os.readlink(f"/proc/{self.process.pid}/fd/{name}"))
            except OSError:
                pass
        return targets

    def deleted_maps(self) -> list[str]:
        maps = Path(f"/proc/{self.process.pid}/maps").read_text().splitlines()
        return [line for line in maps if line.endswith("(deleted)") and ".seg" in line]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Load(threading.Thread):
    """Keeps the server busy with searches and document pages until stopped."""

    PATHS = ["/api/search?q=chung", "/api/search?q=chung&sort=date", "/search?q=noi+dung",
             "/api/search?q=sen+OR+mai", "/api/search?q=%22phien+ban%22&page=2",
             "/api/doc/doc-3", "/healthz", "/api/search?q=van*&source=Ngu%E1%BB%93n+1"]

    def __init__(self, port: int, offset: int):
        super().__init__(daemon=True)
        self.port, self.offset = port, offset
        self.stopping = threading.Event()
        self.failures: list[str] = []
        self.sent = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = self.offset
        while not self.stopping.is_set():
            path = self.PATHS[i % len(self.PATHS)]
            i += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 404):
                    self.failures.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{type(exc).__name__} {path}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.sent += 1
        conn.close()


def expected_view(index_dir: Path, queries: list[dict]) -> list[tuple]:
    """A fresh library search of the same index: what the CLI would print."""
    handle = indexer.open_index(index_dir)
    try:
        return [_view(indexer.search(handle, suggest=False, **q).to_json()) for q in queries]
    finally:
        handle.close()


def _view(data: dict) -> tuple:
    return data["total"], [hit["id"] for hit in data["hits"]]


def served_view(server: Server, queries: list[dict]) -> list[tuple]:
    views = []
    for q in queries:
        args = {"q": q["query"], "per_page": q.get("per_page", 10), "page": q.get("page", 1)}
        if q.get("sort"):
            args["sort"] = q["sort"]
        status, data = server.get("/api/search?" + urlencode(args))
        assert status == 200, data
        ids = [hit["id"] for hit in data["hits"]]
        assert len(set(ids)) == len(ids), f"an id twice on one page: {ids}"
        views.append(_view(data))
    return views


QUERIES = ([{"query": "chung", "per_page": 50}, {"query": "chung", "per_page": 50, "page": 2},
            {"query": "chung", "per_page": 20, "sort": "date"}]
           + [{"query": word, "per_page": 50} for word in GROUPS + VERSIONS[:3]])


def test_a_served_index_follows_many_reindexes_exactly(tmp_path):
    corpus = Corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    indexer.reindex(corpus.root, index_dir)
    with Server(index_dir, tmp_path / "serve.log") as server:  # stopped however this ends
        loads, stats = serve_through_reindexes(server, corpus, index_dir)
    failures = [f for load in loads for f in load.failures]
    sent = sum(load.sent for load in loads)
    print(f"\n{REINDEXES} reindexes in {stats['elapsed']:.1f} s under {sent} load requests:"
          f" {stats['merges']} with merges; server fds {stats['baseline']} at start, at most"
          f" {stats['most_fds']} ({stats['most_deleted']} on deleted files),"
          f" {len(stats['fds_at_end'])} at the end")
    assert stats["alive"] and not failures, failures[:5]
    assert stats["merges"] >= min(5, REINDEXES // 10), stats["merges"]
    assert not [f for f in stats["fds_at_end"] if f.endswith("(deleted)")], stats["fds_at_end"]
    assert not stats["deleted_maps"], stats["deleted_maps"][:5]
    # Open readers: at most one per request thread plus the two load connections, each
    # holding one descriptor per segment (Whoosh's merge policy keeps segments few).
    assert stats["most_fds"] <= stats["baseline"] + 60, stats
    assert len(stats["fds_at_end"]) <= stats["baseline"] + 30, stats["fds_at_end"]


def serve_through_reindexes(server: Server, corpus: Corpus, index_dir: Path):
    """The reindex loop, checking the server after each reindex; returns the load threads
    and the figures."""
    loads = [Load(server.port, offset=3 * i) for i in range(2)]
    for load in loads:
        load.start()
    merges = most_fds = most_deleted = 0
    baseline = len(server.fds())
    segments = {p.name for p in store.current_generation(index_dir).glob("*.seg")}
    started = time.monotonic()
    try:
        for step in range(1, REINDEXES + 1):
            touched = corpus.change(step)
            full = step % 25 == 0
            indexer.reindex(corpus.root, index_dir, full=full)
            now = {p.name for p in store.current_generation(index_dir).glob("*.seg")}
            merges += not full and bool(segments - now)
            segments = now
            records = corpus.records()

            expected = expected_view(index_dir, QUERIES)
            deadline = time.monotonic() + 1.5  # a refresh on a clock gets its chance
            while True:
                documents = server.get("/healthz")[1]["documents"]
                served = served_view(server, QUERIES)
                if (documents, served) == (len(records), expected):
                    break
                if time.monotonic() > deadline:
                    assert documents == len(records), step
                    assert served == expected, step
                time.sleep(0.1)
            assert served[0][0] == len(records), step  # every document has "chung"
            for word, (total, ids) in zip(GROUPS, served[3:8], strict=True):
                holding = {i for i, r in records.items() if f" {word} " in r["text"]}
                assert (total, set(ids)) == (len(holding), holding), (step, word)
            for doc_id in touched["deleted"] - set(records):
                assert server.get(f"/api/doc/{quote(doc_id)}")[0] == 404, (step, doc_id)
            for doc_id in (touched["added"] | touched["updated"]) & set(records):
                status, data = server.get(f"/api/doc/{quote(doc_id)}")
                assert (status, data.get("body")) == (200, records[doc_id]["text"]), step

            fds = server.fds()
            most_fds = max(most_fds, len(fds))
            most_deleted = max(most_deleted, sum(f.endswith("(deleted)") for f in fds))
        elapsed = time.monotonic() - started
    finally:
        for load in loads:
            load.stopping.set()
        for load in loads:
            load.join(timeout=30)
    server.get("/healthz")  # requests over: only the live commit's files are open
    return loads, {
        "elapsed": elapsed, "merges": merges, "baseline": baseline, "most_fds": most_fds,
        "most_deleted": most_deleted, "fds_at_end": server.fds(),
        "deleted_maps": server.deleted_maps(), "alive": server.process.poll() is None}
