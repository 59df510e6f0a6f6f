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

import hashlib
from collections.abc import Iterable, Sequence
from itertools import compress
from pathlib import Path

from indexer.whoosh_ext.analyzers import canonical, term

WORDS_FILE = Path(__file__).parent.parent / "data" / "words.txt"
FOLDED_FILE = WORDS_FILE.with_name("words_folded.txt")
"""The folded forms of :data:`WORDS_FILE`, precomputed by ``python -m indexer.text.words``:
folding 60k words took 0.1-0.2 s of every process's first query or reindex. Its first
line names the digest of the word list it was made from; a stale file is not used."""
MAX_WORD_SYLLABLES = 4


class Lexicon:
    """Multi-syllable words, accented (canonical tones) and folded, space-joined."""

    def __init__(self, words: Iterable[str], folded: Iterable[str] | None = None):
        """``folded``: the folded forms of ``words``, when known (:data:`FOLDED_FILE`)."""
        self.accented = frozenset(words)
        self.folded = frozenset(fold_words(self.accented) if folded is None else folded)
        # First two syllables of the longer words: where pair look-ups are not enough.
        self.long_starts = frozenset(w[:w.find(" ", w.find(" ") + 1)] for w in self.accented
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
        raw = WORDS_FILE.read_bytes()
        words = [line for line in raw.decode("utf-8").splitlines() if line.strip()]
        _LEXICON = Lexicon(words, _shipped_folded(raw))
    return _LEXICON


def fold_words(words: Iterable[str]) -> list[str]:
    """The distinct folded forms of ``words``, sorted (what :data:`FOLDED_FILE` holds)."""
    folded: dict[str, str] = {}  # 60k words share ~7k syllables: fold each once
    found = set()
    for word in words:
        syllables = word.split()
        for syllable in syllables:
            if syllable not in folded:
                folded[syllable] = term(syllable)
        found.add(" ".join(map(folded.__getitem__, syllables)))
    return sorted(found)


def folded_file_text(raw_words: bytes) -> str:
    """The content of :data:`FOLDED_FILE` for the word list whose bytes are ``raw_words``."""
    words = [line for line in raw_words.decode("utf-8").splitlines() if line.strip()]
    digest = hashlib.sha256(raw_words).hexdigest()
    return "".join(f"{line}\n" for line in [f"# sha256 {digest}", *fold_words(words)])


def _shipped_folded(raw_words: bytes) -> list[str] | None:
    """The precomputed folded forms, None if missing or made from another word list."""
    try:
        lines = FOLDED_FILE.read_text("utf-8").splitlines()
    except OSError:
        return None
    if not lines or lines[0] != f"# sha256 {hashlib.sha256(raw_words).hexdigest()}":
        return None
    return lines[1:]


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
    """
    return _spelt(folded, _crossings(folded, accented))


RUN_MEMO = 50_000
"""Distinct runs whose crossings :func:`run_pairs` remembers (about 300 bytes each)."""
_RUN_CROSSINGS: dict[tuple[str, ...], tuple[int, ...]] = {}


def run_pairs(folded: Sequence[str], accented: Sequence[str]) -> list[str]:
    """:func:`chain_pairs` for :func:`~indexer.text.syllables.analyze`, whose ``folded``
    are always the index forms of ``accented`` (so ``accented`` alone is the key).

    Why: the word boundaries are most of the cost of the pairs, and whole runs of
    syllables recur across a corpus (formulae of laws, boilerplate, republished
    sentences): a run seen before only has its pairs spelt again.
    """
    key = tuple(accented)
    crossings = _RUN_CROSSINGS.get(key)
    if crossings is None:
        crossings = _crossings(folded, accented)
        if len(_RUN_CROSSINGS) >= RUN_MEMO:
            _RUN_CROSSINGS.clear()
        _RUN_CROSSINGS[key] = crossings
    return _spelt(folded, crossings)


def _spelt(folded: Sequence[str], crossings: tuple[int, ...]) -> list[str]:
    """The pairs of ``folded``, those at the indexes ``crossings`` spelt as crossing."""
    pairs = list(map(" ".join, zip(folded, folded[1:], strict=False)))
    for i in crossings:
        pairs[i] = f"{folded[i]}{CROSSING}{folded[i + 1]}"
    return pairs


def _crossings(folded: Sequence[str], accented: Sequence[str]) -> tuple[int, ...]:
    """Indexes of the pairs of a run that cross a word boundary.

    Hot path of indexing: set look-ups per pair in C; the candidate words are grouped
    into clusters of overlapping ones, and only a cluster of several is segmented
    (fewest pieces), memoised because the same few overlaps (*trường hợp đồng*) recur
    all over a corpus. A pair crosses a boundary exactly when it is the pair just
    before or just after a word.
    """
    lex = _LEXICON or lexicon()
    words = lex.accented
    keys = list(map(" ".join, zip(accented, accented[1:], strict=False)))
    if words.isdisjoint(keys):
        return ()
    count = len(folded)
    starts = list(compress(range(count - 1), map(words.__contains__, keys)))
    if lex.long_starts.isdisjoint(keys):
        found = _two_syllable_words(starts, accented, folded, lex)
    else:
        found = _words(_long_spans(starts, keys, accented, lex), accented, folded, lex)
    crossings = []
    for a, b in found:
        if a:
            crossings.append(a - 1)
        if b < count:
            crossings.append(b - 1)
    return tuple(crossings)


def _two_syllable_words(starts: list[int], accented: Sequence[str], folded: Sequence[str],
                        lex: Lexicon) -> list[tuple[int, int]]:
    """Words of a run whose candidates are all two syllables long (the common case),
    given where they start: consecutive starts overlap and make one cluster."""
    found: list[tuple[int, int]] = []
    first = previous = starts[0]
    for i in [*starts[1:], -2]:
        if i == previous + 1:
            previous = i
            continue
        if first == previous:  # a lone candidate is a word
            found.append((first, first + 2))
        else:
            found += _segmented(first, previous + 2, accented, folded, lex)
        first = previous = i
    return found


def _long_spans(starts: list[int], keys: list[str], accented: Sequence[str],
                lex: Lexicon) -> list[tuple[int, int]]:
    """Candidate words ``(start, end)`` in order, three and four syllables long too."""
    words, count = lex.accented, len(accented)
    spans = [(i, i + 2) for i in starts]
    for i in compress(range(count - 1), map(lex.long_starts.__contains__, keys)):
        for size in (3, 4):
            if i + size <= count and " ".join(accented[i:i + size]) in words:
                spans.append((i, i + size))
    spans.sort()
    return spans


def _words(spans: list[tuple[int, int]], accented: Sequence[str], folded: Sequence[str],
           lex: Lexicon) -> list[tuple[int, int]]:
    """Words among candidate ``spans`` (in order): a cluster of overlapping ones segmented."""
    found: list[tuple[int, int]] = []
    cluster: list[tuple[int, int]] = []
    start = end = -1
    for span in [*spans, (len(accented) + 1, len(accented) + 1)]:
        if span[0] >= end and cluster:  # the cluster of overlapping candidates is closed
            if len(cluster) > 1:
                cluster = _segmented(start, end, accented, folded, lex)
            found += cluster
            cluster = []
        if not cluster:
            start = span[0]
        cluster.append(span)
        end = max(end, span[1])
    return found


_SEGMENTED: dict[tuple[str, ...], list[tuple[int, int]]] = {}
"""Words of clusters segmented before (relative spans), keyed by their syllables."""
SEGMENTED_SIZE = 50_000


def _segmented(start: int, end: int, accented: Sequence[str], folded: Sequence[str],
               lex: Lexicon) -> list[tuple[int, int]]:
    """The words (two or more syllables) of ``accented[start:end]``, memoised."""
    key = (*accented[start:end], *folded[start:end])
    spans = _SEGMENTED.get(key)
    if spans is None:
        spans = [(a, b) for a, b in lex.segment(accented[start:end], folded[start:end])
                 if b - a > 1]
        if len(_SEGMENTED) >= SEGMENTED_SIZE:
            _SEGMENTED.clear()
        _SEGMENTED[key] = spans
    return [(start + a, start + b) for a, b in spans]


if __name__ == "__main__":  # regenerate FOLDED_FILE after changing WORDS_FILE
    FOLDED_FILE.write_text(folded_file_text(WORDS_FILE.read_bytes()), "utf-8")
