"""A base Vietnamese syllable model shipped with the package, for small corpora.

Why: an index of twenty documents has seen too few syllables to restore marks
or propose a did-you-mean (*hạ nội* for ``ha noi``). Its own model is then
backed by this one: the local counts, weighted :data:`LOCAL_WEIGHT` times,
added to the base counts, so the corpus's own usage still wins where it has
any.

``data/base_model.bin`` is an :class:`indexer.accents.model.AccentModel` learnt from
licence-clean text only (see ``data/README.md``; rebuilt by
``python -m indexer.accents.basemodel OUT``):

* the law articles shipped in ``corpus/laws/`` (public legal texts);
* Debian's Vietnamese translations installed on the build machine
  (``/usr/share/locale/vi/LC_MESSAGES/*.mo``: each under its package's free
  licence);

Never the LibreOffice help pages, which are evaluation data.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from indexer.accents.casing import Casing
from indexer.accents.decoding import FOLLOWERS
from indexer.accents.model import AccentModel
from indexer.accents.ngrams import MASK, SHIFT, NgramCounts
from indexer.accents.wording import attested
from indexer.text.folding import has_marks

BASE_FILE = Path(__file__).parent.parent / "data" / "base_model.bin"
SMALL = 200_000
"""A model that has counted fewer syllables than this is backed by the base model."""
LOCAL_WEIGHT = 20
MIN_TRIGRAM = 3
"""Trigrams seen fewer times are left out of the base model: 15 MB in memory instead of
49 (0.7 MB on disk instead of 2.4). ``bench/restore_eval.py --small 20``, syllable
accuracy of 20 articles + base: 0.9907 unpruned, 0.9879 at 2, 0.9821 at 3."""
MO_FILES = "/usr/share/locale/vi/LC_MESSAGES"


def enabled() -> bool:
    return os.environ.get("VNSEARCH_BASE_MODEL", "1") not in ("0", "off", "no")


@lru_cache(maxsize=1)
def base() -> AccentModel | None:
    """The shipped base model, loaded once per process (None if absent or damaged)."""
    try:
        return AccentModel.load(BASE_FILE)
    except Exception:  # suggestions are a nicety: the local model alone then
        return None


def backed(local: AccentModel) -> AccentModel | Backed:
    """``local`` itself for a large corpus, else ``local`` backed by the base model."""
    if not enabled() or sum(local.counts.uni.values()) >= SMALL:
        return local
    shipped = base()
    return local if shipped is None else Backed(local, merged(shipped, local, LOCAL_WEIGHT))


class Backed:
    """A small corpus's model that asks the base model only where the corpus is silent.

    Kneser-Ney scores follow how many *different* contexts a pair was seen in,
    so weighting the corpus's counts cannot make its own readings win (*của
    Đảng* lost to the base's *của dạng*). So: the corpus's own reading when it
    is attested there, else the combined model's.
    """

    def __init__(self, local: AccentModel, combined: AccentModel):
        self.local, self.combined = local, combined

    def __getattr__(self, name):  # ids, counts, words...: the combined model's
        return getattr(self.combined, name)

    def restore(self, query: str, *args, **kwargs) -> str:
        own = self.local.restore(query, *args, **kwargs)
        return own if attested(self.local, own) else self.combined.restore(query, *args, **kwargs)

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        return self.local.complete(prefix, limit) or self.combined.complete(prefix, limit)

    def cased(self, text: str) -> str:
        return (self.local if attested(self.local, text) else self.combined).cased(text)


def merged(base_model: AccentModel, local: AccentModel, weight: int) -> AccentModel:
    """A new model: ``base_model``'s counts plus ``weight`` times ``local``'s."""
    model = AccentModel()
    model.words = list(base_model.words)
    model.ids = dict(base_model.ids)
    model.counts = NgramCounts.from_state(tuple(dict(t) for t in base_model.counts.state()))
    ids = [model._intern(word) for word in local.words]
    deltas: Counter[int] = Counter()
    for key, count in local.counts.tri.items():
        u, v, w = ids[key >> 2 * SHIFT], ids[(key >> SHIFT) & MASK], ids[key & MASK]
        deltas[(u << 2 * SHIFT) | (v << SHIFT) | w] += count * weight
    model.counts.update(deltas, 1)
    casing = Counter(base_model.casing.table)
    for (kind, i), count in local.casing.table.items():  # ids or (v, w) pairs
        i = (ids[i[0]], ids[i[1]]) if isinstance(i, tuple) else ids[i]
        casing[(kind, i)] += count * weight
    model.casing = Casing(casing)
    model._reindex()
    # Where the corpus has a syllable, its own followers extend completions
    # (the base's would wander off into other domains).
    for v in local.counts.followers:
        model._followers[ids[v]] = [ids[w] for w in local.counts.frequent_followers(v, FOLLOWERS)]
    return model


def debian_texts(folder: str = MO_FILES) -> Iterator[str]:
    """The Vietnamese strings of the installed Debian message catalogues."""
    for path in sorted(Path(folder).glob("*.mo")):
        try:
            with path.open("rb") as raw:
                catalog = gettext.GNUTranslations(raw)._catalog  # type: ignore[attr-defined]
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            continue
        for key, value in catalog.items():
            if key and isinstance(value, str) and _vietnamese(value):
                yield _PLACEHOLDER.sub(" . ", value.replace("&", "").replace("_", ""))


_PLACEHOLDER = re.compile(r"%[-+ #0-9.]*[a-zA-Z]|\{[^}]*\}|<[^>]*>|\$\w+|[\w.-]+@[\w.-]+")


def _vietnamese(text: str) -> bool:
    """Most words carry Vietnamese marks: a translated string, not an English leftover."""
    words = text.split()
    return bool(words) and sum(has_marks(w) for w in words) * 2 >= len(words)


def law_texts(path: Path) -> Iterator[str]:
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                article = json.loads(line)
                yield f"{article.get('title', '')}\n{article.get('text', '')}"


def train(laws: Iterable[str]) -> AccentModel:
    """The base model's recipe: ``laws`` + Debian translations.

    The word list is left out: as one-line "sentences" its 60,000 lowercase
    entries drowned the texts' own syllable pairs and capitals (it serves
    word boundaries instead, :mod:`indexer.text.words`).
    """
    return pruned(AccentModel.train([*laws, *debian_texts()]), MIN_TRIGRAM)


def pruned(model: AccentModel, min_count: int) -> AccentModel:
    """``model`` without the trigrams seen fewer than ``min_count`` times (and the
    capitals of syllables no longer counted); see :data:`MIN_TRIGRAM`."""
    tri = {key: n for key, n in model.counts.tri.items() if n >= min_count}
    out = AccentModel()
    out.words, out.ids = model.words, model.ids
    out.counts = NgramCounts.from_trigrams(tri)
    uni = out.counts.uni
    out.casing = Casing({key: n for key, n in model.casing.table.items()
                         if all(i in uni for i in (key[1] if isinstance(key[1], tuple)
                                                   else (key[1],)))})
    out._reindex()
    return out


def main(argv: list[str]) -> int:
    """``python -m indexer.accents.basemodel OUT [LAWS.jsonl]``: rebuild the base model."""
    if not argv:
        print(main.__doc__, file=sys.stderr)
        return 2
    laws = Path(argv[1]) if len(argv) > 1 else Path("corpus/laws/articles.jsonl")
    model = train(law_texts(laws))
    model.save(Path(argv[0]))
    print(f"{argv[0]}: {Path(argv[0]).stat().st_size / 1e6:.2f} MB,"
          f" {len(model.words)} syllables, {len(model.counts.tri)} trigram types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
