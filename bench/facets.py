"""``/api/search`` latency with facet counts vs without (issue 15: within 15%).

Both variants run against the same server, in alternating small batches (so a
drift of the machine's load hits both alike; which one goes first alternates too,
as the second finds the batch's posting lists decoded), over unique letter-case variants
of the query set (no result-cache hits; the facet flag is part of the cache key
anyway). The ratio compared is with ÷ without, at p50 and p95.

Standalone, on an index already built (e.g. by ``python -m bench``)::

    .venv/bin/python -m bench.facets --index /tmp/vnsearch-bench/n100000/whoosh-p1
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from indexer.cli.evaluation import percentile

from . import corpus_gen, http_load, queries

WITH = "/api/search"
WITHOUT = "/api/search?facets=0"


@dataclass
class Comparison:
    with_ms: list[float] = field(default_factory=list)
    without_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def ratio(self, p: float) -> float:
        base = percentile(self.without_ms, p)
        return percentile(self.with_ms, p) / base if base else float("nan")

    def summary(self) -> str:
        return (f"p50 {percentile(self.with_ms, 50):.1f} vs {percentile(self.without_ms, 50):.1f}"
                f" ms ({self.ratio(50):.2f}×); p95 {percentile(self.with_ms, 95):.1f} vs "
                f"{percentile(self.without_ms, 95):.1f} ms ({self.ratio(95):.2f}×); "
                f"{len(self.with_ms)}+{len(self.without_ms)} requests, {self.errors} errors")


def compare(port: int, query_set: list[str], requests: int, batch: int = 10,
            first_lap: int = 1000) -> Comparison:
    """``requests`` GETs of each variant at concurrency 1, alternating every ``batch``."""
    result = Comparison()
    lap = first_lap
    done = 0
    while done < requests:
        count = min(batch, requests - done)
        start = done % len(query_set)
        chunk = (query_set[start:] + query_set[:start])[:count]
        order = [(WITHOUT, result.without_ms), (WITH, result.with_ms)]
        if lap % 2:  # whichever goes second finds the batch's posting lists decoded
            order.reverse()
        for path, into in order:
            res = http_load.load(port, path, chunk, 1, count, 600, unique=True, first_lap=lap)
            into += res.latencies_ms
            result.errors += res.errors
            result.first_error = result.first_error or res.first_error
        lap += 1
        done += count
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.facets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="an existing index folder")
    parser.add_argument("--requests", type=int, default=300, help="per variant (default 300)")
    parser.add_argument("--log", type=Path, default=Path("/tmp/vnsearch-bench/facets-serve.log"))
    args = parser.parse_args(argv)
    query_set = queries.query_set(corpus_gen.load_pool(), 60)
    with http_load.Server(args.index, args.log) as server:
        http_load.load(server.port, WITH, query_set[:8], 4, 16)  # warm-up: open, caches
        result = compare(server.port, query_set, args.requests)
    print(f"/api/search with facets vs without ({args.index}): {result.summary()}")
    if result.first_error:
        print(f"first error: {result.first_error}", file=sys.stderr)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
