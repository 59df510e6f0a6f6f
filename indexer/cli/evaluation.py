"""TREC-style evaluation of ranking: MRR@10, Recall@10, nDCG@10, latency, per-query runs.

Why per-query results and not only means: a mean says *that* ranking is weak,
the worst queries (:func:`worst`) and the run file (:func:`write_run`, TREC
format, readable by ``trec_eval``) say *where*.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote, unquote

from indexer import VnsearchError, fold, search

if TYPE_CHECKING:
    from indexer import SearchIndex

CUTOFF = 10
RUN_TAG = "vnsearch"
INDEX_SEPARATORS = re.compile(r'--|;|,|\(|\)|"')
"""What a keyword index puts between its levels (``bảng tính -- chèn ngắt cột``,
``Hàm; IsObject``) and a user would not type; :func:`clean_query` turns it into spaces."""


@dataclass
class QueryResult:
    """One query's ranking and its scores."""

    qid: str
    text: str  # as searched (cleaned, unaccented if asked)
    ranked: list[str]
    scores: list[float] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    rr: float = 0.0
    recall: float = 0.0
    ndcg: float = 0.0
    ms: float = 0.0
    first_relevant: int | None = None  # rank (1-based) within the cutoff


class EvalInputError(VnsearchError):
    """A queries or qrels file that cannot be used; the message names the file."""


def _lines(path: Path, what: str) -> list[str]:
    """The file's lines, or an :class:`EvalInputError` naming it (not the index)."""
    try:
        return Path(path).read_text("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise EvalInputError(f"the {what} file {path} is not UTF-8 text (byte {exc.start})"
                             ) from None
    except OSError as exc:
        raise EvalInputError(f"cannot read the {what} file {path}: {exc.strerror or exc}"
                             ) from None


def read_queries(path: Path) -> list[tuple[str, str]]:
    """``qid<TAB>query`` lines; lines without a tab or a query are skipped."""
    pairs = []
    for line in _lines(path, "queries"):
        qid, sep, text = line.partition("\t")
        if sep and text.strip():
            pairs.append((qid.strip(), text.strip()))
    return pairs


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid 0 docid relevance`` (tab or space separated)."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in _lines(path, "qrels"):
        parts = line.split()
        if len(parts) >= 4 and parts[3].lstrip("-").isdigit():
            qrels[parts[0]][unquote(parts[2])] = int(parts[3])  # as write_run spells ids
    return qrels


