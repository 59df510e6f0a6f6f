"""Accent restoration, spelling correction and autocomplete learnt from the indexed corpus.

Users type Vietnamese without marks (``can bo dang vien``) and with typos; the
index matches folded terms anyway, but suggestions and "did you mean" need the
accented words. Nothing is hard-coded: an :class:`AccentModel` counts syllable
trigrams of the indexed text (see :mod:`indexer.accents.ngrams`) and decodes a query by
beam search over the accented forms seen for each folded syllable.

Conventions:

* a "sentence" is a run of syllables separated only by blanks; punctuation
  breaks it, exactly as for indexed word pairs;
* all numbers count as one token ``<num>``; they are never rewritten;
* a token typed with marks is kept (only its tone placement is made canonical)
  and is the sole candidate of its slot; unknown syllables stay as typed unless
  a vocabulary syllable one edit away fits the context much better;
* ``restore`` keeps the query's spacing, punctuation and letter case (an upper
  case letter stays upper case in the restored syllable); ``complete`` returns
  lowercase strings.
"""

from __future__ import annotations

import gzip
import heapq
import marshal
import os
import tempfile
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from math import log
from pathlib import Path

from indexer.accents.casing import Casing
from indexer.accents.casing import count as count_capitals
from indexer.accents.ngrams import (
    BOS,
    NUM,
    RESERVED,
    SHIFT,
    UNK,
    NgramCounts,
    Scorer,
    Slot,
    beam_search,
    edits,
)
from indexer.accents.wording import known, whole
from indexer.text.folding import has_marks, term
from indexer.text.syllables import Syllable, analyze_cached, is_compound, syllables

FORMAT = 2  # 2: with the capitals table (indexer.accents.casing); 1 still loads
MAX_WORD = 24  # longer tokens are never syllables: they break a sentence and stay as typed
MAX_CANDIDATES = 12  # accented forms tried per folded syllable (most frequent first)
MAX_PREFIX_CANDIDATES = 256
TYPO = log(1e-4)  # penalty of a spelling correction against keeping an unknown syllable
WINDOW = 8  # syllables of context decoded again by ``complete``
FOLLOWERS = 24  # likeliest next syllables tried when extending a completion
CONFIDENT = log(0.35)  # a completion is extended further only by syllables this likely
MAX_EXTRA = 4  # syllables added after the typed ones


