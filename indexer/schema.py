"""The Whoosh schema, in one place.

Layout, chosen to keep the index compact and queries cheap:

* ``title``/``body`` and the metadata are stored for display only; snippets
  are made by re-analysing the stored text, so no character offsets are stored.
* ``title_f``/``body_f`` hold folded syllables with positions: every match,
  phrase and prefix query runs on them, so unaccented queries just work.
* ``title_a``/``accents`` hold, without positions, only the accented forms
  that carry marks (of the title / of the body): evidence that lets ``Đảng``
  rank a document with *Đảng* above one with only *đang*. Kept per field like
  the folded ones, so exact-accent evidence has the same title/body balance.
* ``pairs`` holds folded adjacent-syllable pairs (``can bo``), without
  positions: multi-syllable words score through cheap term look-ups instead of
  positional phrase matching.

The formats below analyse a raw string once (:func:`analyze_cached`) and each
field takes its share, so a document is tokenised once however many fields it
feeds, in the single-process and in Whoosh's multiprocess writer alike.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from .analysis import accented_analyzer, analyze_cached, folded_analyzer

SCHEMA_VERSION = 1
"""Bump when the schema changes: an index with another version must be rebuilt."""


def _texts(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(v for v in value if v)


class FoldedPositions(Positions):
    """Positions of folded syllables, from one shared analysis pass."""

    def word_values(self, value, analyzer, **kwargs):
        poses: dict[str, list[int]] = defaultdict(list)
        offset = 0
        for text in _texts(value):
            terms = analyze_cached(text)
            for term, pos in terms.folded:
                poses[term].append(pos + offset)
            offset += terms.length + 1
        fb = self.field_boost
        for term, poslist in poses.items():
            poslist.sort()
            yield (term, len(poslist), len(poslist) * fb, self.encode(poslist))


class _CountedTerms(Frequency):
    component = ""

    def word_values(self, value, analyzer, **kwargs):
        counts: dict[str, int] = defaultdict(int)
        for text in _texts(value):
            for term in getattr(analyze_cached(text), self.component):
                counts[term] += 1
        fb = self.field_boost
        for term, freq in counts.items():
            yield (term, freq, freq * fb, pack_uint(freq))


class AccentedFrequency(_CountedTerms):
    """Counts of accented forms that carry marks."""

    component = "accented"


class PairFrequency(_CountedTerms):
    """Counts of folded adjacent-syllable pairs (``"can bo"``)."""

    component = "pairs"


def _field(analyzer, fmt) -> TEXT:
    field = TEXT(analyzer=analyzer, phrase=True)
    field.format = fmt()
    return field


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=ID(stored=True),
        content_hash=STORED(),
        title=STORED(),
        body=STORED(),
        url=STORED(),
        author=STORED(),
        date=DATETIME(stored=True, sortable=True),
        source=ID(stored=True, sortable=True),
        source_f=TEXT(analyzer=folded_analyzer(), phrase=False),
        title_f=_field(folded_analyzer(), FoldedPositions),
        body_f=_field(folded_analyzer(), FoldedPositions),
        title_a=_field(accented_analyzer(), AccentedFrequency),
        accents=_field(accented_analyzer(), AccentedFrequency),
        pairs=_field(folded_analyzer(), PairFrequency),
    )
