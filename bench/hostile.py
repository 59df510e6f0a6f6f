"""Hostile queries: the requests of issue 10 (finding 3) that once held a server for minutes.

Each is built from syllables that are common in any Vietnamese text (so in the
generated corpora too): many quoted two-syllable phrases (positions checked in
most documents), many ``OR``'ed prefixes (hundreds of long posting lists),
sorted by date or by relevance, and a few more shapes of the same cost. With
the time budget every one must answer within it (``timed_out`` says when the
answer is the best found so far); :func:`bench.suite` measures the worst case
and a cheap probe sent while four of them load the server.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from urllib.parse import quote

from indexer.cli.evaluation import percentile

from . import http_load
from .procs import ChildError
from .report import Row, num

COMMON = [
    "co", "cua", "nguoi", "dinh", "dieu", "tai", "hop", "hoac", "duoc", "dong", "tu", "thi",
    "va", "trong", "an", "truong", "bi", "quyen", "quy", "vu", "viec", "su", "luat", "quyet",
    "den", "nhan", "cac", "khong", "quan", "pham", "phap", "phai", "cho", "bo", "toi", "dung",
    "theo", "ve", "do", "toa", "to", "hanh", "tham", "bao", "nay", "voi", "thuc", "doi", "the",
    "san", "hai", "tien", "phat", "ban", "thoi", "so", "nam", "khac", "de", "cong", "mot", "cau",
    "hien", "khi",
]
"""The most frequent folded syllables of the law corpus, most frequent first."""

_PREFIXES2 = (
    "ac ai am an ao ap ay ba be bi bo bu ca ch co cu da de di do du em ga gi go gu ha he hi ho "
    "hu hy in ka ke kh ki ky la le li lo lu ly ma me mi mo mu my na ne ng nh ni no nu oa on ph "
    "qu ra re ri ro ru sa se si so su ta te th ti to tr tu ty un uy va ve vi vo vu xa xe xi xo "
    "xu ye").split()


def _prefixes(count: int) -> list[str]:
    """``count`` distinct prefixes: every two-letter one, then three-letter ones."""
    found = list(_PREFIXES2)
    for word in COMMON:
        if len(found) >= count:
            break
        if len(word) >= 3 and word[:3] not in found:
            found.append(word[:3])
    return found[:count]


PHRASES_32 = " ".join(f'"{COMMON[2 * i]} {COMMON[2 * i + 1]}"' for i in range(32))
"""32 quoted two-syllable phrases of common syllables (~340 characters)."""

PREFIXES_120 = " OR ".join(f"{p}*" for p in _prefixes(120))
"""120 ``OR``'ed prefixes."""

HOSTILE: list[tuple[str, str, str]] = [
    # (name, query, sort)
    ("32 phrases", PHRASES_32, "relevance"),
    ("32 phrases, by date", PHRASES_32, "date"),
    ("120 OR'ed prefixes, by date", PREFIXES_120, "date"),
    ("120 OR'ed prefixes", PREFIXES_120, "relevance"),
    ("70 OR'ed prefixes, by date (fits the web's 500 characters)",
     " OR ".join(f"{p}*" for p in _prefixes(70)), "date"),
    ("64 OR'ed common words", " OR ".join(COMMON), "relevance"),
    ("64 OR'ed common words, by date", " OR ".join(COMMON), "date"),
    ("31 common words + 1 unknown (relaxed)", " ".join(COMMON[:31]) + " zzqxj", "relevance"),
    ("word minus 31 phrases", "co " + " ".join(
        f'-"{COMMON[2 * i + 1]} {COMMON[2 * i + 2]}"' for i in range(31)), "date"),
    ("32-syllable phrase", '"' + " ".join(COMMON[:32]) + '"', "relevance"),
    ("32 prefixes AND'ed", " ".join(f"{p}*" for p in _PREFIXES2[::3][:32]), "date"),
]
"""What a hostile client sends; every one costs seconds without a budget."""

PROBE = "hop dong lao dong"
"""A cheap, common query (tens of ms at 100k documents), sent while the hostile ones run."""


# -- measuring them (python -m bench, python -m bench --hostile) --------------------------------

WEB_MAX_CHARS = 500
"""The web app's query length limit (search_app MAX_QUERY_CHARS): longer ones are a 400."""
ROUNDS = 2
PROBES = 20


