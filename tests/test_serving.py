"""The server under load and while the index is rebuilt under it.

waitress serves the app from a thread on 127.0.0.1 (a free port); client threads send a
bounded number of requests over loopback. Reindexing (incremental and ``--full``) runs
meanwhile: no request may fail, and once the last commit is visible every new document
is found. A separate load test sends a fixed number of mixed requests and reports the
server's memory (the server is in-process: this process's VmRSS).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

import indexer
from search_app import create_app
from tests.helpers import LiveServer, write_jsonl

pytestmark = pytest.mark.slow

QUERIES = ["can bo", "cán bộ đảng viên", "trach nhiem", '"trách nhiệm hình sự"', "thuế OR phí",
           "title:hội", "trách nhi*", "can bo -dang", "xyzzy", "moi", '"', "-", "a" * 600,
           "<script>", "điều 5", "nguoi lao dong", "cong dan", "uy ban nhan dan"]


class Client(threading.Thread):
    """Sends ``count`` requests from ``paths``, one keep-alive connection, and tallies them."""

    def __init__(self, url: str, paths: list[str], count: int, stop: threading.Event | None = None,
                 offset: int = 0):
        super().__init__(daemon=True)
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.paths, self.count, self.stop, self.offset = paths, count, stop, offset
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.slowest = 0.0
        self.sent = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        for i in range(self.count):
            if self.stop is not None and self.stop.is_set():
                break
            path = self.paths[(i + self.offset) % len(self.paths)]
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                self.statuses[response.status] += 1
                if response.status != 200:
                    self.failures.append(f"{response.status} {path}: {body[:200]!r}")
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{type(exc).__name__} {path}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.slowest = max(self.slowest, time.perf_counter() - started)
            self.sent += 1
        conn.close()


def search_paths(queries: list[str]) -> list[str]:
    paths = []
    for q in queries:
        paths.append("/api/search?" + urlencode({"q": q[:500]}))
        paths.append("/search?" + urlencode({"q": q}))
    return paths


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def api(url: str, query: str, **params) -> dict:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", "/api/search?" + urlencode({"q": query, **params}))
        response = conn.getresponse()
        assert response.status == 200
        return json.loads(response.read())
    finally:
        conn.close()


def batch(k: int) -> list[dict]:
    return [{"id": f"moi-{k}-{j}", "title": f"Tin mới đợt {k} số {j}",
             "text": f"Cán bộ đảng viên đợt{k} bổ sung, trách nhiệm mới số {j}.",
             "source": "Báo Mới", "date": f"2024-0{1 + k % 9}-1{j}"} for j in range(3)]


@pytest.fixture
def corpus(tmp_path) -> Path:
    subjects = ["cơ quan nhà nước", "doanh nghiệp", "người lao động", "công dân",
                "ủy ban nhân dân", "hộ gia đình"]
    write_jsonl(tmp_path / "corpus" / "luat.jsonl", [
        {"id": f"luat/{n}", "title": f"Điều {n}. Trách nhiệm của {subjects[n % 6]}",
         "text": f"{subjects[n % 6].capitalize()} có trách nhiệm thi hành Điều {n}. Người vi "
                 f"phạm phải chịu trách nhiệm hình sự theo quy định về thuế và phí. Cán bộ, "
                 f"đảng viên phải gương mẫu. " * 3,
         "source": "Luật Mẫu", "date": f"{2010 + n % 10}-0{1 + n % 9}-1{n % 9}"}
        for n in range(120)])
    return tmp_path / "corpus"


def test_reindex_while_serving_fails_no_request(corpus, tmp_path):
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir, full=True)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    stop = threading.Event()
    with LiveServer(app) as server:
        clients = [Client(server.url, search_paths(QUERIES), 5000, stop, offset=7 * i)
                   for i in range(3)]
        started = time.monotonic()
        for client in clients:
            client.start()
        reports = []
        try:
            for k, full in enumerate([False, False, False, True, True, True]):
                write_jsonl(corpus / f"moi-{k}.jsonl", batch(k))
                if k == 4:  # an edit and a deletion too
                    (corpus / "moi-0.jsonl").unlink()
                reports.append(indexer.reindex(corpus, index_dir, full=full))
                time.sleep(0.3)  # let readers switch to (or refresh onto) what was committed
        finally:
            time.sleep(0.7)
            stop.set()
            for client in clients:
                client.join(timeout=30)
        elapsed = time.monotonic() - started
        assert [r.mode for r in reports] == ["incremental"] * 3 + ["full"] * 3
        assert [r.added for r in reports[:3]] == [3, 3, 3]
        # after the last commit every new document is found, through the server
        deadline = time.monotonic() + 5
        while True:
            found = {hit["id"] for hit in api(server.url, "moi", per_page=50)["hits"]}
            expected = {f"moi-{k}-{j}" for k in range(1, 6) for j in range(3)}
            if found >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert expected <= found, expected - found
        assert not any(i.startswith("moi-0-") for i in found)  # deleted file: gone
        assert api(server.url, "dot5")["total"] == 3
    sent = sum(c.sent for c in clients)
    failures = [f for c in clients for f in c.failures]
    print(f"\nserving during 6 reindexes: {sent} requests in {elapsed:.1f} s, "
          f"slowest {max(c.slowest for c in clients):.2f} s, failures {len(failures)}")
    assert sent >= 100 and elapsed < 15
    assert not failures, failures[:5]


LOAD_REQUESTS = 2000
LOAD_THREADS = 8


def test_bounded_load_has_no_server_errors_and_bounded_memory(shipped_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(shipped_index)})
    queries = QUERIES + [
        "bo luat hinh su", "toi pham", "hinh phat tu", "dieu 151", "mua ban nguoi",
        "trách nhiệm hình sự của pháp nhân thương mại", "xử phạt vi phạm hành chính",
        "quyen va nghia vu", "tòa án nhân dân", "viện kiểm sát", "nghiem xuan thanh",
        "08-QĐi/TW", "ng* th*", '"can bo" OR "dang vien"', "\u0301" * 300,
    ]
    paths = search_paths(queries)
    paths += [f"/api/search?q={quote('trach nhiem')}&page={p}&per_page=50" for p in (1, 2, 40)]
    paths += [f"/search?q={quote('can bo')}&sort=date&page=3",
              f"/api/search?q={quote('can bo')}&from=2015-01-01&to=2020-12-31",
              "/api/suggest?q=tra", "/healthz", "/doc/bo-luat-hinh-su-2015/dieu-151?q=mua",
              "/api/search?q=can&page=0", "/api/search?q=can&per_page=x", "/nope",
              "/search?q=%ED%A0%80", "/api/search?q=%ZZ"]
    rss_before = rss_mb()
    with LiveServer(app) as server:
        warm_up = [Client(server.url, paths, len(paths) // 4, offset=i * len(paths) // 4)
                   for i in range(4)]
        for client in warm_up:
            client.start()
        for client in warm_up:
            client.join(timeout=60)
        rss_warm = rss_mb()  # index opened, accent model loaded, caches filled
        per_thread = LOAD_REQUESTS // LOAD_THREADS
        clients = [Client(server.url, paths, per_thread, offset=13 * i)
                   for i in range(LOAD_THREADS)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=60)
        elapsed = time.monotonic() - started
    rss_after = rss_mb()
    statuses = sum((c.statuses for c in clients), Counter())
    transport = [f for c in clients for f in c.failures if not f[:3].isdigit()]
    print(f"\nload: {sum(statuses.values())} requests, {LOAD_THREADS} threads, {elapsed:.1f} s "
          f"({sum(statuses.values()) / elapsed:.0f}/s), statuses {dict(statuses)}, slowest "
          f"{max(c.slowest for c in clients):.2f} s; RSS {rss_before:.0f} MB before, "
          f"{rss_warm:.0f} MB warm, {rss_after:.0f} MB after")
    assert sum(statuses.values()) == per_thread * LOAD_THREADS and not transport
    assert not any(code >= 500 for code in statuses)
    assert set(statuses) <= {200, 400, 404}
    assert elapsed < 30
    assert rss_after - rss_before < 150
    assert rss_after - rss_warm < 50  # no growth per request: nothing leaks


def test_worker_processes_share_the_port_and_stop_together(shipped_index, tmp_path):
    """``vnsearch serve --workers 2``: two processes answer on one port; SIGTERM to the
    parent stops both and exits 0."""
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--index", str(shipped_index),
         "--port", str(port), "--workers", "2", "--threads", "2"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        children = _children(server.pid)
        assert len(children) == 2
        for query in ("can bo dang vien", "hợp đồng", "tai san*", '"tù chung thân"'):
            assert api(url, query)["total"] > 0
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        time.sleep(0.2)
        assert not set(children) & set(_children(server.pid))
        for pid in children:
            assert not Path(f"/proc/{pid}").exists()
    finally:
        if server.poll() is None:
            server.kill()
        log.close()


def _children(pid: int) -> list[str]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid):
            found.append(stat.parent.name)
    return found


@pytest.mark.parametrize("host, url", [
    ("127.0.0.1", "http://127.0.0.1:5000"), ("::1", "http://[::1]:5000"),
    ("", "http://127.0.0.1:5000"), ("0.0.0.0", "http://127.0.0.1:5000"),
    ("::", "http://[::1]:5000")])
def test_the_address_printed_can_be_opened(host, url):
    """Found by a QA pass: '--host ::1' printed http://::1:5711, '--host ""' http://:5713."""
    from search_app.serving import _url

    assert _url(host, 5000) == url
