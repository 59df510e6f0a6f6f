"""Held-out evaluation of accent restoration (:class:`indexer.accents.model.AccentModel`).

Sentences (article text split on ``. ; : ! ?`` and newlines, at least five
syllables) are sampled deterministically; the model is trained on every *other*
article (titles and texts) so that no held-out sentence was seen; each held-out
sentence is folded (marks stripped), restored and compared syllable by syllable
with the original (canonical lowercase forms; tokens without letters, such as
numbers, are ignored). Sentences are decoded whole (the default 32-syllable cap
of ``restore`` is meant for interactive queries). A most-frequent-form baseline
is printed for scale.

    .venv/bin/python bench/restore_eval.py [--corpus corpus/laws/articles.jsonl]
        [--holdout 300] [--seed 13] [--small 20]

``--small N`` also scores a model of only N training articles, alone and backed
by a base model made by :func:`indexer.accents.basemodel.train` from every training
article (never a held-out one) plus Debian's translations: the set-up of a
small corpus served with the shipped base model.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.accents import basemodel  # noqa: E402
from indexer.accents.model import AccentModel  # noqa: E402
from indexer.text.folding import fold  # noqa: E402
from indexer.text.syllables import is_compound, syllables  # noqa: E402

SENTENCE_SPLIT = re.compile(r"[.;:!?\n]+")


def words(text: str) -> list[str]:
    """Canonical accented lowercase syllables of ``text`` that contain a letter."""
    return [
        s.accented
        for s in syllables(text)
        if not is_compound(s) and any(ch.isalpha() for ch in s.accented)
    ]


def split(articles: list[dict], holdout: int, seed: int) -> tuple[list[str], list[str]]:
    """(held-out sentences, training texts of the articles they do not come from)."""
    pool = [
        (n, sentence.strip())
        for n, article in enumerate(articles)
        for sentence in SENTENCE_SPLIT.split(article["text"])
        if len(words(sentence)) >= 5
    ]
    picked = random.Random(seed).sample(pool, holdout)
    excluded = {n for n, _ in picked}
    train = [
        f"{a['title']}\n{a['text']}" for n, a in enumerate(articles) if n not in excluded
    ]
    return [sentence for _, sentence in picked], train


def score(model: AccentModel, sentences: list[str], restore) -> tuple[float, float, float]:
    """(syllable accuracy, sentence accuracy, seconds per sentence)."""
    right = total = whole = 0
    elapsed = 0.0
    for sentence in sentences:
        folded = fold(sentence)
        start = time.perf_counter()
        restored = restore(folded)
        elapsed += time.perf_counter() - start
        ref, hyp = words(sentence), words(restored)
        if len(ref) != len(hyp):
            hyp = [""] * len(ref)
        good = sum(a == b for a, b in zip(ref, hyp, strict=True))
        right += good
        total += len(ref)
        whole += good == len(ref)
    return right / total, whole / len(sentences), elapsed / len(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus/laws/articles.jsonl")
    parser.add_argument("--holdout", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--small", type=int, default=0,
                        help="also score a model of this many articles, alone and backed")
    args = parser.parse_args()

    with args.corpus.open(encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines if line.strip()]
    held, train = split(articles, args.holdout, args.seed)
    print(f"corpus: {len(articles)} articles; training on {len(train)}, "
          f"{len(held)} held-out sentences ({sum(map(len, map(words, held)))} syllables)")

    start = time.perf_counter()
    model = AccentModel.train(train)
    print(f"train: {time.perf_counter() - start:.2f} s, {len(model.words)} syllables, "
          f"{len(model.counts.tri)} trigram types")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "accents.bin"
        start = time.perf_counter()
        model.save(path)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        model = AccentModel.load(path)
        print(f"model: {path.stat().st_size / 1e6:.2f} MB on disk; save {saved:.2f} s, "
              f"load {time.perf_counter() - start:.2f} s")

    def baseline(text: str) -> str:
        # Most frequent accented form of each syllable, ignoring context.
        uni = model.counts.uni
        out = []
        for s in syllables(text):
            ids = model.by_folded.get(s.folded)
            if not is_compound(s):
                out.append(model.words[max(ids, key=uni.__getitem__)] if ids else s.text)
        return " ".join(out)

    for name, restore in (
        ("trigram model", lambda text: model.restore(text, 10_000, sentence=True)),
        ("most frequent form", baseline),
    ):
        syllable, sentence, seconds = score(model, held, restore)
        print(f"{name:>18}: syllable accuracy {syllable:.4f}, sentence accuracy "
              f"{sentence:.4f}, {seconds * 1000:.2f} ms per sentence")


    if args.small:
        few = random.Random(args.seed).sample(train, args.small)
        small = AccentModel.train(few)
        backed = basemodel.Backed(small, basemodel.merged(basemodel.train(train), small,
                                                          basemodel.LOCAL_WEIGHT))
        for name, model_ in ((f"{args.small} articles", small),
                             (f"{args.small} + base", backed)):
            syllable, sentence, seconds = score(
                model_, held, lambda text, m=model_: m.restore(text, 10_000, sentence=True))
            print(f"{name:>18}: syllable accuracy {syllable:.4f}, sentence accuracy "
                  f"{sentence:.4f}, {seconds * 1000:.2f} ms per sentence")


if __name__ == "__main__":
    main()
