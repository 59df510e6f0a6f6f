"""Serve the app with waitress: one process, or several sharing one listening socket.

Search is CPU-bound Python, so one process uses one core whatever its thread
count (the GIL). ``workers > 1`` binds the socket once, then forks that many
processes, each with its own app, index handle and caches, all accepting on
the shared socket: the kernel hands each connection to one of them, as with
gunicorn's pre-fork model. Workers are forked before any index is opened or
thread started, and the parent only supervises: if a worker dies, or the
parent is asked to stop (SIGTERM, SIGINT), every worker is stopped.

The socket is bound before "serving on" is printed: a busy port is one line
(:class:`PortInUseError`) and a non-zero exit, not a greeting followed by an
error. Each request is logged as one line on stderr (:class:`RequestLog`).

Each process keeps one request thread for cheap searches: at most ``threads - 1``
searches may run long (see :mod:`indexer.searching.budget`), and each ends at its time
budget. Waitress cannot tell that a client has gone away, so an abandoned
request runs on, but only until its budget.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

from indexer import VnsearchError


class PortInUseError(VnsearchError):
    """Another process listens on the address asked for."""


class RequestLog:
    """WSGI middleware: ``GET /search?q=can+bo 200 12.3 ms`` on ``stream``, once a
    response has been sent (the time includes writing the body)."""

    def __init__(self, app, stream=None):
        self.app = app
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["-"]

        def recording_start(code, headers, exc_info=None):
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        body = self.app(environ, recording_start)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._write(environ, status[0], (time.perf_counter() - started) * 1000)

    def _write(self, environ, status: str, ms: float) -> None:
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        path = _UNSAFE_IN_LOG.sub(lambda m: "%" + m.group().encode("utf-8").hex("%").upper(),
                                  path[:500])
        line = f"{environ.get('REQUEST_METHOD', '-')} {path} {status} {ms:.1f} ms\n"
        stream = self.stream or sys.stderr
        with self._lock:
            try:
                stream.write(line)
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed stderr must not fail requests


_UNSAFE_IN_LOG = re.compile(r"[\x00-\x20\x7f-\x9f]")
"""Characters a request path may carry once decoded (``%0a``, ``%1b``, ``%00``, a space)
that would forge a log line or drive the terminal: written percent-encoded again."""

SWITCH_INTERVAL_S = 0.001


def _app(index_dir: str, log: bool, budget_ms: int | None):
    from . import create_app

    config = {"INDEX_DIR": index_dir}
    if budget_ms is not None:
        config["QUERY_BUDGET_MS"] = budget_ms
    app = create_app(config)
    return RequestLog(app) if log else app


def _run(index_dir: str, threads: int, log: bool, budget_ms: int | None, **listen) -> None:
    from waitress import serve

    import indexer

    # Every search ends at its time budget, but with every thread on a long one a
    # cheap request would still queue: long searches may hold all threads but one.
    indexer.limit_heavy_queries(max(1, threads - 1))
    indexer.tune_server_heap()  # before waitress starts its threads (their arenas)
    # A thread waiting for the GIL (waitress's I/O loop, a cheap request) waits up to
    # this long each time a CPU-bound search holds it (Python's default: 5 ms).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    serve(_app(index_dir, log, budget_ms), threads=threads, ident="vnsearch", _quiet=True,
          **listen)


def _url(host: str, port: int) -> str:
    """The address to open: every interface ("" or 0.0.0.0) as this machine, an IPv6
    address in brackets (``http://[::1]:5000``)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    if shown == "::":
        shown = "::1"
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or one clear line if the address is taken or not ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        host.encode("idna")  # before a socket exists: the resolver fails on bytes it lacks
        return socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = _free_port(host, family, port)
            hint = (f" (vnsearch serve --port {free}, make run PORT={free})"
                    if free else "")
            raise PortInUseError(
                f"port {port} on {host} is already in use: stop the other server or pick "
                f"another port{hint}") from None
        raise VnsearchError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except (TypeError, UnicodeError, ValueError) as exc:  # a host no resolver can encode
        raise VnsearchError(f"cannot listen on {host!r}:{port}: not a host name or"
                            f" address ({exc})") from None


def _free_port(host: str, family, busy: int) -> int | None:
    """The next port after ``busy`` that can be bound now (the one to suggest), if any
    of the next 20 is."""
    for port in range(busy + 1, min(busy + 21, 65536)):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.bind((host, port))
            return port
        except OSError:
            continue
    return None


def serve(index_dir: str, host: str = "127.0.0.1", port: int = 5000, threads: int = 4,
          workers: int = 1, echo: Callable[[str], None] = print, log: bool = True,
          prepare: Callable[[], None] | None = None, budget_ms: int | None = None) -> int:
    """Serve until stopped; returns an exit status (non-zero if a worker failed).

    ``log``: one line per request on stderr (method, path, status, milliseconds);
    ``prepare``: run once the port is ours, before anything is served (building a
    missing index), so a busy port is reported before any other work or output;
    ``budget_ms``: time budget of one search (None: ``VNSEARCH_QUERY_BUDGET_MS`` or the
    library's 2 s; 0: no limit).
    """
    listener = _bind(host, port)
    if prepare is not None:
        try:
            prepare()
        except BaseException:
            listener.close()
            raise
    if workers <= 1 or not hasattr(os, "fork"):
        echo(f"serving on {_url(host, port)}")
        _run(index_dir, threads, log, budget_ms, sockets=[listener])
        return 0
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: default signal handling, serve, never return
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            status = 0
            try:
                _run(index_dir, threads, log, budget_ms, sockets=[listener])
            except BaseException as exc:  # noqa: BLE001  (reported, then the worker ends)
                print(f"worker {os.getpid()} stopped: {type(exc).__name__}: {exc}",
                      file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        children.append(pid)
    listener.close()
    echo(f"serving on {_url(host, port)} with {workers} worker processes")
    return _supervise(children)


def _supervise(children: list[int]) -> int:
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    status = 0
    try:
        while children and not stopping:
            pid, code = os.waitpid(-1, os.WNOHANG)
            if pid:
                children.remove(pid)
                status = 1  # a worker ended on its own: stop the rest, report failure
                break
            time.sleep(0.2)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        for pid in children:
            try:
                while time.monotonic() < deadline and not os.waitpid(pid, os.WNOHANG)[0]:
                    time.sleep(0.05)
                if time.monotonic() >= deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
