"""Serve the app with waitress: one process, or several sharing one listening socket.

Search is CPU-bound Python, so one process uses one core whatever its thread
count (the GIL). ``workers > 1`` binds the socket once, then forks that many
processes, each with its own app, index handle and caches, all accepting on
the shared socket: the kernel hands each connection to one of them, as with
gunicorn's pre-fork model. Workers are forked before any index is opened or
thread started, and the parent only supervises: if a worker dies, or the
parent is asked to stop (SIGTERM, SIGINT), every worker is stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable


def _run(index_dir: str, threads: int, **listen) -> None:
    from waitress import serve

    from . import create_app

    serve(create_app({"INDEX_DIR": index_dir}), threads=threads, ident="vnsearch", **listen)


def serve(index_dir: str, host: str = "127.0.0.1", port: int = 5000, threads: int = 4,
          workers: int = 1, echo: Callable[[str], None] = print) -> int:
    """Serve until stopped; returns an exit status (non-zero if a worker failed)."""
    if workers <= 1 or not hasattr(os, "fork"):
        echo(f"serving on http://{host}:{port}")
        _run(index_dir, threads, host=host, port=port)
        return 0
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: default signal handling, serve, never return
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            status = 0
            try:
                _run(index_dir, threads, sockets=[listener])
            except BaseException as exc:  # noqa: BLE001  (reported, then the worker ends)
                print(f"worker {os.getpid()} stopped: {type(exc).__name__}: {exc}",
                      file=sys.stderr)
                status = 1
            finally:
                os._exit(status)
        children.append(pid)
    listener.close()
    echo(f"serving on http://{host}:{port} with {workers} worker processes")
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
