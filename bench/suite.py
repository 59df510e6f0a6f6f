"""The benchmark suite: ``python -m bench [--docs 10000,100000] [--quick] [--hostile] [--out ...]``.

For each corpus size: generate the corpus, build FTS5 and Whoosh (``procs=1``
and ``procs=2``) indexes, measure cold and warm query latency on both and time
incremental reindexes of 1 and 100 changed documents; on the largest size, run
the hostile queries (:mod:`bench.hostile`: worst case with the time budget, and
a probe's latency while they load the server) first; on the smallest, load
``vnsearch serve`` over HTTP, sampling its memory. Sizes above
``--procs1-max-docs`` (default 100,000; a procs=1 build of a million documents
takes ~50 min on 2 cores) build with ``procs=2`` only, and that index is the one
searched, reindexed and (for the largest such size) loaded over HTTP too.
Prints one Markdown table and a growth table (each figure at every size, with
its ratio to FTS5) and writes them, with the machine and the command, to
``--out``. ``--hostile`` runs the hostile step alone (reusing the largest
corpus and index in ``--workdir``) and replaces only that section of ``--out``.

A step that fails is reported in the table and the notes and the run goes on;
the exit status is then 1. ``--budget-minutes`` may skip a ``procs=2`` build
projected to overrun the budget (never the only build of a size) and the HTTP
load of a size above ``--procs1-max-docs`` (noted as such); everything else
always runs.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from indexer.cli.evaluation import percentile

from . import corpus_gen, facets, hostile, http_load, queries, report
from . import procs as procs_mod
from .procs import ROOT, ChildError, run_child
from .report import Row, num, pair

DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000,)
RESERVE_S = 300  # kept for latency, incremental and HTTP runs when budgeting a procs=2 build
PROCS1_MAX_DOCS = 100_000
"""Sizes above this build only with ``procs=2`` (procs=1 takes ~265 s for 100k documents
here, ~50 min for 1M): that index is then the one searched, reindexed and loaded."""
HTTP_RESERVE_S = 180  # the HTTP load of a size above PROCS1_MAX_DOCS runs if this is left
FACETS_LARGE = 40
"""Requests per side of the facets comparison above PROCS1_MAX_DOCS: at 1M docs a search
takes ~0.7 s at c=1, and 150+150 took 3.8 min, more than the rest of the HTTP step."""


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    quick: bool
    out: Path
    workdir: Path
    budget_s: float
    query_count: int
    http_requests: tuple[int, int]  # at c=1, at c=16
    http_seconds: float
    code: str  # head | worktree
    hostile_only: bool = False
    http_only: bool = False
    procs1_max_docs: int = PROCS1_MAX_DOCS


class StepFailed(RuntimeError):
    pass


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark vnsearch (Whoosh) against SQLite FTS5 on generated corpora.",
        epilog="Example: .venv/bin/python -m bench --quick",
    )
    parser.add_argument("--docs", help="comma-separated corpus sizes (default 10000,100000;"
                                       " --quick: 2000)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2,000 documents, 20 queries, short HTTP loads")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md",
                        help="Markdown file to (over)write (default bench/RESULTS.md)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vnsearch-bench"),
                        help="where corpora and indexes go; must be outside the repository")
    parser.add_argument("--code", choices=("head", "worktree"), default="head",
                        help="measure the engine as committed at HEAD (a git-archive snapshot"
                             " in the workdir; default) or the working tree as it is")
    parser.add_argument("--hostile", action="store_true",
                        help="only the hostile-query step, on the largest size (reusing its "
                             "corpus and index in --workdir when present); replaces that "
                             "section of --out")
    parser.add_argument("--http", action="store_true",
                        help="only the HTTP load (with the server's memory) on the largest "
                             "size's index left in --workdir by a full run; prints its rows "
                             "and writes nothing")
    parser.add_argument("--budget-minutes", type=float, default=28.0,
                        help="skip a procs=2 build projected to end past this, and the HTTP "
                             "load of a size above --procs1-max-docs if less than 3 min of it "
                             "is left (default 28)")
    parser.add_argument("--procs1-max-docs", type=int, default=PROCS1_MAX_DOCS,
                        help="sizes above this build only with procs=2 and search, reindex "
                             "and load that index; the largest such size is also loaded over "
                             f"HTTP (default {PROCS1_MAX_DOCS:,})")
    args = parser.parse_args(argv)
    if args.docs:
        try:
            sizes = tuple(sorted({int(x.replace("_", "")) for x in args.docs.split(",")}))
        except ValueError:
            parser.error(f"--docs must be comma-separated integers, not {args.docs!r}")
        if not sizes or min(sizes) < 10:
            parser.error("--docs sizes must be at least 10")
    else:
        sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    workdir = args.workdir.resolve()
    if workdir == ROOT or ROOT in workdir.parents:
        parser.error(f"--workdir must be outside the repository ({ROOT})")
    return Settings(
        sizes=sizes, quick=args.quick, out=args.out, workdir=workdir,
        budget_s=args.budget_minutes * 60, query_count=20 if args.quick else 60,
        http_requests=(40, 120) if args.quick else (150, 480),
        http_seconds=10.0 if args.quick else 20.0, code=args.code, hostile_only=args.hostile,
        http_only=args.http,
        procs1_max_docs=args.procs1_max_docs,
    )


def build_procs(n: int, procs1_max_docs: int) -> tuple[int, ...]:
    """The Whoosh builds made at ``n`` documents: procs=1 and 2, or 2 alone above the limit."""
    return (1, 2) if n <= procs1_max_docs else (2,)


class Suite:
    def __init__(self, settings: Settings):
        self.s = settings
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.hostile_rows: list[Row] = []
        self.hostile_notes: list[str] = []
        self.failures: list[str] = []
        self.started = time.monotonic()
        self.code = report.code_fingerprint()
        self.p1_seconds: dict[int, float] = {}  # corpus size -> procs=1 build time
        self.p2_factor: float | None = None  # procs=2 time / procs=1 time, once measured

    # -- helpers -----------------------------------------------------------
    def log(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed / 60:5.1f} min] {message}", file=sys.stderr, flush=True)

    def check_code(self, tag: str) -> None:
        """Others edit the working tree while we measure: say so if it changed under us."""
        if procs_mod.code_root() != ROOT:
            return  # a snapshot cannot change
        code = report.code_fingerprint()
        if code != self.code:
            note = (f"CODE CHANGED during the run: indexer/ or search_app/ sources changed "
                    f"before step {tag} ({self.code} -> {code}); figures before and after it "
                    f"come from different code, and indexes built before it are searched by "
                    f"the newer code")
            self.notes.insert(0, note)
            self.log(note)
            self.code = code

    def child(self, task: str, args: dict, tag: str, timeout: float = 3600) -> dict:
        self.check_code(tag)
        self.log(f"{tag} ...")
        result = run_child(task, args, timeout, log=self.s.workdir / "logs" / f"{tag}.log")
        expected = procs_mod.code_root().resolve()
        if result.get("code") and Path(result["code"]) != expected:
            raise ChildError(f"{tag} imported indexer from {result['code']}, not {expected}")
        self.log(f"{tag}: {result.get('seconds', result['wall_s']):.2f} s, "
                 f"peak RSS {result['peak_rss_mb']:.0f} MB")
        return result

    def fail(self, area: str, docs: int | None, what: str, exc: BaseException) -> None:
        message = f"{area} ({docs or '-'} docs) {what}: {exc}"
        self.failures.append(message)
        rows = self.hostile_rows if area.startswith("hostile") else self.rows
        rows.append(Row(area, docs, what, "FAILED"))
        self.log("FAILED " + message)

    def index_of(self, n: int) -> Path:
        """The index searched, reindexed and loaded at ``n`` documents."""
        procs = build_procs(n, self.s.procs1_max_docs)[0]
        return self.s.workdir / f"n{n}" / f"whoosh-p{procs}"

    def left_s(self) -> float:
        return self.s.budget_s - (time.monotonic() - self.started)

    # -- the run -----------------------------------------------------------
    def run(self) -> None:
        if self.s.hostile_only:
            self.hostile_only(max(self.s.sizes))
            return
        pool = corpus_gen.load_pool()
        if self.s.quick:
            query_set = queries.quick_set(pool, self.s.query_count)
        else:
            query_set = queries.query_set(pool, self.s.query_count)
        self.queries = query_set
        if self.s.http_only:
            largest = max(self.s.sizes)
            if not (self.index_of(largest) / "CURRENT").exists():
                self.fail("HTTP", largest, "server", StepFailed(
                    f"no index at {self.index_of(largest)}: run the full suite first"))
            else:
                self.http(self.index_of(largest), largest)
            return
        for n in self.s.sizes:
            self.size(n, pool, largest=n == max(self.s.sizes))
        smallest, largest = min(self.s.sizes), max(self.s.sizes)
        self.http(self.index_of(smallest), smallest)
        if largest != smallest and largest > self.s.procs1_max_docs:
            if self.left_s() < HTTP_RESERVE_S:
                note = (f"HTTP load of {largest:,} docs skipped: {self.left_s():.0f} s left of "
                        f"the {self.s.budget_s / 60:.0f} min budget")
                self.notes.append(note)
                self.rows.append(Row("HTTP", largest, "skipped (time budget)", "—"))
                self.log(note)
            else:
                self.http(self.index_of(largest), largest)

    def size(self, n: int, pool: corpus_gen.Pool, largest: bool) -> None:
        base = self.s.workdir / f"n{n}"
        corpus = base / "corpus"
        self.log(f"generating {n:,} documents")
        t0 = time.perf_counter()
        info = corpus_gen.write_corpus(corpus_gen.generate(n, pool=pool), corpus)
        gen_s = time.perf_counter() - t0
        mb = info.text_bytes / 1e6
        self.rows.append(Row("corpus", n, "generated: files / title+text MB / JSONL MB",
                             f"{info.files} files; {num(mb)} MB; {num(info.file_bytes / 1e6)}"
                             f" MB (seed 42, {gen_s:.1f} s)"))

        fts = None
        try:
            fts = self.child("build-fts5", {"corpus": str(corpus), "db": str(base / "fts5.db")},
                             f"n{n}-build-fts5")
            if fts["documents"] != n:
                raise StepFailed(f"FTS5 holds {fts['documents']} rows, expected {n}")
        except (ChildError, StepFailed) as exc:
            self.fail("index build", n, "FTS5 build", exc)
            fts = None
        procs_built = build_procs(n, self.s.procs1_max_docs)
        if 1 not in procs_built:
            self.rows.append(Row("index build, procs=1", n, f"not run: above "
                                 f"{self.s.procs1_max_docs:,} docs only procs=2 builds", "—"))
        for procs in procs_built:
            self.build_whoosh(n, corpus, base, procs, mb, fts)
        index = self.index_of(n)
        self.latency(n, index, fts is not None)
        if largest:
            hostile.measure(self, index, n)
            self.incremental(n, corpus, index)
        else:  # on the procs=2 index, deleted next: the one loaded over HTTP stays as built
            self.incremental(n, corpus, base / "whoosh-p2")
        if index.name != "whoosh-p2":
            shutil.rmtree(base / "whoosh-p2", ignore_errors=True)

    def hostile_only(self, n: int) -> None:
        """The hostile step alone, on the corpus and index a full run left in the workdir
        (generated and built, with ``procs=2``, if absent)."""
        base = self.s.workdir / f"n{n}"
        corpus, index = base / "corpus", base / "whoosh-p1"
        if len(list(corpus.glob("*.jsonl"))) != -(-n // corpus_gen.PER_FILE):
            self.log(f"generating {n:,} documents")
            corpus_gen.write_corpus(corpus_gen.generate(n), corpus)
            shutil.rmtree(index, ignore_errors=True)
        if not (index / "CURRENT").exists():
            try:
                self.child("build-whoosh", {"corpus": str(corpus), "index": str(index),
                                            "procs": 2}, f"n{n}-build-whoosh-hostile")
            except ChildError as exc:
                self.fail("hostile queries", n, "index build", exc)
                return
        else:
            self.hostile_notes.append(f"reused the {n:,}-document corpus and index in {base}")
        hostile.measure(self, index, n)

    def build_whoosh(self, n: int, corpus: Path, base: Path, procs: int, mb: float,
                     fts: dict | None) -> None:
        area = f"index build, procs={procs}"
        if procs == 2 and n in self.p1_seconds:
            estimate = self.p1_seconds[n] * (self.p2_factor or 1.3)
            remaining = self.s.budget_s - (time.monotonic() - self.started)
            if estimate + RESERVE_S > remaining:
                note = (f"procs=2 build of {n:,} docs skipped: projected {estimate:.0f} s, "
                        f"{remaining:.0f} s left of the {self.s.budget_s / 60:.0f} min budget")
                self.notes.append(note)
                self.rows.append(Row(area, n, "skipped (time budget)", "—"))
                self.log(note)
                return
        try:
            result = self.child("build-whoosh",
                                {"corpus": str(corpus), "index": str(base / f"whoosh-p{procs}"),
                                 "procs": procs}, f"n{n}-build-whoosh-p{procs}")
            if result["documents"] != n:
                raise StepFailed(f"Whoosh indexed {result['documents']} docs, expected {n}")
        except (ChildError, StepFailed) as exc:
            self.fail(area, n, "Whoosh build", exc)
            return
        if procs == 1:
            self.p1_seconds[n] = result["seconds"]
        elif n in self.p1_seconds:
            self.p2_factor = result["seconds"] / self.p1_seconds[n]
        w, f = result, fts or {}
        fs = f.get("seconds")
        self.rows += [
            pair(area, n, "time (s)", w["seconds"], fs),
            pair(area, n, "throughput (docs/s)", n / w["seconds"], n / fs if fs else None),
            pair(area, n, "throughput (MB/s of title+text)", mb / w["seconds"],
                 mb / fs if fs else None),
            pair(area, n, "peak RSS (MB)", w["peak_rss_mb"], f.get("peak_rss_mb")),
            pair(area, n, "index size (MB)", w["index_bytes"] / 1e6,
                 f["index_bytes"] / 1e6 if f else None),
        ]

    def latency(self, n: int, index: Path, have_fts: bool) -> None:
        base = index.parent
        w = f = None
        try:
            w = self.child("latency-whoosh", {"index": str(index),
                                              "queries": self.queries},
                           f"n{n}-latency-whoosh", timeout=1800)
            if not w["cache_cleared"]:
                self.notes.append("could not clear the library's result cache between passes:"
                                  " warm figures may include cache hits")
            cold_out, warm_out = w.get("timed_out", [[], []])
            if cold_out or warm_out:  # their times are the budget's, their totals cut short
                self.notes.append(
                    f"queries that hit the time budget at {n:,} docs: {len(cold_out)} cold, "
                    f"{len(warm_out)} warm ({', '.join(map(repr, (cold_out or warm_out)[:4]))}"
                    f"{' …' if len(cold_out or warm_out) > 4 else ''}): those latencies are the"
                    " budget's, their totals incomplete")
        except ChildError as exc:
            self.fail("query latency", n, "Whoosh queries", exc)
        if have_fts:
            try:
                f = self.child("latency-fts5", {"db": str(base / "fts5.db"),
                                                "queries": self.queries},
                               f"n{n}-latency-fts5", timeout=1800)
                if f["errors"]:
                    self.notes.append(f"FTS5 query errors at {n:,} docs: {f['errors'][:3]}")
            except ChildError as exc:
                self.fail("query latency", n, "FTS5 queries", exc)
        if w is None:
            return
        f = f or {}
        q = len(self.queries)
        for label, key, skip_first in (("warm", "warm_ms", False), ("cold", "cold_ms", True)):
            area = f"query latency, {label}"
            wv = w[key][1:] if skip_first else w[key]
            fv = (f[key][1:] if skip_first else f[key]) if f else []
            for p in (50, 95, 99):
                self.rows.append(pair(area, n, f"p{p} (ms), {q} queries", percentile(wv, p),
                                      percentile(fv, p) if fv else None))
        self.rows.append(pair("query latency, cold", n, "first query after opening (ms)",
                              w["cold_ms"][0], f["cold_ms"][0] if f else None))
        self.rows.append(pair("query latency", n, "search process peak RSS (MB)",
                              w["peak_rss_mb"], f["peak_rss_mb"] if f else None))
        hits_w = sum(t > 0 for t in w["totals"])
        if f:
            hits_f = sum(t > 0 for t in f["totals"])
            same = sum(a == b for a, b in zip(w["totals"], f["totals"], strict=True))
            self.rows.append(Row("query latency", n, "queries with ≥1 hit (same total)",
                                 f"{hits_w}/{q}", f"{hits_f}/{q}", f"({same}/{q} equal)"))
            differ = [(qq, a, b) for qq, a, b in zip(self.queries, w["totals"], f["totals"],
                                                     strict=True) if a != b]
            if differ:
                shown = "; ".join(f"{qq!r} {a} vs {b}" for qq, a, b in differ[:8])
                self.notes.append(f"totals that differ at {n:,} docs (Whoosh vs FTS5): {shown}"
                                  + (" …" if len(differ) > 8 else ""))
        else:
            self.rows.append(Row("query latency", n, "queries with ≥1 hit", f"{hits_w}/{q}"))

    def incremental(self, n: int, corpus: Path, index: Path) -> None:
        if not index.exists():
            return
        for count, seed in ((1, 1), (100, 2)):
            what = "1 changed doc (s)" if count == 1 else f"{count} changed docs (s)"
            try:
                ids = corpus_gen.change_documents(corpus, count, seed, f"#{seed}")
                result = self.child("reindex-whoosh", {"corpus": str(corpus),
                                                       "index": str(index)},
                                    f"n{n}-incremental-{count}")
                if result["updated"] != len(ids):
                    raise StepFailed(f"report.updated == {result['updated']}, expected "
                                     f"{len(ids)}: {result['report']}")
            except (ChildError, StepFailed) as exc:
                self.fail("incremental reindex", n, what, exc)
                continue
            self.rows.append(Row("incremental reindex", n, what,
                                 f"{num(result['seconds'])} s (peak RSS "
                                 f"{num(result['peak_rss_mb'])} MB)"))

    def http(self, index: Path, n: int) -> None:
        if not index.exists():
            return
        c1, c16 = self.s.http_requests
        runs = [("/search", 1, c1, True), ("/search", 16, c16, True),
                ("/api/search", 1, c1, True), ("/api/search", 16, c16, True),
                ("/search", 16, c16, False), ("/api/search", 16, c16, False)]
        lap, cached = 0, False
        self.check_code("HTTP")
        self.log(f"HTTP load against the {n:,}-doc index ({index.name})")
        sampler = None
        try:
            with http_load.Server(index, self.s.workdir / "logs" / f"serve-n{n}.log") as server:
                sampler = procs_mod.MemorySampler(server.proc.pid)
                sampler.start()
                self.notes.append(f"HTTP at {n:,} docs: `vnsearch serve --threads "
                                  f"{server.threads}` (waitress) on 127.0.0.1:{server.port}, "
                                  f"the {index.name} index, client in the bench process")
                http_load.load(server.port, "/api/search", self.queries[:8], 8, 16)  # warm-up
                for path, c, count, unique in runs:
                    if not unique and not cached:  # one unmeasured lap fills the result cache
                        http_load.load(server.port, "/api/search", self.queries, 4,
                                       len(self.queries), 60)
                        cached = True
                    res = http_load.load(server.port, path, self.queries, c, count,
                                         self.s.http_seconds, unique, lap)
                    lap += -(-count // len(self.queries))
                    kind = "unique queries" if unique else "cycled queries (cache hits)"
                    cell = (f"{num(res.rps)} req/s; p50 {num(percentile(res.latencies_ms, 50))}"
                            f" ms; p99 {num(percentile(res.latencies_ms, 99))} ms; "
                            f"{res.errors} errors ({res.requests} req in {res.seconds:.1f} s)")
                    self.rows.append(Row("HTTP", n, f"GET {path}, c={c}, {kind}", cell))
                    self.log(f"HTTP {path} c={c} {kind}: {cell}")
                    if res.first_error:
                        self.notes.append(f"HTTP {path} c={c}: first error: {res.first_error}")
                    if res.errors:
                        self.failures.append(f"HTTP {path} c={c}: {res.errors} errors")
                self.log("HTTP /api/search with facets vs without")
                large = n > self.s.procs1_max_docs
                compared = facets.compare(server.port, self.queries,
                                          min(c1, FACETS_LARGE) if large else c1)
                self.rows.append(Row("HTTP", n, "GET /api/search with facets ÷ without, c=1, "
                                     "unique queries, alternating batches", compared.summary()))
                self.log(f"HTTP facets: {compared.summary()}")
                if compared.errors:
                    self.failures.append(f"HTTP facets: {compared.errors} errors "
                                         f"({compared.first_error})")
                self.server_memory(n, sampler)
        except (RuntimeError, OSError) as exc:
            self.fail("HTTP", n, "server", exc)
        finally:
            if sampler is not None and sampler.is_alive():
                sampler.stop()

    def server_memory(self, n: int, sampler: procs_mod.MemorySampler) -> None:
        sampler.stop()
        cell = (f"{num(sampler.peak / 2**20)} MB RSS; {num(sampler.peak_private / 2**20)} MB "
                f"private ({num(sampler.peak_anonymous / 2**20)} MB of it anonymous)")
        self.rows.append(Row("HTTP", n, SERVER_MEMORY, cell))
        self.log(f"HTTP server memory: {cell}")


SERVER_MEMORY = "server peak RSS; peak private memory, during the HTTP load above"


def methodology(s: Settings, queries_used: list[str]) -> list[str]:
    return [
        "Corpora: resampled sentences of the shipped laws + news pages (bench/corpus_gen.py, "
        "seed 42), ~1.2 KB of title+text per document, JSONL files of 1,000 records, "
        f"in {s.workdir} (outside the repository).",
        "Every measurement runs in its own fresh Python subprocess (bench/child.py); peak RSS "
        "is the max of its ru_maxrss and the sampled RSS sum of its process tree (procs=2 "
        "workers included).",
        "Whoosh build = `indexer.reindex(corpus, fresh_dir, full=True, procs=P)`, which also "
        "reads and hashes the JSONL, trains the accent model and writes the manifest. FTS5 "
        "build = the same JSONL parsed and inserted in one transaction (no 'optimize'). "
        "Index size = apparent bytes of the index folder / database file.",
        "Query latency: `indexer.search(index, q, per_page=10)` (parsing, accent restoration, "
        "ranking with exact top-N collection, highlighted title and snippet, did-you-mean "
        "check) vs FTS5 top-10 by bm25 with snippet() plus a count(*). Each query runs once "
        "per pass in a fresh process: pass 1 = cold (first query, which opens the index, is "
        "reported alone and left out of the cold percentiles), the library's result cache is "
        "emptied, pass 2 = warm: posting lists decoded in pass 1 are then in the library's "
        "posting-list LRU (as SQLite's page cache holds FTS5's pages). The OS page cache is "
        "warm in both (indexes were just written).",
        "FTS5 queries: AND of quoted tokens, phrases quoted, `tok *` prefixes; unicode61 "
        "does not fold đ, so unaccented queries with d (e.g. 'hop dong') miss *đồng* in FTS5: "
        "totals differ there.",
        f"Sizes above {s.procs1_max_docs:,} docs build with procs=2 only (procs=1 would take "
        "~50 min for 1M docs on 2 cores): their latency, hostile, incremental and HTTP figures "
        "are on that procs=2 index; at and below it, on the procs=1 index as before. The time "
        "budget never skips a size's only build.",
        "Incremental reindex: at every size, after the latency runs (and, on the largest, the "
        "hostile queries), on the index searched there, except on smaller sizes that also built "
        "procs=1: there on the procs=2 index, deleted next, so the index loaded over HTTP stays "
        "as built. 1 record's text changed in one JSONL file, then 100 records spread over up "
        "to 50 files; each file is rewritten whole. Checked: report.updated equals the number "
        "changed. FTS5 has no change detection of its own: no FTS5 figure.",
        "HTTP: a fixed request count per run, stopped after "
        f"{s.http_seconds:.0f} s if not done; 'unique' requests use a distinct letter-case "
        "variant of each query (same search work, new key for the library's result cache); "
        "'cycled' repeats the plain query set after one unmeasured lap has filled the "
        "library's result cache: cache hits, i.e. the web layer's own cost. Client and server "
        "share the machine's CPUs. Runs on the smallest size, and on the largest if it is above "
        f"{s.procs1_max_docs:,} docs (there the facets comparison makes {FACETS_LARGE}+"
        f"{FACETS_LARGE} requests, not {s.http_requests[0]}+{s.http_requests[0]}). "
        "Server memory: the server's process tree sampled every "
        "0.5 s from its start to the end of the load: peak RSS (statm), peak private memory "
        "(smaps_rollup Private_Clean + Private_Dirty: resident pages no other process maps, "
        "which includes pages of mapped index files only it maps) and peak anonymous memory "
        "(smaps_rollup Anonymous: the heap, no file pages).",
        f"Query set ({len(queries_used)}): " + ", ".join(f"`{q}`" for q in queries_used),
    ]


def choose_code(s: Settings) -> str:
    """Point the children at the code to measure; describe it for RESULTS.md."""
    dirty = report.worktree_dirty()
    if s.code == "head":
        try:
            commit, folder = procs_mod.snapshot_head(s.workdir)
        except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
            print(f"cannot snapshot HEAD ({exc}); measuring the working tree", file=sys.stderr)
        else:
            procs_mod.use_code(folder)
            return (f"HEAD {commit[:10]} (git-archive snapshot of indexer/ and search_app/)"
                    + ("; uncommitted working-tree changes to them were not measured"
                       if dirty else ""))
    procs_mod.use_code(ROOT)
    return (f"working tree at {report.head_commit()}"
            + (" + uncommitted changes" if dirty else "")
            + f", source fingerprint {report.code_fingerprint()} at the start")


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    settings.workdir.mkdir(parents=True, exist_ok=True)
    command = ".venv/bin/python -m bench " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    started_at = datetime.now()
    load_before = report.load_average()
    code = choose_code(settings)
    suite = Suite(settings)
    try:
        suite.run()
    except KeyboardInterrupt:
        suite.failures.append("interrupted")
        suite.log("interrupted: writing what was measured")
    elapsed = time.monotonic() - suite.started
    failed = [f"FAILED: {f}" for f in suite.failures]
    section = report.hostile_section(
        suite.hostile_rows, failed + suite.hostile_notes if settings.hostile_only
        else suite.hostile_notes, command.strip() if settings.hostile_only else None,
        started_at, load_before, report.load_average(), code)
    if settings.http_only:
        print(f"- command: `{command.strip()}`; date: {started_at:%Y-%m-%d %H:%M} (local); "
              f"code measured: {code}; load average before: {load_before}; after: "
              f"{report.load_average()}\n")
        print(report.table(suite.rows))
        print("\n".join(f"- {note}" for note in failed + suite.notes))
        return 1 if suite.failures else 0
    if settings.hostile_only:
        text = report.with_section(settings.out, section)
        print(report.table(suite.hostile_rows))
    else:
        notes = failed + suite.notes + methodology(settings, getattr(suite, "queries", []))
        text = report.results_md(command.strip(), suite.rows, report.machine(), code, notes,
                                 started_at, elapsed, load_before, report.load_average())
        text += section if suite.hostile_rows else ""
        print(report.table(suite.rows + suite.hostile_rows))
    report.write_results(settings.out, text)
    print(f"\nwritten to {settings.out} ({elapsed / 60:.1f} min)", file=sys.stderr)
    return 1 if suite.failures else 0
