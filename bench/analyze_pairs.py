"""What word-aware pairs cost the analyser: ``analyze()`` over 1,000 documents with
the pairs as shipped (``run_pairs``: memoised per distinct run), without the run memo
(``chain_pairs``), with plain adjacent pairs, and with none (best of 3, memos emptied
before each pass as at the start of a build).

    .venv/bin/python -m bench.analyze_pairs [JSONL]   # default: corpus/laws/articles.jsonl
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import indexer.text.words as words
from indexer.text.syllables import analyze


def _best(texts: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        words._RUN_CROSSINGS.clear()
        words._SEGMENTED.clear()
        started = time.perf_counter()
        for text in texts:
            analyze(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus/laws/articles.jsonl")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for _, line in zip(range(1000), lines, strict=False)]
    texts = [f"{r.get('title', '')}\n{r.get('text', '')}" for r in records]
    analyze(texts[0])  # the word list loads once
    shipped = words.run_pairs
    print(f"{len(texts)} documents from {path}")
    variants = [
        ("run_pairs (shipped)", shipped),
        ("chain_pairs (no run memo)", words.chain_pairs),
        ("plain adjacent pairs", lambda folded, _: [
            f"{a} {b}" for a, b in zip(folded, folded[1:], strict=False)]),
        ("no pairs", lambda folded, _: []),
    ]
    try:
        for name, pairs in variants:
            words.run_pairs = pairs
            print(f"{name + ':':27} {_best(texts):.3f} s")
    finally:
        words.run_pairs = shipped

if __name__ == "__main__":
    main()
