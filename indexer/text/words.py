"""Vietnamese words of two to four syllables, and splitting syllables into words.

Why: spaces in Vietnamese separate syllables, not words (``cán bộ``, ``hợp đồng``),
so the syllables of two words can sit side by side (``trường hợp | đồng phạm``).
Knowing where words are lets a query word match only where its syllables form
that word, and lets ``OR`` and ``-`` bind to a whole word (``dân sự OR hình sự``).

The word list is ``Viet74K`` from underthesea (Apache-2.0, see ``data/README.md``),
reduced to its entries of two to four syllables, lowercased, NFC, with canonical
tone placement (``indexer.whoosh_ext.analyzers.canonical``), so ``hoà``/``hòa`` spellings
look up the same entry. A folded copy (``hop dong``) serves unaccented input.

Segmentation is dictionary based: of all splits into dictionary words and
single syllables, the one with the fewest pieces wins (``trường hợp | đồng
phạm`` beats ``trường | hợp đồng | phạm``); ties go to the longer last piece, as in
backward maximum matching, which errs less on Vietnamese (``tô sáng | giá trị``,
not ``tô | sáng giá | trị``).
It is fast (a few set look-ups per syllable), so it can run on documents too.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from pathlib import Path

from indexer.whoosh_ext.analyzers import canonical, term

WORDS_FILE = Path(__file__).parent.parent / "data" / "words.txt"
MAX_WORD_SYLLABLES = 4


class Lexicon:
    """Multi-syllable words, accented (canonical tones) and folded, space-joined."""

    def __init__(self, words: Sequence[str]):
        self.accented = frozenset(words)
        folded: dict[str, str] = {}  # 60k words share ~7k syllables: fold each once
        for word in self.accented:
            for syllable in word.split():
                if syllable not in folded:
                    folded[syllable] = term(syllable)
        self.folded = frozenset(" ".join(map(folded.__getitem__, word.split()))
                                for word in self.accented)
        # First two syllables of the longer words: where pair look-ups are not enough.
        self.long_starts = frozenset(" ".join(w.split()[:2]) for w in self.accented
                                     if w.count(" ") > 1)

    def is_word(self, accented: Sequence[str], folded: Sequence[str]) -> bool:
        """True if these syllables (two or more) spell one word.

        When every syllable carries marks the accented form must be a word (``biên
        giới``, not ``biển giới``); otherwise the folded form is looked up, so
        ``bien gioi`` and ``an toàn`` are words too.
        """
        if len(folded) < 2:
            return False
        if all(a != f for a, f in zip(accented, folded, strict=True)):
            return " ".join(accented) in self.accented
        return " ".join(folded) in self.folded

    def segment(self, accented: Sequence[str], folded: Sequence[str] | None = None
                ) -> list[tuple[int, int]]:
        """Spans ``(start, end)`` of the words of a run of syllables, in order.

        ``accented`` are canonical lowercase syllables, ``folded`` their folded
        forms (computed if not given). Every syllable is in exactly one span.
        """
        if folded is None:
            folded = [term(syllable) for syllable in accented]
        count = len(accented)
        # best[i]: (pieces, -last piece length) of the best split of the first i syllables
        best: list[tuple[int, int]] = [(0, 0)] + [(count + 1, 0)] * count
        back = [0] * (count + 1)
        for end in range(1, count + 1):
            for size in range(1, min(MAX_WORD_SYLLABLES, end) + 1):
                start = end - size
                if size > 1 and not self.is_word(accented[start:end], folded[start:end]):
                    continue
                candidate = (best[start][0] + 1, -size)
                if candidate < best[end]:
                    best[end], back[end] = candidate, start
        spans = []
        end = count
        while end > 0:
            spans.append((back[end], end))
            end = back[end]
        spans.reverse()
        return spans


CROSSING = "|"
"""Joins a pair of adjacent syllables that belong to different words."""
_LEXICON: Lexicon | None = None


def lexicon() -> Lexicon:
    """The shipped word list, read once per process."""
    global _LEXICON
    if _LEXICON is None:
        # The file is shipped canonical (indexer/data/README.md; tests/test_words.py
        # checks it): re-canonicalising 140k syllables took 2 s of the first query.
        text = WORDS_FILE.read_text("utf-8")
        _LEXICON = Lexicon([line for line in text.splitlines() if line.strip()])
    return _LEXICON



def segment(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of the words in ``tokens`` (syllables as typed, any case or tone placement)."""
    accented = [canonical(token) for token in tokens]
    return lexicon().segment(accented, [term(a) for a in accented])


def chain_pairs(folded: Sequence[str], accented: Sequence[str]) -> list[str]:
    """The adjacent pairs of a run of folded syllables, those that cross a word
    boundary spelt with :data:`CROSSING` instead of a space.

    A pair is whole (``hop dong``) when its two syllables are in one dictionary
    word, or when neither belongs to a longer word (names, foreign words,
    text written without marks); in *trường hợp đồng phạm* the words are
    *trường hợp* and *đồng phạm*, so the middle pair is ``hop|dong``: a query for
    the word *hợp đồng* finds no word there, while adjacent query words still
    find their proximity evidence. Words are looked up by their accented
    forms (``accented``: canonical lowercase), as written: *bộ số* is no word
    even if *bơ sờ* folds the same.

    Hot path of indexing: set look-ups per pair in C, and the fewest-pieces
    segmentation only over the few syllables where candidate words overlap
    (segmenting whole runs made indexing several times slower).
    """
    pairs = [f"{a} {b}" for a, b in zip(folded, folded[1:], strict=False)]
    lex = _LEXICON or lexicon()
    words = lex.accented
    keys = [f"{a} {b}" for a, b in zip(accented, accented[1:], strict=False)]
    if words.isdisjoint(keys):
        return pairs
    count = len(folded)
    starts = list(compress(range(count - 1), map(words.__contains__, keys)))
    longer = not lex.long_starts.isdisjoint(keys)
    if not longer and len(starts) == 1:
        i = starts[0]
        if i:
            pairs[i - 1] = pairs[i - 1].replace(" ", CROSSING)
        if i + 2 < count:
            pairs[i + 1] = pairs[i + 1].replace(" ", CROSSING)
        return pairs
    spans = [(i, i + 2) for i in starts]
    if longer:
        for i in compress(range(count - 1), map(lex.long_starts.__contains__, keys)):
            for size in (3, 4):
                if i + size <= count and " ".join(accented[i:i + size]) in words:
                    spans.append((i, i + size))
        spans.sort()
    word_of = [-1] * count
    cluster: list[tuple[int, int]] = []
    start = end = -1
    for span in [*spans, (count + 1, count + 1)]:
        if span[0] >= end and cluster:  # the cluster of overlapping candidates is closed
            if len(cluster) > 1:
                cluster = [(start + a, start + b) for a, b in
                           lex.segment(accented[start:end], folded[start:end]) if b - a > 1]
            for a, b in cluster:
                word_of[a:b] = [a] * (b - a)
            cluster = []
        if not cluster:
            start = span[0]
        cluster.append(span)
        end = max(end, span[1])
    return [pair if a == b else pair.replace(" ", CROSSING)
            for pair, a, b in zip(pairs, word_of, word_of[1:], strict=False)]
