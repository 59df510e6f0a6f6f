"""The accent model of a corpus: syllable trigram counts, how they are learnt and stored.

Users type Vietnamese without marks (``can bo dang vien``) and with typos; the
index matches folded terms anyway, but suggestions and "did you mean" need the
accented words. Nothing is hard-coded: an :class:`AccentModel` counts syllable
trigrams of the indexed text (see :mod:`indexer.accents.ngrams`), document by
document as they are indexed (counted out again when one changes), and is saved
next to the index. Decoding a query with it (restore, complete, casing) is
:mod:`indexer.accents.decoding`.
"""

from __future__ import annotations

import gzip
import io
import marshal
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from indexer.accents.casing import Casing
from indexer.accents.casing import count as count_capitals
from indexer.accents.decoding import MAX_WORD, Decoding
from indexer.accents.ngrams import NUM, RESERVED, UNK, NgramCounts
from indexer.atomicfile import write_atomic
from indexer.text.folding import term
from indexer.text.syllables import analyze_cached

FORMAT = 2  # 2: with the capitals table (indexer.accents.casing); 1 still loads


class AccentModel(Decoding):
    """Syllable trigram model of a corpus, used to put marks back on folded text."""

    def __init__(self) -> None:
        self.words: list[str] = list(RESERVED)
        self.ids: dict[str, int] = {word: i for i, word in enumerate(RESERVED)}
        self.counts = NgramCounts()
        self.by_folded: dict[str, list[int]] = {}  # folded form -> seen accented ids
        self._keys: list[str] | None = None  # sorted folded forms, for prefix lookup
        self._followers: dict[int, list[int]] = {}  # cached most frequent followers
        self.casing = Casing()

    # --- counting -------------------------------------------------------

    @classmethod
    def train(cls, texts: Iterable[str]) -> AccentModel:
        """Count a whole corpus at once (much faster than repeated :meth:`add`)."""
        model = cls()
        keys: Counter[int] = Counter()
        capitals: Counter = Counter()
        for text in texts:
            NgramCounts.keys(model._sentences(text), keys)
            count_capitals(text, model.ids.get, capitals)
        model.counts = NgramCounts.from_trigrams(keys)
        model.casing = Casing(capitals)
        model._reindex()
        return model

    @classmethod
    def builder(cls) -> ModelBuilder:
        """Count a corpus document by document, as fast as :meth:`train`."""
        return ModelBuilder(cls())

    def add(self, text: str) -> None:
        """Count one document's text in (it was indexed)."""
        self._change(NgramCounts.keys(self._sentences(text)), 1)
        self.casing.update(count_capitals(text, self.ids.get, Counter()), 1)

    def remove(self, text: str) -> None:
        """Count a previously added text out (its document was updated or deleted).

        Raises ``ValueError``, changing nothing, if the text was never added.
        """
        deltas = NgramCounts.keys(self._sentences(text))
        if not self.counts.check(deltas):
            raise ValueError("text was not added to this model")
        self._change(deltas, -1)
        self.casing.update(count_capitals(text, self.ids.get, Counter()), -1)

    def _change(self, deltas: dict[int, int], sign: int) -> None:
        """Apply trigram count changes and keep the candidate map and caches in step."""
        self.counts.update(deltas, sign)
        uni = self.counts.uni
        for i in NgramCounts.last_words(deltas):
            if i <= UNK:
                continue
            key = term(self.words[i])
            ids = self.by_folded.get(key, [])
            if (i in uni) == (i in ids):
                continue
            if i in uni:
                self.by_folded[key] = sorted((*ids, i))  # id order: history-independent
            else:
                ids.remove(i)
                if not ids:
                    del self.by_folded[key]
            self._keys = None
        self._followers.clear()

    def _reindex(self) -> None:
        """Rebuild the folded -> accented candidates map from unigram counts."""
        self.by_folded = {}
        for i in sorted(self.counts.uni):
            if i > UNK:
                self.by_folded.setdefault(term(self.words[i]), []).append(i)
        self._keys = None
        self._followers = {}

    def _sentences(self, text: str) -> Iterator[list[int]]:
        """Syllable id runs of ``text``; punctuation and junk tokens end a run.

        Uses the indexer's own single analysis pass (cached), so counting a
        document that was just indexed costs no second tokenisation.
        """
        return sentence_ids(analyze_cached(text).runs, self.ids.get, self._number_or_intern)

    def _number_or_intern(self, word: str) -> int:
        return NUM if word.isdigit() else self._intern(word)

    def _intern(self, word: str) -> int:
        i = self.ids.get(word)
        if i is None:
            i = len(self.words)
            if i > NgramCounts.MAX_ID:
                return UNK  # id space exhausted: count it as "some other syllable"
            self.ids[word] = i
            self.words.append(word)
        return i

    # --- persistence ----------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically: readers never see half a model. Compression level 1: every
        incremental reindex rewrites the whole model, and level 5 took twice as long
        (0.13 s instead of 0.07 s at 100k documents) for a file 10% smaller."""
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=1) as out:
            out.write(marshal.dumps((FORMAT, self.words, self.counts.state(),
                                     self.casing.state())))
        write_atomic(Path(path), buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> AccentModel:
        """Read a model written by :meth:`save`."""
        version, words, tables, *rest = marshal.loads(gzip.decompress(Path(path).read_bytes()))
        if version not in (1, FORMAT):
            raise ValueError(f"unsupported accent model format {version}")
        model = cls()
        model.casing = Casing(rest[0] if rest else None)
        model.words = words
        model.ids = {word: i for i, word in enumerate(words)}
        model.counts = NgramCounts.from_state(tables)
        model._reindex()
        return model


def sentence_ids(runs: Iterable[list[str]], lookup: Callable[[str], int | None],
                 intern: Callable[[str], int]) -> Iterator[list[int]]:
    """Syllable id runs of analysed ``runs`` (:attr:`DocumentTerms.runs`): a word longer
    than ``MAX_WORD`` ends a run (it is never a syllable). ``lookup`` gives the id of a
    word already known (None otherwise), so a run of known words is mapped in one call;
    ``intern`` gives the others theirs (``NUM`` for a number)."""
    for words in runs:
        ids = list(map(lookup, words))
        if None not in ids:
            yield ids
            continue
        run: list[int] = []
        for word, i in zip(words, ids, strict=True):
            if i is None:
                if len(word) > MAX_WORD:
                    if run:
                        yield run
                    run = []
                    continue
                i = intern(word)
            run.append(i)
        if run:
            yield run


class ModelBuilder:
    """Accumulates trigram counts of many texts; :meth:`finish` makes the model once."""

    def __init__(self, model: AccentModel):
        self.model = model
        self.totals: Counter[int] = Counter()
        self._known: dict[str, int] = {}  # word -> id (NUM for numbers) once seen
        self.capitals: Counter = Counter()

    def add(self, text: str) -> None:
        NgramCounts.keys(self._sentences(text), self.totals)
        count_capitals(text, self.model.ids.get, self.capitals)

    def _sentences(self, text: str) -> Iterator[list[int]]:
        """:meth:`AccentModel._sentences`, with the ids of numbers remembered too."""
        return sentence_ids(analyze_cached(text).runs, self._known.get, self._learn)

    def _learn(self, word: str) -> int:
        i = self._known[word] = NUM if word.isdigit() else self.model._intern(word)
        return i

    def finish(self) -> AccentModel:
        self.model.counts = NgramCounts.from_trigrams(self.totals)
        self.model.casing = Casing(self.capitals)
        self.model._reindex()
        return self.model