class AccentModel:
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
        for words in analyze_cached(text).runs:
            run: list[int] = []
            for word in words:
                if len(word) > MAX_WORD:
                    if run:
                        yield run
                    run = []
                    continue
                run.append(NUM if word.isdigit() else self._intern(word))
            if run:
                yield run

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
        """Write atomically (temporary file + ``os.replace``): readers never see half a model."""
        path = Path(path)
        payload = marshal.dumps((FORMAT, self.words, self.counts.state(),
                                 self.casing.state()))
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # readable by a server running as another user
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                          compresslevel=5) as out:
                out.write(payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

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

    # --- decoding -------------------------------------------------------

    def restore(self, query: str, max_syllables: int = 32, sentence: bool = False) -> str:
        """Put marks back on ``query``: ``"can bo dang vien"`` -> ``"cán bộ đảng viên"``.

        Only the first ``max_syllables`` syllables are decoded (bounded time on
        hostile input); the rest of the query is returned as typed. A query is
        a fragment, not a sentence: unless ``sentence`` is true, it is decoded
        without sentence-start/end context, which would otherwise favour forms
        that happen to begin or end sentences in the corpus.
        """
        words = (s for s in syllables(query) if not is_compound(s))
        toks = list(islice(words, max(0, max_syllables)))
        out: dict[int, str] = {}
        score = self.counts.scorer()
        for run in _runs(toks):
            context = (BOS, BOS) if sentence else (UNK, UNK)
            _, path = beam_search([self._slot(t) for t in run], score, context,
                                  eos=sentence)[0]
            for tok, i in zip(run, path, strict=True):
                out[tok.start] = _recase(query[tok.start:tok.end], self._form(tok, i))
        return _render(query, toks, out)

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to ``limit`` likely lowercase accented continuations of ``prefix``, best first.

        ``"trach nhi"`` -> ``["trách nhiệm", "trách nhiệm hình sự", ...]``: the
        complete syllables are restored, the last (partial) one is extended with
        vocabulary syllables whose folded form starts with it, and the best
        results are extended by one or two likely next syllables.
        """
        if not prefix.strip() or limit <= 0:
            return []
        toks = [s for s in syllables(prefix) if not is_compound(s)]
        partial = toks[-1] if toks and toks[-1].end == len(prefix) else None
        if partial and (partial.folded.isdigit() or len(partial.text) > MAX_WORD):
            return []
        runs = _runs(toks)
        joined = bool(toks) and not prefix[toks[-1].end:].strip(" \t\u00a0")
        run = runs[-1] if runs and joined else []
        window = run[-WINDOW:]
        context = (BOS, BOS) if len(run) <= WINDOW else (UNK, UNK)
        cut = window[0].start if window else len(prefix)
        head = self.restore(prefix[:cut]).lower()
        slots = [self._slot(t) for t in (window[:-1] if partial else window)]
        if partial:
            slots.append(self._prefix_slot(partial))
            if not slots[-1]:
                return []
        score = self.counts.scorer()
        hyps = beam_search(slots, score, context, eos=False, n=limit)
        found: dict[str, float] = {}
        for rank, (total, path) in enumerate(hyps):
            forms = {t.start: self._form(t, i).lower() for t, i in zip(window, path, strict=True)}
            if partial:
                forms[partial.start] = self.words[path[-1]]
            text = (head + _render(prefix[cut:], window, forms, cut)).rstrip()
            if partial:
                found.setdefault(text, total)
            if rank < 3:
                u, v = (*context, *path)[-2:]
                for words, extra in self._extend(u, v, score):
                    found.setdefault(" ".join((text, *words)).lstrip(), total + extra)
        ranked = heapq.nlargest(len(found), found, key=found.__getitem__)
        typed = len(toks)
        kept = [text for text in ranked if whole(self, text, typed)]
        kept.sort(key=lambda text: not known(self, text))  # typos fixed first (hình sự)
        return [self.cased(text) for text in kept[:limit]]

    def cased(self, text: str) -> str:
        """``text`` with its lowercase syllables capitalised as the corpus writes them
        (``hà nội`` -> ``Hà Nội``); letters typed in capitals stay."""
        toks = [s for s in syllables(text) if not is_compound(s)]
        ids = [self.ids.get(t.accented, UNK) for t in toks]
        ctx2, uni = self.counts.ctx2, self.counts.uni
        shown = self.casing.apply([t.accented for t in toks], ids, lambda i: uni.get(i, 0),
                                  lambda v, w: ctx2.get(v << SHIFT | w, 0))
        forms = {t.start: form for t, form in zip(toks, shown, strict=True)
                 if t.text.islower() and form != t.accented and unicodedata.normalize(
                     "NFC", t.text) == t.accented}
        return _render(text, toks, forms)

    def _slot(self, tok: Syllable) -> Slot:
        """Candidate ids of one typed syllable (``UNK`` stands for "keep as typed")."""
        if tok.folded.isdigit():
            return [(NUM, 0.0)]
        if len(tok.text) > MAX_WORD or has_marks(tok.text):
            return [(self.ids.get(tok.accented, UNK), 0.0)]
        ids = self.by_folded.get(tok.folded)
        if ids:
            return [(i, 0.0) for i in self._best(ids, MAX_CANDIDATES)]
        slot = [(UNK, 0.0)]
        if len(tok.folded) >= 2 and tok.folded.isascii() and tok.folded.isalpha():
            near = [i for e in edits(tok.folded) for i in self.by_folded.get(e, ())]
            slot += [(i, TYPO) for i in self._best(near, MAX_CANDIDATES)]
        return slot

    def _prefix_slot(self, tok: Syllable) -> Slot:
        """Vocabulary syllables that ``tok`` (being typed) may be the beginning of."""
        if self._keys is None:
            self._keys = sorted(self.by_folded)
        keys, start = self._keys, bisect_left(self._keys, tok.folded)
        ids: list[int] = []
        for key in keys[start:]:
            if not key.startswith(tok.folded):
                break
            ids += self.by_folded[key]
        if has_marks(tok.text):
            typed = (tok.accented, unicodedata.normalize("NFC", tok.text.lower()))
            ids = [i for i in ids if self.words[i].startswith(typed)]
        return [(i, 0.0) for i in self._best(ids, MAX_PREFIX_CANDIDATES)]

    def _best(self, ids: Iterable[int], n: int) -> list[int]:
        """The ``n`` most frequent ids; ties by id, so results never depend on set order."""
        uni = self.counts.uni
        return heapq.nlargest(n, ids, key=lambda i: (uni[i], -i))

    def _form(self, tok: Syllable, i: int) -> str:
        """Restored text of ``tok`` when decoded as id ``i``."""
        if i in (NUM, UNK):
            return tok.accented if has_marks(tok.text) else tok.text
        return self.words[i]

    def _extend(self, u: int, v: int, score: Scorer
                ) -> list[tuple[tuple[str, ...], float]]:
        """Likely next syllables after ``u v``, each followed while the next is near certain.

        Syllables are not words: stopping after one would offer "trách nhiệm
        trước pháp", so confident continuations are taken (up to ``MAX_EXTRA``).
        """
        out = []
        for w in self._next(v):
            path, total = [v, w], score(u, v, w)
            while len(path) <= MAX_EXTRA:
                a, b = path[-2:]
                extra, x = max(((score(a, b, x), x) for x in self._next(b)[:FOLLOWERS // 2]),
                               default=(CONFIDENT, UNK))
                if extra <= CONFIDENT:
                    break
                path.append(x)
                total += extra
            out.append((tuple(self.words[i] for i in path[1:]), total))
        return out

    def _next(self, v: int) -> list[int]:
        """The most frequent followers of ``v`` (cached until the counts change)."""
        found = self._followers.get(v)
        if found is None:
            found = self.counts.frequent_followers(v, FOLLOWERS)
            self._followers[v] = found
        return found


def _runs(toks: list[Syllable]) -> list[list[Syllable]]:
    """Split tokens into sentences (a token not joined to the previous one starts one)."""
    runs: list[list[Syllable]] = []
    for tok in toks:
        if tok.joined and runs and len(tok.text) <= MAX_WORD:
            runs[-1].append(tok)
        else:
            runs.append([tok])
    return runs


def _render(text: str, toks: list[Syllable], forms: dict[int, str], offset: int = 0) -> str:
    """``text`` with each token (by start offset) replaced by its restored form."""
    parts, at = [], 0
    for tok in toks:
        if tok.start in forms:
            parts += (text[at:tok.start - offset], forms[tok.start])
            at = tok.end - offset
    parts.append(text[at:])
    return "".join(parts)


def _recase(typed: str, restored: str) -> str:
    """Carry the typed letter case over to the restored syllable."""
    typed = unicodedata.normalize("NFC", typed)
    if typed.islower() or not any(ch.isupper() for ch in typed):
        return restored
    if len(typed) == len(restored):
        pairs = zip(typed, restored, strict=True)
        return "".join(r.upper() if t.isupper() else r for t, r in pairs)
    return restored.upper() if typed.isupper() else restored[:1].upper() + restored[1:]


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
        """:meth:`AccentModel._sentences`, with runs of already seen words mapped in one call."""
        known = self._known
        for words in analyze_cached(text).runs:
            ids = list(map(known.get, words))
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
                    i = known[word] = NUM if word.isdigit() else self.model._intern(word)
                run.append(i)
            if run:
                yield run

    def finish(self) -> AccentModel:
        self.model.counts = NgramCounts.from_trigrams(self.totals)
        self.model.casing = Casing(self.capitals)
        self.model._reindex()
        return self.model