def clean_query(text: str) -> str:
    """``text`` as a user would type it: index separators (``--``, ``;``, ``,``,
    brackets, quotes) become spaces."""
    return " ".join(INDEX_SEPARATORS.sub(" ", text).split())


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (``pct`` in 0..100), NaN for no values; the one
    definition of the eval's latencies and of the bench's (``bench/``)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def metrics(ranked: list[str], relevant: dict[str, int]) -> tuple[float, float, float]:
    """(reciprocal rank, recall, nDCG) at the cutoff for one query.

    A grade of zero or less is not relevant and gains nothing (as in ``trec_eval``):
    a negative grade must not make an empty ranking "ideal".
    """
    top = ranked[:CUTOFF]
    gain = {d: grade for d, grade in relevant.items() if grade > 0}
    rr = next((1.0 / i for i, d in enumerate(top, 1) if d in gain), 0.0)
    recall = sum(1 for d in top if d in gain) / len(gain) if gain else 0.0
    dcg = sum((2 ** gain.get(d, 0) - 1) / math.log2(i + 1) for i, d in enumerate(top, 1))
    ideal = sorted(gain.values(), reverse=True)[:CUTOFF]
    idcg = sum((2 ** g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return rr, recall, (dcg / idcg if idcg else 0.0)


def judged(queries: list[tuple[str, str]], qrels: dict[str, dict[str, int]], *,
           unaccent: bool = False, clean: bool = False,
           limit: int | None = None) -> list[tuple[str, str]]:
    """The queries that have judgements, prepared as they will be searched."""
    prepared = []
    for qid, text in queries:
        if qid not in qrels:
            continue
        if clean:
            text = clean_query(text)
        if unaccent:
            text = fold(text)
        prepared.append((qid, text))
    return prepared[:limit]


def score(qid: str, text: str, ranked: list[str], relevant: dict[str, int], *,
          scores: list[float] | None = None, titles: list[str] | None = None,
          ms: float = 0.0) -> QueryResult:
    """A :class:`QueryResult` for one system's ranking of one query."""
    rr, recall, ndcg = metrics(ranked, relevant)
    first = next((i for i, d in enumerate(ranked[:CUTOFF], 1) if relevant.get(d, 0) > 0), None)
    return QueryResult(qid, text, ranked, scores or [], titles or [], rr, recall, ndcg, ms,
                       first)


def run(index: SearchIndex, queries_path: Path, qrels_path: Path, *, unaccent: bool = False,
        clean: bool = False, limit: int | None = None,
        progress: Callable[[int, int], None] | None = None) -> list[QueryResult]:
    """Search every judged query (top :data:`CUTOFF`) and score it."""
    qrels = read_qrels(qrels_path)
    read = read_queries(queries_path)
    queries = judged(read, qrels, unaccent=unaccent, clean=clean, limit=limit)
    if not queries:  # all-zero figures would look like a result
        raise EvalInputError(
            f"no query to evaluate: {len(read):,} queries read from {queries_path}"
            f" (lines `qid<TAB>query`), {len(qrels):,} judged in {qrels_path}"
            " (lines `qid 0 docid relevance`), none in both")
    results = []
    for done, (qid, text) in enumerate(queries, 1):
        started = time.perf_counter()
        found = search(index, text, per_page=CUTOFF, suggest=False)
        ms = (time.perf_counter() - started) * 1000
        hits = found.hits
        results.append(score(qid, text, [h.id for h in hits], qrels[qid],
                             scores=[h.score for h in hits], titles=[h.title for h in hits],
                             ms=ms))
        if progress:
            progress(done, len(queries))
    return results


def summarise(results: list[QueryResult], **extra) -> dict:
    """Means of the metrics and latency percentiles."""
    def mean(values: Iterable[float]) -> float:
        values = list(values)
        return statistics.fmean(values) if values else 0.0

    latencies = [r.ms for r in results]
    return {
        "queries": len(results),
        **extra,
        "mrr@10": mean(r.rr for r in results),
        "recall@10": mean(r.recall for r in results),
        "ndcg@10": mean(r.ndcg for r in results),
        "p50_ms": percentile(latencies, 50) if latencies else 0.0,
        "p95_ms": percentile(latencies, 95) if latencies else 0.0,
    }


def evaluate(index: SearchIndex, queries_path: Path, qrels_path: Path, unaccent: bool = False,
             limit: int | None = None, clean: bool = False) -> dict:
    """Search every judged query and summarise (see :func:`run`, :func:`summarise`)."""
    results = run(index, queries_path, qrels_path, unaccent=unaccent, clean=clean, limit=limit)
    return summarise(results, unaccent=unaccent, clean=clean)


def write_run(results: list[QueryResult], path: Path | TextIO, tag: str = RUN_TAG) -> None:
    """TREC run format: ``qid Q0 docid rank score tag``, one line per ranked document.

    A TREC line is space-separated, so white space and ``%`` in a document id (file
    paths may have them) are percent-encoded (``my file.txt`` -> ``my%20file.txt``);
    :func:`read_qrels` decodes ids the same way, so qrels may spell them so too.
    ``path``: a file name, or a file already open for writing (opened before the run,
    so that a path that cannot be written fails before the queries are searched).
    """
    if not hasattr(path, "write"):
        with Path(path).open("w", encoding="utf-8") as out:
            write_run(results, out, tag)
        return
    for result in results:
        for rank, doc in enumerate(result.ranked, 1):
            value = result.scores[rank - 1] if rank <= len(result.scores) else 0.0
            path.write(f"{result.qid} Q0 {_TREC_UNSAFE.sub(_escape, doc)} {rank} {value:.4f} "
                       f"{tag}\n")


_TREC_UNSAFE = re.compile(r"[\s%]")


def _escape(match: re.Match) -> str:
    return quote(match[0], safe="")


def worst(results: list[QueryResult], count: int) -> list[QueryResult]:
    """The ``count`` queries that went worst: no relevant result first, then lowest
    reciprocal rank, recall and nDCG (ties in file order)."""
    ordered = sorted(enumerate(results), key=lambda p: (p[1].rr, p[1].recall, p[1].ndcg, p[0]))
    return [r for _, r in ordered[:count]]
