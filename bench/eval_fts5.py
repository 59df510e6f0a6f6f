"""Relevance on both TREC sets, one run: vnsearch beside SQLite FTS5 and a plain BM25F OR.

    .venv/bin/python -m bench.eval_fts5 [--set laws] [--set lohelp] [--limit N] [--write]

Sets (see ``SETS``):

- ``laws``: the shipped ``corpus/`` and the 2,563 headings of its law articles
  (``../shared/data/laws``): known-item, the query is the target's title;
- ``lohelp``: the 2,551 pages of the Vietnamese LibreOffice help as the corpus and its
  1,501 development index terms (``../shared/data/lohelp``), cleaned of the index's
  separators as a user would type them (``evaluation.clean_query``): topical.

For each set it builds, over the same documents, the vnsearch index, an FTS5 table
(``unicode61 remove_diacritics 2``, ranked by ``bm25()``; the query's words, each
quoted, joined by AND or by OR) and a plain BM25F baseline (Whoosh, folded title +
body, ``BM25F(B=0.3, K1=1.2)``, the query's folded words OR'ed, as in issue 11;
computed here with Whoosh's formula), then
runs every query accented and unaccented through each and prints MRR@10, Recall@10,
nDCG@10 and latency p50/p95 as Markdown. ``--write`` also puts the table in the
"Relevance" section of ``bench/RESULTS.md``. The queries and qrels are only read to
evaluate: nothing of them reaches an index.
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import indexer
from indexer.cli import evaluation
from indexer.text.folding import fold

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
WORD = re.compile(r"\w+")
SETS = {
    "laws": {"corpus": ROOT / "corpus", "queries": DATA / "laws" / "queries_titles.tsv",
             "qrels": DATA / "laws" / "qrels_titles.tsv", "clean": False},
    "lohelp": {"pages": DATA / "lohelp" / "pages.jsonl",
               "queries": DATA / "lohelp" / "queries_dev.tsv",
               "qrels": DATA / "lohelp" / "qrels_dev.tsv", "clean": True},
}
Ranker = Callable[[str], list[str]]


def build_fts5(documents) -> Ranker:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
               "tokenize='unicode61 remove_diacritics 2')")
    with db:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                       [(d.id, d.title, d.body) for d in documents])

    def ranker(joiner: str) -> Ranker:
        def rank(text: str) -> list[str]:
            words = WORD.findall(text)
            if not words:
                return []
            match = f" {joiner} ".join(f'"{w}"' for w in words)
            return [row[0] for row in db.execute(
                "SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs "
                "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10", (match,))]
        return rank

    return ranker


def build_bm25f(documents, B: float = 0.3, K1: float = 1.2) -> Ranker:
    """The plain baseline: BM25F over folded title and body, the query's words OR'ed.

    Whoosh's ``BM25F`` formula (per field ``idf * tf * (K1 + 1) / (tf + K1 * (1 - B +
    B * length / average length))``, ``idf = 1 + log(N / (df + 1))``, fields summed),
    with every term's contributions computed once, so a query is a few dictionary
    additions (Whoosh itself took 60-250 ms a query on the law headings). On the first
    200 law headings its top result is Whoosh's for all 200, its top 10 for 145 (Whoosh
    rounds field lengths to one byte).
    """
    contributions: dict[str, list[tuple[int, float]]] = {}
    ids = [d.id for d in documents]
    for name in ("title", "body"):
        counts = [Counter(WORD.findall(fold(getattr(d, name)))) for d in documents]
        lengths = [sum(c.values()) for c in counts]
        average = (sum(lengths) / len(lengths)) or 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for docnum, count in enumerate(counts):
            for word, tf in count.items():
                postings[word].append((docnum, tf))
        for word, posting in postings.items():
            idf = 1 + math.log(len(documents) / (len(posting) + 1))
            contributions.setdefault(word, []).extend(
                (docnum, idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[docnum] / average)))
                for docnum, tf in posting)

    def rank(text: str) -> list[str]:
        scores: dict[int, float] = defaultdict(float)
        for word in set(WORD.findall(fold(text))):
            for docnum, value in contributions.get(word, ()):
                scores[docnum] += value
        best = heapq.nlargest(evaluation.CUTOFF, scores.items(), key=lambda p: (p[1], -p[0]))
        return [ids[docnum] for docnum, _ in best]

    return rank


def measure(rank: Ranker, queries, qrels) -> dict:
    results = []
    for qid, text in queries:
        started = time.perf_counter()
        ranked = rank(text)
        ms = (time.perf_counter() - started) * 1000
        results.append(evaluation.score(qid, text, ranked, qrels[qid], ms=ms))
    return evaluation.summarise(results)


def run_set(name: str, spec: dict, tmp: Path, limit: int | None) -> list[tuple[str, dict]]:
    corpus = spec.get("corpus")
    if corpus is None:  # a JSONL file: a corpus folder holding only it
        corpus = tmp / name / "corpus"
        corpus.mkdir(parents=True)
        # a copy, not a symlink: the walk never follows a link out of the corpus folder
        shutil.copyfile(spec["pages"], corpus / spec["pages"].name)
    started = time.perf_counter()
    report = indexer.reindex(corpus, tmp / name / "index", full=True)
    log(f"{name}: vnsearch index of {report.documents} docs in {report.seconds:.1f} s")
    documents = list(indexer.read_corpus(corpus))
    fts5 = build_fts5(documents)
    bm25f = build_bm25f(documents)
    log(f"{name}: FTS5 and BM25F built ({time.perf_counter() - started:.1f} s so far)")
    qrels = evaluation.read_qrels(spec["qrels"])
    handle = indexer.open_index(tmp / name / "index")

    def ours(text: str) -> list[str]:
        found = indexer.search(handle, text, per_page=evaluation.CUTOFF, suggest=False)
        return [hit.id for hit in found.hits]

    rows = []
    try:
        for unaccent in (False, True):
            label = "unaccented" if unaccent else "accented"
            queries = evaluation.judged(evaluation.read_queries(spec["queries"]), qrels,
                                        unaccent=unaccent, clean=spec["clean"], limit=limit)
            for system, rank in (("vnsearch", ours), ("FTS5 AND", fts5("AND")),
                                 ("FTS5 OR", fts5("OR")), ("BM25F OR (B=0.3)", bm25f)):
                figures = measure(rank, queries, qrels)
                rows.append((f"{name} | {system} | {label}", figures))
                log(f"{name}: {system}, {label}: MRR@10 {figures['mrr@10']:.3f}")
    finally:
        handle.close()
    return rows


def code() -> str:
    """The commit of the code measured (plus "+changes" if the worktree differs)."""
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short=10", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "indexer"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"HEAD {head}" + (" +changes in indexer/" if dirty else "")


def load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def markdown(rows: list[tuple[str, dict]], command: str, seconds: float) -> str:
    lines = [
        f"- date: {datetime.now():%Y-%m-%d %H:%M} (local), run took {seconds / 60:.1f} min",
        f"- command: `{command}`",
        "- laws: shipped corpus, 2,563 article headings (known-item); lohelp: LibreOffice help "
        "pages, 1,501 dev index terms cleaned of `--`, `;`, `,`, brackets, quotes (topical)",
        "- FTS5: `unicode61 remove_diacritics 2`, `bm25()`, words quoted and joined by AND / OR;"
        " BM25F OR: Whoosh's `BM25F(B=0.3, K1=1.2)` formula over folded title + body, words"
        " OR'ed (computed in the script)",
        "- latency: vnsearch and FTS5 include snippets; BM25F OR's is a look-up in"
        " precomputed scores, not comparable",
        f"- code measured: {code()}; load average (1/5/15 min) at the end: {load()}",
        "",
        "| set | system | query | queries | MRR@10 | Recall@10 | nDCG@10 | p50 ms | p95 ms |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['queries']} | {r['mrr@10']:.4f} | {r['recall@10']:.4f} "
                     f"| {r['ndcg@10']:.4f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace (or add) the "## Relevance" section of ``path``: the table, and the notes
    written by hand under it (``### ``) kept, as :func:`bench.report.write_section` does
    for every script's section (this copy of it dropped them)."""
    from bench.report import write_section as write_named

    write_named(path, "Relevance",
                "Written by `python -m bench.eval_fts5 --write` (this section only).\n\n" + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS),
                        help="a set to run (repeatable; default: all)")
    parser.add_argument("--limit", type=int, help="only the first N queries of each set")
    parser.add_argument("--write", action="store_true",
                        help=f"put the table in the Relevance section of {RESULTS.name}")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vnsearch-eval-") as tmp:
        for name in args.sets or list(SETS):
            rows += run_set(name, SETS[name], Path(tmp), args.limit)
    command = "python -m bench.eval_fts5 " + " ".join(sys.argv[1:])
    text = markdown(rows, command.strip(), time.perf_counter() - started)
    print(text)
    if args.write:
        write_section(RESULTS, text)


if __name__ == "__main__":
    main()
