"""Relevance and latency on a TREC set: vnsearch beside SQLite FTS5, same run, same queries.

    .venv/bin/python -m bench.eval_fts5 [--corpus corpus] [--index DIR] \
        [--queries ../shared/data/laws/queries_titles.tsv] \
        [--qrels ../shared/data/laws/qrels_titles.tsv]

Builds the vnsearch index (unless --index names one) and an FTS5 table
(``unicode61 remove_diacritics 2``, ranked by ``bm25()``) over the same
documents, runs every query accented and unaccented through both, and prints
MRR@10, Recall@10, nDCG@10 and latency p50/p95. FTS5 queries are the query's
words, each quoted, joined by AND or by OR.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import indexer
from indexer.analysis import fold
from indexer.evaluation import evaluate, metrics, percentile, read_qrels, read_queries

ROOT = Path(__file__).resolve().parent.parent
LAWS = ROOT.parent / "shared" / "data" / "laws"
WORD = re.compile(r"\w+")


def build_fts5(corpus: Path) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
               "tokenize='unicode61 remove_diacritics 2')")
    rows = [(d.id, d.title, d.body) for d in indexer.read_corpus(corpus)]
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    return db, time.perf_counter() - started


def fts5_eval(db: sqlite3.Connection, queries, qrels, unaccent: bool, joiner: str) -> dict:
    rrs, recalls, ndcgs, latencies = [], [], [], []
    for qid, text in queries:
        if unaccent:
            text = fold(text)
        words = WORD.findall(text)
        match = f" {joiner} ".join(f'"{w}"' for w in words)
        started = time.perf_counter()
        ranked = [row[0] for row in db.execute(
            "SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10", (match,))] if words else []
        latencies.append((time.perf_counter() - started) * 1000)
        rr, recall, ndcg = metrics(ranked, qrels[qid])
        rrs.append(rr)
        recalls.append(recall)
        ndcgs.append(ndcg)
    return {"mrr@10": statistics.fmean(rrs), "recall@10": statistics.fmean(recalls),
            "ndcg@10": statistics.fmean(ndcgs), "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index", type=Path, help="an index of --corpus (built if omitted)")
    parser.add_argument("--queries", type=Path, default=LAWS / "queries_titles.tsv")
    parser.add_argument("--qrels", type=Path, default=LAWS / "qrels_titles.tsv")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vnsearch-eval-") as tmp:
        index_dir = args.index
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            report = indexer.reindex(args.corpus, index_dir, full=True)
            print(f"vnsearch index: {report.documents} docs in {report.seconds:.1f} s")
        db, seconds = build_fts5(args.corpus)
        print(f"FTS5 table: built in {seconds:.2f} s")
        queries = read_queries(args.queries)
        qrels = read_qrels(args.qrels)
        queries = [(qid, text) for qid, text in queries if qid in qrels]
        handle = indexer.open_index(index_dir)
        rows = []
        for unaccent in (False, True):
            label = "unaccented" if unaccent else "accented"
            ours = evaluate(handle, args.queries, args.qrels, unaccent=unaccent)
            rows.append((f"vnsearch, {label}", ours))
            for joiner in ("AND", "OR"):
                rows.append((f"FTS5 {joiner}, {label}",
                             fts5_eval(db, queries, qrels, unaccent, joiner)))
        handle.close()
    print(f"\n{len(queries)} queries from {args.queries.name}\n")
    print("| system | MRR@10 | Recall@10 | nDCG@10 | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['mrr@10']:.4f} | {r['recall@10']:.4f} | {r['ndcg@10']:.4f} "
              f"| {r['p50_ms']:.2f} | {r['p95_ms']:.2f} |")


if __name__ == "__main__":
    main()
