"""Where the time goes: cProfile of a full reindex and of a query subset.

    .venv/bin/python -m bench.profiling [--docs 2000] [--index DIR] [--queries 20]
        [--top 15] [--workdir /tmp/vnsearch-bench/profile]

Indexing: ``indexer.reindex(full=True, procs=1)`` of a fresh ``--docs`` corpus.
Queries: the first ``--queries`` of the query set, run once unprofiled (to
open the index and warm it), then once under cProfile with the library's
result cache emptied: the warm path. ``--index`` picks the index to query
(e.g. the suite's ``/tmp/vnsearch-bench/n100000/whoosh-p1``); by default the
one just built. Prints the top ``--top`` entries by cumulative time of each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import time
from pathlib import Path

import indexer

from . import corpus_gen, queries
from .child import _clear_cache


def top(profile: cProfile.Profile, count: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(count)
    return out.getvalue()


def profile_indexing(docs: int, workdir: Path, count: int) -> Path:
    corpus, index = workdir / f"corpus-{docs}", workdir / f"index-{docs}"
    corpus_gen.write_corpus(corpus_gen.generate(docs), corpus)
    shutil.rmtree(index, ignore_errors=True)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    report = indexer.reindex(corpus, index, full=True, procs=1)
    profile.disable()
    print(f"## indexer.reindex(full=True, procs=1): {report.documents:,} docs in "
          f"{time.perf_counter() - started:.1f} s (under cProfile)\n")
    print(top(profile, count))
    return index


def profile_queries(index: Path, how_many: int, count: int) -> None:
    query_set = queries.query_set(corpus_gen.load_pool())[:how_many]
    handle = indexer.open_index(index)
    try:
        for q in query_set:
            indexer.search(handle, q, per_page=10)
        _clear_cache(handle)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for q in query_set:
            indexer.search(handle, q, per_page=10)
        profile.disable()
        print(f"## indexer.search x {len(query_set)} queries (warm, cache emptied) on {index}: "
              f"{time.perf_counter() - started:.2f} s (under cProfile)\n")
        print(top(profile, count))
    finally:
        handle.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--index", type=Path, help="index to query (default: the one built)")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vnsearch-bench/profile"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    built = profile_indexing(args.docs, args.workdir, args.top)
    profile_queries(args.index or built, args.queries, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
