"""The Whoosh schema, in one place.

Layout, chosen to keep the index compact and queries cheap:

* ``title``/``body`` and the metadata are stored for display only; snippets
  are made by re-analysing the stored text, so no character offsets are stored.
* ``all_f`` holds the folded syllables of title, body and byline with
  positions: every match, phrase and prefix query runs on this one field, so
  unaccented queries just work; ``title_f`` (the title alone) adds evidence.
* ``title_a``/``accents`` hold, without positions, only the accented forms
  that carry marks (of the title / of the body): evidence that lets ``Đảng``
  rank a document with *Đảng* above one with only *đang*. Kept per field like
  the folded ones, so exact-accent evidence has the same title/body balance.
* ``pairs`` holds folded adjacent-syllable pairs (``can bo``), without
  positions: multi-syllable words score through cheap term look-ups instead of
  positional phrase matching.
* ``lead`` holds the folded syllables and pairs of the body's opening
  (:func:`indexer.text.syllables.lead_text`), without positions: where a
  document says what it is about. It is given the whole body and takes the
  opening's terms from the body's analysis (:attr:`DocumentTerms.lead`).

The formats below analyse a raw string once (:func:`analyze_cached`) and each
field takes its share, so a document is tokenised once however many fields it
feeds, in the single-process and in Whoosh's multiprocess writer alike.
"""

from __future__ import annotations

from itertools import accumulate

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions

from indexer.whoosh_ext.analyzers import accented_analyzer, folded_analyzer
from indexer.whoosh_ext.fieldterms import counted, encode_positions, folded_positions

SCHEMA_VERSION = 8
"""Bump when the schema changes: an index with another version must be rebuilt
(5: ``copy_key``, identical copies collapse, :mod:`indexer.searching.duplicates`;
6: word pairs across words and position gaps at sentence punctuation, issue 11;
7: the package layout of issue 12 moved the pickled classes of
``indexer.analysis``/``schema``/``postings``/``segfiles``; 8: the ``lead`` field and
the ``title_c`` column).

Also bump it when a class pickled in the index moves: ``tests/test_layout.py``
pins the set of pickled class paths per version."""


def decode_varints(data: bytes) -> list[int]:
    numbers = []
    value = shift = 0
    for byte in data:
        value |= (byte & 127) << shift
        if byte & 128:
            shift += 7
        else:
            numbers.append(value)
            value = shift = 0
    return numbers


class FoldedPositions(Positions):
    """Positions of folded syllables, from one shared analysis pass.

    Posting values are varints (count, then position deltas) instead of
    Whoosh's pickled lists: about a third of the size, and cheaper to decode.
    """

    def encode(self, poslist):
        return encode_positions(poslist)

    def decode_positions(self, valuestring):
        if valuestring and max(valuestring) < 128:  # one byte per number: C loops only
            return list(accumulate(valuestring[1:]))
        codes = decode_varints(valuestring)
        positions = []
        position = 0
        for code in codes[1:]:
            position += code
            positions.append(position)
        return positions

    def decode_frequency(self, valuestring):
        return decode_varints(valuestring[:4])[0]

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]

    def word_values(self, value, analyzer, **kwargs):
        # The same computation as the bulk writer's (indexer.whoosh_ext.fieldterms).
        fb = self.field_boost
        for term, poslist in folded_positions(value).items():
            yield (term, len(poslist), len(poslist) * fb, encode_positions(poslist))


class _CountedTerms(Frequency):
    """Term counts for evidence fields: scored by weight, never by position."""

    component = ""

    def decode_frequency(self, valuestring):
        return 1  # not stored; scoring reads the posting weight instead

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        for term, freq in counted(value, self.component).items():
            # No posting value: the weight already carries the frequency, and
            # value-less blocks are smaller and faster to read back.
            yield (term, freq, freq * fb, b"")


class AccentedFrequency(_CountedTerms):
    """Counts of accented forms that carry marks."""

    component = "accented"


class PairFrequency(_CountedTerms):
    """Counts of folded adjacent-syllable pairs (``"can bo"``)."""

    component = "pairs"


class LeadFrequency(_CountedTerms):
    """Counts of the folded syllables and pairs of a text's lead (its opening): the
    field's value is the whole body, so its one analysis serves this field too."""

    component = "lead"


def _field(analyzer, fmt) -> TEXT:
    field = TEXT(analyzer=analyzer, phrase=True)
    field.format = fmt()
    return field


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=ID(stored=True),
        content_hash=STORED(),
        copy_key=ID(sortable=True),  # identical copies share it (indexer.searching.duplicates)
        title=STORED(),
        title_c=COLUMN(VarBytesColumn()),  # the title again, cheap to read (rescoring)
        body=STORED(),
        url=STORED(),
        author=STORED(),
        date=DATETIME(stored=True, sortable=True),
        source=ID(stored=True, sortable=True),
        source_f=TEXT(analyzer=folded_analyzer(), phrase=False),
        title_f=_field(folded_analyzer(), FoldedPositions),
        all_f=_field(folded_analyzer(), FoldedPositions),
        title_a=_field(accented_analyzer(), AccentedFrequency),
        accents=_field(accented_analyzer(), AccentedFrequency),
        pairs=_field(folded_analyzer(), PairFrequency),
        lead=_field(folded_analyzer(), LeadFrequency),
    )
