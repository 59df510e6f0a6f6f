"""Compact, incrementally updatable trigram counts with interpolated Kneser-Ney scores.

Used by :mod:`indexer.accents.model` to restore Vietnamese marks: every syllable is
interned to a small int and n-grams are keys packed into one int
(``u << 2*SHIFT | v << SHIFT | w``), so the tables are plain ``dict[int, int]``
that marshal quickly and cost far less memory than tuple-keyed dicts.

Only trigram counts are primary; every other table (context totals, fan-outs,
continuation counts) is a function of them. They are kept up to date on each
change so that scoring needs a handful of dict lookups, and so that removing a
sequence exactly undoes adding it. Each sentence is padded ``BOS BOS w1 .. wn
EOS``, hence every bigram occurrence is the suffix of exactly one trigram
occurrence and ``ctx2[v w]`` (occurrences of ``v w`` followed by anything) is
the raw bigram count.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import repeat
from math import log
from operator import lshift, or_

SHIFT = 21
"""Bits per syllable id: up to two million distinct syllables."""
MASK = (1 << SHIFT) - 1
MASK2 = (1 << 2 * SHIFT) - 1
BOS, EOS, NUM, UNK = 0, 1, 2, 3
"""Reserved ids: sentence start/end, any number, and a syllable outside the vocabulary."""
RESERVED = ("<s>", "</s>", "<num>", "<unk>")

# Absolute discounts of the trigram and the bigram-continuation levels. Single
# discounts (not modified KN) keep the tables few; on bench/restore_eval.py any
# pair in 0.5..0.9 scores within 0.001 syllable accuracy of these.
D3 = 0.75
D2 = 0.6

BEAM = 16
"""Decoder states kept per position (a state is the last two syllables)."""
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

Scorer = Callable[[int, int, int], float]
"""log P(w | u v)."""
Slot = list[tuple[int, float]]
"""Candidates of one position: (syllable id, log penalty)."""

TABLES = ("tri", "uni", "ctx2", "fan2", "cont2", "mid", "cont1")


class NgramCounts:
    """Trigram counts plus the derived tables interpolated Kneser-Ney needs.

    * ``tri[uvw]``: occurrences; ``uni[w]``: occurrences of ``w`` (as a last word);
    * ``ctx2[uv]``: occurrences of ``uv`` followed by anything; ``fan2[uv]``: distinct
      followers of ``uv``;
    * ``cont2[vw]``: distinct ``u`` before ``vw``; ``mid[v]``: distinct trigrams
      with ``v`` in the middle; ``cont1[w]``: distinct ``v`` before ``w``;
    * ``followers[v]``: the ``w`` with ``cont2[vw] > 0`` (fan-out and autocomplete).
    """

    __slots__ = (*TABLES, "followers")
    MAX_ID = MASK

    def __init__(self) -> None:
        self.tri: dict[int, int] = {}
        self.uni: dict[int, int] = {}
        self.ctx2: dict[int, int] = {}
        self.fan2: dict[int, int] = {}
        self.cont2: dict[int, int] = {}
        self.mid: dict[int, int] = {}
        self.cont1: dict[int, int] = {}
        self.followers: dict[int, set[int]] = {}

    @staticmethod
    def keys(sentences: Iterable[list[int]], counts: Counter[int] | None = None
             ) -> Counter[int]:
        """Packed trigram keys of padded sentences, counted (into ``counts`` if given).

        The keys are packed by ``map`` over shifted copies of the sentence, so
        counting a sentence runs no Python code per trigram.
        """
        if counts is None:
            counts = Counter()
        for ids in sentences:
            seq = [BOS, BOS, *ids, EOS]
            high = map(lshift, seq, repeat(2 * SHIFT))
            middle = map(lshift, seq[1:], repeat(SHIFT))
            counts.update(map(or_, map(or_, high, middle), seq[2:]))
        return counts

    @classmethod
    def from_trigrams(cls, tri: dict[int, int]) -> NgramCounts:
        """Derive every table from trigram counts in bulk (training)."""
        self = cls()
        self.tri = dict(tri)
        uni: Counter[int] = Counter()
        ctx2: Counter[int] = Counter()
        for key, count in tri.items():
            ctx2[key >> SHIFT] += count
            uni[key & MASK] += count
        self.uni, self.ctx2 = dict(uni), dict(ctx2)
        self.fan2 = dict(Counter(key >> SHIFT for key in tri))
        self.cont2 = dict(Counter(key & MASK2 for key in tri))
        self.mid = dict(Counter((key >> SHIFT) & MASK for key in tri))
        self.cont1 = dict(Counter(key & MASK for key in self.cont2))
        followers = self.followers
        for key in self.cont2:
            followers.setdefault(key >> SHIFT, set()).add(key & MASK)
        return self

    @classmethod
    def from_state(cls, tables: tuple[dict[int, int], ...]) -> NgramCounts:
        """Inverse of :meth:`state` (the followers sets are rebuilt, not stored)."""
        self = cls()
        for name, table in zip(TABLES, tables, strict=True):
            setattr(self, name, table)
        for key in self.cont2:
            self.followers.setdefault(key >> SHIFT, set()).add(key & MASK)
        return self

    def frequent_followers(self, v: int, n: int) -> list[int]:
        """The ``n`` syllables (not reserved ids) most often seen right after ``v``."""
        ctx2, base = self.ctx2, v << SHIFT
        found = [w for w in self.followers.get(v, ()) if w > UNK]
        return heapq.nlargest(n, found, key=lambda w: (ctx2.get(base | w, 0), -w))

    @staticmethod
    def last_words(deltas: Iterable[int]) -> set[int]:
        """Ids counted by these trigram keys (every counted syllable ends a trigram)."""
        return {key & MASK for key in deltas}

    def check(self, deltas: Counter[int]) -> bool:
        """True if subtracting ``deltas`` leaves no negative count."""
        tri = self.tri
        return all(tri.get(key, 0) >= count for key, count in deltas.items())

    def update(self, deltas: Counter[int], sign: int) -> None:
        """Add (``sign=1``) or subtract (``sign=-1``) trigram counts, keeping tables exact."""
        tri = self.tri
        for key, count in deltas.items():
            old = tri.get(key, 0)
            new = old + sign * count
            _bump(tri, key, new - old)
            _bump(self.uni, key & MASK, new - old)
            _bump(self.ctx2, key >> SHIFT, new - old)
            if (old == 0) == (new == 0):
                continue
            step = 1 if old == 0 else -1  # a trigram type appeared or vanished
            _bump(self.fan2, key >> SHIFT, step)
            _bump(self.mid, (key >> SHIFT) & MASK, step)
            pair = key & MASK2
            if _bump(self.cont2, pair, step) == (1 if step == 1 else 0):
                _bump(self.cont1, key & MASK, step)  # a bigram type appeared or vanished
                v, w = pair >> SHIFT, key & MASK
                if step == 1:
                    self.followers.setdefault(v, set()).add(w)
                else:
                    self.followers[v].discard(w)
                    if not self.followers[v]:
                        del self.followers[v]

    def logprob(self, u: int, v: int, w: int) -> float:
        """log P(w | u v), interpolated Kneser-Ney; finite for every id, seen or not."""
        p = (self.cont1.get(w, 0) + 0.5) / (len(self.cont2) + 0.5 * len(self.cont1) + 0.5)
        mid = self.mid.get(v)
        if mid:
            p = (max(self.cont2.get(v << SHIFT | w, 0) - D2, 0)
                 + D2 * len(self.followers[v]) * p) / mid
        ctx = self.ctx2.get(u << SHIFT | v)
        if ctx:
            seen = self.tri.get((u << 2 * SHIFT) | (v << SHIFT) | w, 0)
            p = (max(seen - D3, 0) + D3 * self.fan2[u << SHIFT | v] * p) / ctx
        return log(p)

    def scorer(self) -> Scorer:
        """Memoised :meth:`logprob`, for the duration of one decoding."""
        cache: dict[tuple[int, int, int], float] = {}
        logprob = self.logprob

        def score(u: int, v: int, w: int) -> float:
            key = (u, v, w)
            value = cache.get(key)
            if value is None:
                value = cache[key] = logprob(u, v, w)
            return value

        return score

    def state(self) -> tuple[dict[int, int], ...]:
        """Every count table, for equality checks and persistence."""
        return tuple(getattr(self, name) for name in TABLES)


def _bump(table: dict[int, int], key: int, step: int) -> int:
    """Add ``step`` to ``table[key]``, deleting zero entries; return the new value."""
    value = table.get(key, 0) + step
    if value:
        table[key] = value
    else:
        table.pop(key, None)
    return value


def beam_search(slots: list[Slot], score: Scorer, context: tuple[int, int] = (BOS, BOS),
                eos: bool = True, n: int = 1) -> list[tuple[float, tuple[int, ...]]]:
    """The ``n`` best (log score, ids) paths through the slots, best first.

    Hypotheses ending in the same two syllables are recombined (only their best
    can win under a trigram model), so a beam of ``BEAM`` states loses little
    against full Viterbi while keeping time linear in ``len(slots)``.
    """
    beam: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {context: (0.0, ())}
    for slot in slots:
        nxt: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
        for (u, v), (total, path) in beam.items():
            for w, penalty in slot:
                s = total + score(u, v, w) + penalty
                old = nxt.get((v, w))
                if old is None or s > old[0]:
                    nxt[(v, w)] = (s, (*path, w))
        beam = dict(heapq.nlargest(BEAM, nxt.items(), key=lambda kv: kv[1][0]))
    ends = [(t + (score(u, v, EOS) if eos else 0.0), p) for (u, v), (t, p) in beam.items()]
    return heapq.nlargest(n, ends)


def edits(word: str) -> set[str]:
    """Strings one delete, transposition, substitution or insertion (a-z) away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in _LETTERS),
        *(a + c + b for a, b in splits for c in _LETTERS),
    } - {word}