def run_library(index: str, queries: list[list[str]], budget_ms: float, rounds: int) -> dict:
    """Child task ``hostile-whoosh``: each query ``rounds`` times in this fresh process
    (the first round also decodes its posting lists), the result cache emptied between
    rounds. Returns {name: [[ms, timed_out, total, hits], ...]}."""
    import indexer

    handle = indexer.open_index(Path(index))
    # Opening the index, and loading the word list OR's operands are read with, happen
    # once a process: not a query's cost.
    indexer.search(handle, PROBE + " OR luật", budget=0)
    found: dict[str, list] = {}
    for _ in range(rounds):
        handle.results_cache.clear()
        for name, query, sort in queries:
            started = time.perf_counter()
            results = indexer.search(handle, query, sort=sort, budget=budget_ms / 1000)
            took = (time.perf_counter() - started) * 1000
            found.setdefault(name, []).append([took, results.timed_out, results.total,
                                               len(results.hits)])
    handle.close()
    return {"runs": found}


def measure(suite, index: Path, n: int, budget_ms: float = 2000) -> None:
    """The hostile step: worst case in the library, then a probe over HTTP while four
    connections keep hostile requests in flight. Adds rows and notes to ``suite``."""
    if not index.exists():
        return
    area = "hostile queries"
    try:
        result = suite.child("hostile-whoosh", {"index": str(index), "queries": HOSTILE,
                                                "budget_ms": budget_ms, "rounds": ROUNDS},
                             f"n{n}-hostile-whoosh", timeout=1800)
    except ChildError as exc:
        suite.fail(area, n, "library", exc)
    else:
        runs = result["runs"]
        worst = max(ms for name in runs for ms, *_ in runs[name])
        suite.hostile_rows.append(Row(area, n, f"worst case, {len(runs)} queries × {ROUNDS} runs, "
                                       f"budget {budget_ms / 1000:g} s (ms)", num(worst)))
        for name, *_ in HOSTILE:
            times = [ms for ms, *_ in runs[name]]
            cut = sum(1 for _, timed_out, *_ in runs[name] if timed_out)
            total, hits = runs[name][-1][2], runs[name][-1][3]
            suite.hostile_rows.append(Row(area, n, f"{name} (ms)",
                                  f"{' / '.join(num(t) for t in times)}; timed out {cut}/"
                                  f"{len(times)}; {total:,} found, {hits} shown"))
    http(suite, index, n)


def http(suite, index: Path, n: int) -> None:
    area = "hostile queries, HTTP"
    load = [f"/api/search?q={quote(http_load.case_variant(query, lap))}&sort={sort}"
            for lap in range(1, 50) for _, query, sort in HOSTILE
            if len(query) <= WEB_MAX_CHARS]
    probes = [f"/api/search?q={quote(http_load.case_variant(PROBE, k))}"
              for k in range(1, 2 * PROBES + 1)]
    suite.check_code("HTTP hostile")
    suite.log(f"hostile HTTP load against the {n:,}-doc index")
    try:
        with http_load.Server(index, suite.s.workdir / "logs" / "serve-hostile.log") as server:
            idle = http_load.probe_under_load(server.port, load, probes[:PROBES // 2],
                                              connections=0, settle=0.5)
            loaded = http_load.probe_under_load(server.port, load, probes[PROBES:],
                                                connections=4, settle=3.0)
    except (RuntimeError, OSError) as exc:
        suite.fail(area, n, "server", exc)
        return
    for label, res in (("probe, idle server", idle), ("probe, 4 hostile requests in flight",
                                                      loaded)):
        suite.hostile_rows.append(Row(area, n, f"{label}: `{PROBE}` (ms)",
                              f"p50 {num(percentile(res.probe_ms, 50))}; max "
                              f"{num(max(res.probe_ms, default=math.nan))} (server's took_ms "
                              f"p50 {num(percentile(res.probe_took_ms, 50))}); "
                              f"{len(res.probe_ms)} probes"))
    suite.hostile_rows.append(Row(area, n, "hostile requests meanwhile (ms)",
                          f"{len(loaded.load_ms)} answered in {loaded.seconds:.0f} s, "
                          f"{loaded.load_timed_out} timed out; p50 "
                          f"{num(percentile(loaded.load_ms, 50))}; max "
                          f"{num(max(loaded.load_ms, default=math.nan))}"))
    suite.log(f"hostile HTTP: probe idle {idle.probe_ms}, loaded {loaded.probe_ms}")
    if idle.errors or loaded.errors:
        suite.failures.append(f"hostile HTTP: {idle.errors + loaded.errors} errors, first: "
                              f"{idle.first_error or loaded.first_error}")
    suite.hostile_notes.append(
        f"Hostile queries ({len(HOSTILE)}, bench/hostile.py): each run {ROUNDS} times in a "
        "fresh process with the default 2 s budget (the first run also decodes posting "
        "lists). HTTP: `vnsearch serve --threads 4` (one heavy-query slot per thread but "
        "one); 4 connections each keep one hostile request (those of at most "
        f"{WEB_MAX_CHARS} characters, distinct letter cases) in flight; after 3 s, "
        f"{PROBES} probes `{PROBE}` (distinct letter cases: real searches), one every "
        "0.25 s, on a connection of their own. 'idle': the same probes with no load.")
