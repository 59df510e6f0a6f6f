"""Decoding folded text with an accent model: restore, complete, did-you-mean casing.

Why apart from the model itself (:mod:`indexer.accents.model`): what the model *knows*
(trigram counts, learnt and stored with the index) changes with every reindex; how a
query is *decoded* with it (beam search over the accented forms seen for each folded
syllable, typo candidates one edit away, completions extended while the next
syllable is near certain) is query-time logic of its own. :class:`Decoding` is the
query-time half of :class:`~indexer.accents.model.AccentModel`.

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

import heapq
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from itertools import islice
from math import log

from indexer.accents.ngrams import BOS, NUM, SHIFT, UNK, Scorer, Slot, beam_search, edits
from indexer.accents.wording import known, whole
from indexer.text.folding import has_marks
from indexer.text.syllables import Syllable, is_compound, splice, syllables
from indexer.text.variants import accented_spellings

MAX_WORD = 24  # longer tokens are never syllables: they break a sentence and stay as typed
MAX_CANDIDATES = 12  # accented forms tried per folded syllable (most frequent first)
MAX_PREFIX_CANDIDATES = 256
TYPO = log(1e-4)  # penalty of a spelling correction against keeping an unknown syllable
WINDOW = 8  # syllables of context decoded again by ``complete``
FOLLOWERS = 24  # likeliest next syllables tried when extending a completion
CONFIDENT = log(0.35)  # a completion is extended further only by syllables this likely
MAX_EXTRA = 4  # syllables added after the typed ones


class Decoding:
    """The decoding methods of :class:`~indexer.accents.model.AccentModel` (which holds
    ``words``, ``ids``, ``counts``, ``by_folded``, ``casing`` and the caches
    ``_keys`` and ``_followers`` they read)."""

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
            # as typed, or its other i/y spelling (kĩ typed, kỹ in the corpus)
            found = (self.ids.get(form) for form in accented_spellings(tok.accented))
            return [(next((i for i in found if i is not None), UNK), 0.0)]
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
    return splice(text, [(tok.start - offset, tok.end - offset, forms[tok.start])
                         for tok in toks if tok.start in forms])


def _recase(typed: str, restored: str) -> str:
    """Carry the typed letter case over to the restored syllable."""
    typed = unicodedata.normalize("NFC", typed)
    if typed.islower() or not any(ch.isupper() for ch in typed):
        return restored
    if len(typed) == len(restored):
        pairs = zip(typed, restored, strict=True)
        return "".join(r.upper() if t.isupper() else r for t, r in pairs)
    return restored.upper() if typed.isupper() else restored[:1].upper() + restored[1:]
