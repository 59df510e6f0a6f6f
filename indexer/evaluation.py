"""TREC-style evaluation of ranking: MRR@10, Recall@10, nDCG@10 and latency."""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from pathlib import Path

from .analysis import fold
from .engine import SearchIndex
from .search import search

CUTOFF = 10


def read_queries(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in Path(path).read_text("utf-8").splitlines():
        qid, sep, text = line.partition("\t")
        if sep and text.strip():
            pairs.append((qid.strip(), text.strip()))
    return pairs


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid 0 docid relevance`` (tab or space separated)."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in Path(path).read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3].lstrip("-").isdigit():
            qrels[parts[0]][parts[2]] = int(parts[3])
    return qrels


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def metrics(ranked: list[str], relevant: dict[str, int]) -> tuple[float, float, float]:
    """(reciprocal rank, recall, nDCG) at the cutoff for one query."""
    top = ranked[:CUTOFF]
    rr = next((1.0 / i for i, d in enumerate(top, 1) if relevant.get(d, 0) > 0), 0.0)
    wanted = [d for d, grade in relevant.items() if grade > 0]
    recall = sum(1 for d in top if relevant.get(d, 0) > 0) / len(wanted) if wanted else 0.0
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 1) for i, d in enumerate(top, 1))
    ideal = sorted(relevant.values(), reverse=True)[:CUTOFF]
    idcg = sum((2 ** g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return rr, recall, (dcg / idcg if idcg else 0.0)


def evaluate(index: SearchIndex, queries_path: Path, qrels_path: Path, unaccent: bool = False,
             limit: int | None = None) -> dict:
    queries = read_queries(queries_path)
    qrels = read_qrels(qrels_path)
    queries = [(qid, text) for qid, text in queries if qid in qrels][:limit]
    rrs, recalls, ndcgs, latencies = [], [], [], []
    for qid, text in queries:
        if unaccent:
            text = fold(text)
        started = time.perf_counter()
        results = search(index, text, per_page=CUTOFF, suggest=False)
        latencies.append((time.perf_counter() - started) * 1000)
        rr, recall, ndcg = metrics([hit.id for hit in results.hits], qrels[qid])
        rrs.append(rr)
        recalls.append(recall)
        ndcgs.append(ndcg)
    return {
        "queries": len(queries),
        "unaccent": unaccent,
        "mrr@10": statistics.fmean(rrs) if rrs else 0.0,
        "recall@10": statistics.fmean(recalls) if recalls else 0.0,
        "ndcg@10": statistics.fmean(ndcgs) if ndcgs else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }
