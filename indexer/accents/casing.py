"""How the corpus capitalises its syllables: *Hà Nội*, *Đảng*, *UBND* in suggestions.

Why: the accent model (:mod:`indexer.accents.model`) works on lowercase syllables, so
its did-you-mean and completions came out as *hà nội*, *đảng*. Capital letters
at the start of a sentence say nothing, so only capitals *inside* a sentence
(after a word and a blank) are counted: per syllable (title case, all capitals)
and per pair of neighbours (*Hà Nội* capitalises *nội*, which *nội dung*
would not). A syllable is shown capitalised when at least :data:`SHARE` of its
occurrences (after/before that neighbour) are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

SHARE = 0.5
MIN_COUNT = 1
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x1F00)) if ch.isupper() and ch.isalpha())
_WORD = r"[^\W\d_]+"
_CAP = rf"[{re.escape(_UPPER)}]{_WORD}"
# Starts on the capital (a fast scan: most positions fail on the first class); the
# word before it is read back from the few characters before.
_CAPPED = re.compile(rf"(?<=[^\W_] ){_CAP}(?: {_CAP})*")
_PREVIOUS = re.compile(rf"({_WORD}) \Z")
_NEXT = re.compile(rf" ({_WORD})")

TITLE, UPPER, RIGHT, LEFT = 0, 1, 2, 3
"""Keys: (TITLE, w), (UPPER, w): w capitalised / in capitals inside a sentence;
(RIGHT, (v, w)): w capitalised after v; (LEFT, (v, w)): v capitalised before w."""


def count(text: str, ids: Callable[[str], int | None], out: Counter) -> Counter:
    """Add the mid-sentence capitals of ``text`` to ``out`` (keys above); ``ids`` maps
    a canonical lowercase syllable to its model id (None: not in the model)."""
    from indexer.text.folding import forms  # memoised: the hot path of a build

    def id_of(word: str) -> int | None:
        return ids(forms(word)[0])

    for match in _CAPPED.finditer(text):
        words = match.group().split(" ")
        found = [id_of(word) for word in words]
        before = _PREVIOUS.search(text, max(0, match.start() - 24), match.start())
        previous = id_of(before.group(1)) if before else None
        for word, i in zip(words, found, strict=True):
            if i is not None:
                out[(UPPER if len(word) > 1 and word.isupper() else TITLE, i)] += 1
                if previous is not None:
                    out[(RIGHT, (previous, i))] += 1
            previous = i
        after = _NEXT.match(text, match.end())
        if after:
            found.append(id_of(after.group(1)))
        for pair in zip(found, found[1:], strict=False):
            if None not in pair:
                out[(LEFT, pair)] += 1
    return out


class Casing:
    """Capital counts of a model's syllables (see the module doc)."""

    def __init__(self, table: dict | None = None):
        self.table: Counter = Counter(table or {})

    def update(self, deltas: Counter, sign: int) -> None:
        for key, value in deltas.items():
            new = self.table[key] + sign * value
            if new > 0:
                self.table[key] = new
            else:
                self.table.pop(key, None)

    def state(self) -> dict:
        return dict(self.table)

    def apply(self, words: list[str], ids: list[int], uni: Callable[[int], int],
              bigram: Callable[[int, int], int]) -> list[str]:
        """``words`` (lowercase, model ids ``ids``) capitalised as the corpus does.

        A syllable's left neighbour decides when that pair was seen (*của Đảng*,
        *Hà Nội*, but *cán bộ* and *Bộ luật*), else its right neighbour, else
        the syllable alone.
        """
        table = self.table
        out = []
        for k, (word, i) in enumerate(zip(words, ids, strict=True)):
            if table.get((UPPER, i), 0) >= max(MIN_COUNT, SHARE * max(uni(i), 1)):
                out.append(word.upper())
                continue
            if k and bigram(ids[k - 1], i):
                seen, capped = bigram(ids[k - 1], i), table.get((RIGHT, (ids[k - 1], i)), 0)
            elif k + 1 < len(ids) and bigram(i, ids[k + 1]):
                seen, capped = bigram(i, ids[k + 1]), table.get((LEFT, (i, ids[k + 1])), 0)
            else:
                seen, capped = uni(i), table.get((TITLE, i), 0)
            upper = capped >= max(MIN_COUNT, SHARE * max(seen, 1))
            out.append(word[:1].upper() + word[1:] if upper else word)
        return out
