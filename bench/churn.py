"""Index growth under incremental updates, against FTS5 (issue 16): ``python -m bench.churn``.

Generates a corpus, builds vnsearch and FTS5 indexes of it, then edits ``--updates``
documents in batches of ``--batch`` (:func:`bench.corpus_gen.change_documents`: each
touched file rewritten whole) and runs ``indexer.reindex`` after each batch, applying
the same edits to FTS5 (``UPDATE`` by rowid, no ``optimize``). Reports the sizes of
both after the updates and their ratio, the time of the batch reindexes (compaction
included), then the time of a one-document reindex, whether the bench queries' top 10s
equal those of a fresh build of the final corpus, and what ``vnsearch optimize`` takes
and leaves. Runs the library in this process, from the working tree (or whatever
``indexer`` is first on ``sys.path``: the same script measures older code).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import indexer

from . import corpus_gen, fts5, queries, report
from .procs import ROOT
from .report import Row, num, pair

SECTION = "Compaction"


def _size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _index_bytes(index_dir: Path) -> int:
    return _size(indexer.current_generation(index_dir))


def _segments(index_dir: Path) -> list[tuple[int, int]]:
    """(documents, deleted) per segment of the live commit (Whoosh's own reader)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(indexer.current_generation(index_dir)), indexname="MAIN")
    try:
        with ix.reader() as reader:
            return [(leaf.doc_count_all(), leaf.doc_count_all() - leaf.doc_count())
                    for leaf, _ in reader.leaf_readers()]
    finally:
        ix.close()


def _fts5_update(db: Path, corpus: Path, changed: list[str], rowids: dict[str, int]) -> None:
    wanted = set(changed)
    edited = [(r["title"], r["text"], rowids[r["id"]])
              for r in corpus_gen.iter_records(corpus) if r["id"] in wanted]
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.executemany("UPDATE docs SET title = ?, body = ? WHERE rowid = ?", edited)
    finally:
        conn.close()


def _top10(index_dir: Path, query_set: list[str]) -> dict[str, list]:
    handle = indexer.open_index(index_dir)
    try:
        return {q: [(h.id, h.score) for h in indexer.search(handle, q, suggest=False,
                                                             budget=0).hits]
                for q in query_set}
    finally:
        handle.close()


def _latency(index_dir: Path, query_set: list[str], rounds: int = 3) -> float:
    """Median over the queries of each one's median time (ms), result cache emptied
    before each search (the posting cache warm after the first round)."""
    handle = indexer.open_index(index_dir)
    times: dict[str, list[float]] = {q: [] for q in query_set}
    try:
        for _ in range(rounds + 1):
            for query in query_set:
                handle.results_cache.clear()
                started = time.perf_counter()
                indexer.search(handle, query, suggest=False, budget=0)
                times[query].append((time.perf_counter() - started) * 1000)
    finally:
        handle.close()
    return statistics.median(statistics.median(t[1:]) for t in times.values())


def _fts5_latency(db: Path, query_set: list[str], rounds: int = 3) -> float:
    conn = fts5.connect(db)
    times: dict[str, list[float]] = {q: [] for q in query_set}
    try:
        for _ in range(rounds + 1):
            for query in query_set:
                started = time.perf_counter()
                fts5.search(conn, queries.to_fts5(query))
                times[query].append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    return statistics.median(statistics.median(t[1:]) for t in times.values())


def _same(a: list, b: list, scores: bool) -> bool:
    if [i for i, _ in a] != [i for i, _ in b]:
        return False
    return not scores or all(abs(x - y) <= 1e-9 * max(abs(x), 1) for (_, x), (_, y)
                             in zip(a, b, strict=True))


def run(docs: int, updates: int, batch: int, workdir: Path,
        procs: int = 1) -> tuple[list[Row], list[str]]:
    workdir.mkdir(parents=True, exist_ok=True)
    corpus, index, fresh = workdir / "corpus", workdir / "index", workdir / "fresh"
    db = workdir / "fts5.db"
    pool = corpus_gen.load_pool()
    info = corpus_gen.write_corpus(corpus_gen.generate(docs, pool=pool), corpus)
    rows, notes = [], []
    started = time.perf_counter()
    indexer.reindex(corpus, index, full=True, procs=procs)
    build_s = time.perf_counter() - started
    fts5.build(db, corpus_gen.iter_records(corpus))
    conn = sqlite3.connect(db)
    rowids = dict((i, r) for r, i in conn.execute("SELECT rowid, id FROM docs"))
    conn.close()
    before, fts_before = _index_bytes(index), _size(db)
    rows.append(pair("churn", docs, "index size after a full build (MB)", before / 1e6,
                     fts_before / 1e6))
    times, merges, purged = [], 0, 0
    for k in range(updates // batch):
        changed = corpus_gen.change_documents(corpus, batch, seed=1000 + k, tag=f"u{k}")
        started = time.perf_counter()
        done = indexer.reindex(corpus, index)
        times.append(time.perf_counter() - started)
        merges += getattr(done, "merges", 0)
        purged += getattr(done, "purged", 0)
        _fts5_update(db, corpus, changed, rowids)
        print(f"batch {k + 1}: {done.updated} updated, {times[-1]:.1f} s, "
              f"{_index_bytes(index) / 1e6:.1f} MB", file=sys.stderr)
    after, fts_after = _index_bytes(index), _size(db)
    segments = _segments(index)
    rows.append(pair("churn", docs, f"index size after {updates:,} updates (MB)",
                     after / 1e6, fts_after / 1e6))
    rows.append(Row("churn", docs, f"reindex of {batch:,} changed docs, mean / max (s)",
                    f"{num(statistics.mean(times))} / {num(max(times))}"))
    rows.append(Row("churn", docs, "segments; most deleted in one; merges; purged docs",
                    f"{len(segments)}; {max(d / n for n, d in segments):.1%}; {merges}; "
                    f"{purged:,}"))
    one = []
    for k in range(3):
        corpus_gen.change_documents(corpus, 1, seed=5000 + k, tag=f"one{k}")
        started = time.perf_counter()
        indexer.reindex(corpus, index)
        one.append(time.perf_counter() - started)
    rows.append(Row("churn", docs, "reindex of 1 changed doc, 3 runs: median / max (s)",
                    f"{num(statistics.median(one))} / {num(max(one))}"))
    started = time.perf_counter()
    indexer.reindex(corpus, fresh, full=True, procs=procs)
    fresh_s = time.perf_counter() - started
    query_set = queries.query_set(pool, 60)
    ours, theirs = _top10(index, query_set), _top10(fresh, query_set)
    answered = sum(bool(hits) for hits in theirs.values())
    same_ids = sum(_same(ours[q], theirs[q], False) for q in query_set)
    same_all = sum(_same(ours[q], theirs[q], True) for q in query_set)
    rows.append(Row("churn", docs, "bench queries whose top 10 equals a fresh build's: ids;"
                    " ids and scores", f"{same_ids} / {len(query_set)}; {same_all} / "
                    f"{len(query_set)}"))
    rows.append(Row("churn", docs, "fresh build of the final corpus: size (MB); time (s)",
                    f"{num(_index_bytes(fresh) / 1e6)}; {num(fresh_s)}"))
    fts_ms = _fts5_latency(db, query_set)
    rows.append(pair("churn", docs, "warm p50 of the bench queries, updated index (ms)",
                     _latency(index, query_set), fts_ms))
    rows.append(pair("churn", docs, "warm p50 of the bench queries, fresh build (ms)",
                     _latency(fresh, query_set), fts_ms))
    if hasattr(indexer, "optimize"):
        started = time.perf_counter()
        optimized = indexer.optimize(index)
        rows.append(pair("churn", docs, "after `vnsearch optimize`: size (MB)",
                         _index_bytes(index) / 1e6, fts_after / 1e6))
        rows.append(Row("churn", docs, "`vnsearch optimize`: time (s); purged docs",
                        f"{num(time.perf_counter() - started)}; {optimized.purged:,}"))
    notes += [
        f"corpus: {info.docs:,} generated documents (seed 42), {info.text_bytes / 1e6:.1f} MB of "
        f"title+text; full builds (the first and the fresh one) with procs={procs}: "
        f"{build_s:.1f} s; bench queries answered by the fresh build: "
        f"{answered} of {len(query_set)}",
        "FTS5 gets the same edits as `UPDATE ... WHERE rowid = ?` in one transaction per batch,"
        " no `optimize` or `VACUUM`; sizes are the apparent bytes of the index folder (the "
        "live generation) and of the database file",
    ]
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.churn", description=__doc__.splitlines()[0],
        epilog="Example: .venv/bin/python -m bench.churn --docs 20000 --updates 10000 "
               "--workdir /tmp/vnsearch-churn")
    parser.add_argument("--docs", type=int, default=20_000, help="corpus size (20000)")
    parser.add_argument("--updates", type=int, default=10_000,
                        help="documents edited in all (10000)")
    parser.add_argument("--batch", type=int, default=1_000,
                        help="documents edited per reindex (1000)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vnsearch-churn"),
                        help="where the corpus and indexes go (emptied first); outside the"
                             " repository")
    parser.add_argument("--procs", type=int, default=1,
                        help="processes of the two full builds (1; 2 halves a 100k run)")
    parser.add_argument("--write", action="store_true",
                        help=f"put the table in the {SECTION} section of bench/RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    if workdir == ROOT or ROOT in workdir.parents:
        parser.error(f"--workdir must be outside the repository ({ROOT})")
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    started, load_before = time.perf_counter(), report.load_average()
    rows, notes = run(args.docs, args.updates, args.batch, workdir, args.procs)
    body = "\n".join([
        f"Written by `python -m bench.churn {' '.join(sys.argv[1:])}`".rstrip() +
        f" (this section only) on {datetime.now():%Y-%m-%d %H:%M}, code: "
        f"{indexer.__file__.rsplit('/indexer/', 1)[0]} at {report.head_commit()}, machine: "
        f"{report.machine()['nproc']} CPUs, load average before: {load_before}, after: "
        f"{report.load_average()}, run took {(time.perf_counter() - started) / 60:.1f} min.",
        "", report.table(rows), ""] + [f"- {note}" for note in notes])
    print(body)
    if args.json:
        args.json.write_text(json.dumps([row.__dict__ for row in rows], ensure_ascii=False))
    if args.write:
        report.write_section(ROOT / "bench" / "RESULTS.md", SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
