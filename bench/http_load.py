"""HTTP throughput: ``vnsearch serve`` (waitress) under a bounded keep-alive load.

The server runs as a child process on 127.0.0.1 and a free port, and is always
stopped at the end (:class:`Server` is a context manager). The client is a
thread per connection, each with its own keep-alive ``http.client`` connection,
taking request numbers from a shared counter until a fixed request count or a
wall-clock limit is reached, whichever comes first.

Queries cycle through the query set. The library keeps a per-index LRU of
results, so a plain cycle measures mostly cache hits after its first lap;
``unique=True`` gives every request a distinct letter-case variant of its query
(same words, same work, a different cache key) to measure real searches.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .procs import child_env, code_root

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """``vnsearch serve --index DIR`` on a free loopback port, for a ``with`` block."""

    def __init__(self, index_dir: Path, log: Path, threads: int = 4, ready_timeout: float = 90,
                 workers: int = 1):
        self.index_dir, self.log, self.threads = Path(index_dir), Path(log), threads
        self.workers = workers
        self.ready_timeout = ready_timeout
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "w", encoding="utf-8")
        cmd = [sys.executable, "-m", "indexer.cli", "serve", "--index", str(self.index_dir),
               "--host", HOST, "--port", str(self.port), "--threads", str(self.threads),
               "--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, cwd=code_root(), env=child_env(), stdout=self._log_file,
                                     stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {self.ready_timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log_file:
            self._log_file.close()
            self._log_file = None


@dataclass
class LoadResult:
    path: str
    concurrency: int
    unique: bool
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def case_variant(query: str, n: int) -> str:
    """The ``n``-th letter-case variant of ``query`` (n=0 is the query itself)."""
    letters = [i for i, ch in enumerate(query) if ch.isalpha()]
    chars = list(query)
    for bit, i in enumerate(letters):
        if n >> bit & 1:
            chars[i] = chars[i].upper()
    return "".join(chars)


def request_paths(path: str, queries: list[str], count: int, unique: bool,
                  first_lap: int = 0) -> list[str]:
    """``count`` request paths cycling through ``queries``.

    With ``unique``, lap ``k`` uses case variant ``first_lap + k + 1`` (wrapping
    around after 2**letters variants, far beyond the cache's reach).
    """
    out = []
    for i in range(count):
        lap, query = divmod(i, len(queries))
        q = queries[query]
        if unique:
            q = case_variant(q, (first_lap + lap) % (2 ** sum(ch.isalpha() for ch in q) - 1) + 1)
        out.append(f"{path}{'&' if '?' in path else '?'}q={quote(q)}")
    return out


def load(port: int, path: str, queries: list[str], concurrency: int, requests: int,
         max_seconds: float = 20.0, unique: bool = False, first_lap: int = 0) -> LoadResult:
    """``requests`` GETs of ``path?q=…`` over ``concurrency`` keep-alive connections."""
    paths = request_paths(path, queries, requests, unique, first_lap)
    result = LoadResult(path, concurrency, unique)
    counter = itertools.count()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        latencies, errors, first_error = [], 0, None
        try:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter)
                if i >= len(paths):
                    break
                t0 = time.perf_counter()
                try:
                    conn.request("GET", paths[i])
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        errors += 1
                        first_error = first_error or f"HTTP {response.status} for {paths[i]}"
                except (OSError, http.client.HTTPException) as exc:
                    errors += 1
                    first_error = first_error or f"{type(exc).__name__}: {exc}"
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
                latencies.append((time.perf_counter() - t0) * 1000)
        finally:
            conn.close()
            with lock:
                result.latencies_ms += latencies
                result.errors += errors
                result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies_ms)
    return result


@dataclass
class ProbeResult:
    """Latencies of cheap probes sent one at a time while other connections load the server."""

    probe_ms: list[float] = field(default_factory=list)
    probe_took_ms: list[float] = field(default_factory=list)  # the server's own took_ms
    load_ms: list[float] = field(default_factory=list)
    load_timed_out: int = 0
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def probe_under_load(port: int, load_paths: list[str], probe_paths: list[str],
                     connections: int = 4, settle: float = 1.0, interval: float = 0.25,
                     timeout: float = 120) -> ProbeResult:
    """Keep ``connections`` requests of ``load_paths`` in flight (each connection sends
    its next one as soon as it is answered), and meanwhile send ``probe_paths`` one at a
    time, ``interval`` apart, after ``settle`` seconds, on a connection of their own."""
    result = ProbeResult()
    lock = threading.Lock()
    done = threading.Event()
    counter = itertools.count()
    started = time.perf_counter()

    def error(message: str) -> None:
        with lock:
            result.errors += 1
            result.first_error = result.first_error or message

    def loader() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            while not done.is_set():
                path = load_paths[next(counter) % len(load_paths)]
                t0 = time.perf_counter()
                try:
                    status, body = _get(conn, path)
                except (OSError, http.client.HTTPException) as exc:
                    error(f"{type(exc).__name__}: {exc}")
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                    continue
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    result.load_ms.append(elapsed)
                    result.load_timed_out += b'"timed_out": true' in body or \
                        b'"timed_out":true' in body
                if status != 200:
                    error(f"HTTP {status} for {path}")
        finally:
            conn.close()

    threads = [threading.Thread(target=loader) for _ in range(connections)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(settle)
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            for path in probe_paths:
                t0 = time.perf_counter()
                try:
                    status, body = _get(conn, path)
                    if status != 200:
                        error(f"HTTP {status} for probe {path}")
                    else:
                        result.probe_took_ms.append(json.loads(body).get("took_ms", 0.0))
                except (OSError, http.client.HTTPException) as exc:
                    error(f"probe: {type(exc).__name__}: {exc}")
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                result.probe_ms.append((time.perf_counter() - t0) * 1000)
                time.sleep(interval)
        finally:
            conn.close()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    result.seconds = time.perf_counter() - started
    return result
