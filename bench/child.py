"""The measured work, one task per child process: ``python -m bench.child TASK JSON``.

Tasks print one ``BENCH-RESULT {json}`` line (see :mod:`bench.procs`):

* ``build-whoosh`` {corpus, index, procs}: ``indexer.reindex(full=True)`` into a fresh folder;
* ``build-fts5`` {corpus, db}: the same records into a fresh FTS5 database;
* ``reindex-whoosh`` {corpus, index}: an incremental ``indexer.reindex``;
* ``read-formats`` {corpus, index}: PDF and DOCX extraction time, then a full reindex
  (see :mod:`bench.formats_bench`);
* ``latency-whoosh`` / ``latency-fts5`` {index | db, queries}: the query set run
  twice in this fresh process; the first pass is *cold* (the first query opens
  the index; the OS page cache is warm, since the index was just written), the
  second is *warm*. Each query runs once per pass, and the library's result
  cache is emptied between passes so the warm pass searches rather than recalls;
* ``hostile-whoosh`` {index, queries, budget_ms, rounds}: the hostile queries
  (:mod:`bench.hostile`), each ``rounds`` times, with the time budget.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from .procs import MARKER


def dir_bytes(path: Path) -> int:
    """Apparent size of a file or of everything under a folder (``du -sb``)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rusage() -> dict:
    return {
        "maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def build_whoosh(corpus: str, index: str, procs: int) -> dict:
    import indexer

    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    report = indexer.reindex(Path(corpus), Path(index), full=True, procs=procs)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "documents": report.documents, "report": report.summary(),
            "index_bytes": dir_bytes(Path(index)), **_rusage()}


def build_fts5(corpus: str, db: str) -> dict:
    from . import fts5
    from .corpus_gen import iter_records

    started = time.perf_counter()
    rows = fts5.build(Path(db), iter_records(Path(corpus)))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "documents": rows, "index_bytes": dir_bytes(Path(db)),
            **_rusage()}


def reindex_whoosh(corpus: str, index: str) -> dict:
    import indexer

    started = time.perf_counter()
    report = indexer.reindex(Path(corpus), Path(index))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "report": report.summary(), "updated": report.updated,
            "index_bytes": dir_bytes(Path(index)), **_rusage()}


def _clear_cache(index) -> bool:
    clear = getattr(getattr(index, "results_cache", None), "clear", None)
    if clear is None:
        return False
    clear()
    return True


def latency_whoosh(index: str, queries: list[str]) -> dict:
    import indexer

    handle = indexer.open_index(Path(index))
    passes: list[list[float]] = []
    totals: list[int] = []
    timed_out: list[list[str]] = []  # per pass: the queries that hit the time budget
    cleared = True
    for _ in range(2):
        cleared = _clear_cache(handle) and cleared
        times = []
        totals = []
        timed_out.append([])
        for query in queries:
            started = time.perf_counter()
            results = indexer.search(handle, query, per_page=10)  # snippets included
            times.append((time.perf_counter() - started) * 1000)
            totals.append(results.total)
            if results.timed_out:
                timed_out[-1].append(query)
        passes.append(times)
    handle.close()
    return {"cold_ms": passes[0], "warm_ms": passes[1], "totals": totals,
            "timed_out": timed_out, "cache_cleared": cleared, **_rusage()}


def latency_fts5(db: str, queries: list[str]) -> dict:
    from . import fts5
    from .queries import to_fts5

    matches = [to_fts5(q) for q in queries]
    conn = fts5.connect(Path(db))
    passes: list[list[float]] = []
    totals: list[int] = []
    errors: list[str] = []
    for _ in range(2):
        times, totals, errors = [], [], []
        for match in matches:
            started = time.perf_counter()
            results = fts5.search(conn, match, limit=10)
            times.append((time.perf_counter() - started) * 1000)
            totals.append(results.total)
            if results.error:
                errors.append(f"{match}: {results.error}")
        passes.append(times)
    conn.close()
    return {"cold_ms": passes[0], "warm_ms": passes[1], "totals": totals, "errors": errors,
            **_rusage()}


def hostile_whoosh(index: str, queries: list[list[str]], budget_ms: float, rounds: int) -> dict:
    from .hostile import run_library

    return {**run_library(index, queries, budget_ms, rounds), **_rusage()}


def read_formats(corpus: str, index: str) -> dict:
    from .formats_bench import read_formats as run

    return {**run(corpus, index), **_rusage()}


TASKS = {
    "read-formats": read_formats,
    "build-whoosh": build_whoosh,
    "build-fts5": build_fts5,
    "reindex-whoosh": reindex_whoosh,
    "latency-whoosh": latency_whoosh,
    "latency-fts5": latency_fts5,
    "hostile-whoosh": hostile_whoosh,
}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in TASKS:
        print(f"usage: python -m bench.child {{{','.join(TASKS)}}} JSON-ARGS", file=sys.stderr)
        return 2
    result = TASKS[argv[0]](**json.loads(argv[1]))
    result["pid"] = os.getpid()
    if "indexer" in sys.modules:  # where the measured engine was imported from
        result["code"] = str(Path(sys.modules["indexer"].__file__).resolve().parent.parent)
    print(MARKER + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
