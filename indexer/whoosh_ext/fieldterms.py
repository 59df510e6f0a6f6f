"""What one document puts in each analysed field, and how the bulk writer gathers it.

The first half are the computations behind the formats of :mod:`indexer.indexing.schema`
(``FoldedPositions``, ``AccentedFrequency``, ``PairFrequency``), written as
plain functions over the cached analysis so that the bulk writer
(:mod:`indexer.whoosh_ext.segment_writer`) can use them without a generator and a tuple per
posting. They must give exactly what the formats' ``word_values`` give:
``tests/test_build.py`` compares a bulk-built index with one built by Whoosh's
own writer.

The second half appends one document's postings of a field to an in-memory
table ``term -> postings``. Documents arrive in docnum order, so every term's
postings stay sorted without any sort.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from operator import sub

from whoosh.fields import FieldType

from indexer.text.syllables import analyze_cached

ONE_POSITION_LIMIT = 1 << 14


def texts(value) -> tuple[str, ...]:
    """A field value as texts: a string, or a sequence whose empty members are skipped."""
    return (value,) if isinstance(value, str) else tuple(v for v in value if v)


def encode_varints(numbers: list[int]) -> bytes:
    """Little-endian base-128 varints (one byte for values under 128)."""
    if max(numbers) < 128:
        return bytes(numbers)
    out = bytearray()
    for n in numbers:
        while n >= 128:
            out.append((n & 127) | 128)
            n >>= 7
        out.append(n)
    return bytes(out)


def encode_positions(positions: list[int]) -> bytes:
    """A positional posting value: varints of the count, then the position deltas."""
    if not VARINT:
        _fill_tables()
    if len(positions) == 1:
        position = positions[0]
        if position < ONE_POSITION_LIMIT:
            return ONE_POSITION[position]
        return encode_varints([1, position])
    if not positions:
        return b"\x00"
    deltas = [len(positions), positions[0]]
    deltas += map(sub, positions[1:], positions)
    largest = max(deltas)
    if largest < 128:
        return bytes(deltas)
    if largest < VARINT_LIMIT:
        return b"".join(map(VARINT.__getitem__, deltas))
    return encode_varints(deltas)


# Most posting values are one position, and most numbers fit two varint bytes:
# their encodings are made once, when first needed (as tables built at import they
# cost 20 ms to every process importing the schema, searchers included).
ONE_POSITION: list[bytes] = []
VARINT_LIMIT = 1 << 14
VARINT: list[bytes] = []


def _fill_tables() -> list[bytes]:
    """Fill :data:`ONE_POSITION` and :data:`VARINT` in place; returns ONE_POSITION."""
    VARINT[:] = [encode_varints([n]) for n in range(VARINT_LIMIT)]
    ONE_POSITION[:] = [encode_varints([1, p]) for p in range(ONE_POSITION_LIMIT)]
    return ONE_POSITION


def folded_positions(value) -> dict[str, list[int]]:
    """Folded term -> ascending positions over the value's texts.

    Each text starts one position after the previous one ends, so phrases
    never match across texts. ``analyze`` yields positions in ascending
    order, hence the lists need no sorting.
    """
    poses: dict[str, list[int]] = {}
    get = poses.get
    offset = 0
    for text in texts(value):
        terms = analyze_cached(text)
        for term, pos in terms.folded:
            found = get(term)
            if found is None:
                poses[term] = [pos + offset]
            else:
                found.append(pos + offset)
        offset += terms.length + 1
    return poses


def counted(value, component: str) -> Counter[str]:
    """Term -> occurrences of one analysis component: ``accented``, ``pairs``, or
    ``lead`` (the folded syllables and pairs of a text's opening)."""
    found = texts(value)
    counts = Counter(getattr(analyze_cached(found[0]), component)) if found else Counter()
    for text in found[1:]:
        counts.update(getattr(analyze_cached(text), component))
    return counts


# --- postings gathered in memory (indexer.whoosh_ext.segment_writer) -------------------------

# A term's postings are (docnums, weights) for value-less fields, else
# (docnums, weights, value bytes concatenated, end offset of each value); a
# list with None for the last two while a generic field has given only empty
# values. Values are concatenated rather than kept as one bytes object per
# posting: a third of the memory. Weights are float32, as the codec stores
# them (vnsearch's weights are small whole numbers, exact in float32, so
# block maxima are unchanged too).


def generic_items(field, value) -> Iterable[tuple]:
    """(term, freq, weight, value bytes) of a field without a fast path.

    What ``FieldType.index`` does, minus encoding each term occurrence to
    bytes: text terms stay str and are encoded once per segment (UTF-8
    preserves code point order, so sorting str sorts the bytes too). Fields
    with their own ``index`` (numbers, dates) give bytes.
    """
    if type(field).index is FieldType.index:
        if not isinstance(value, (str, list, tuple)):
            raise ValueError(f"{value!r} is not unicode or sequence")
        return field.format.word_values(value, field.analyzer, mode="index")
    return field.index(value)


def add_positions(table: dict, docnum: int, poses: dict[str, list[int]],
                   fb: float, boost: float) -> int:
    """Postings of a ``FoldedPositions`` field (see ``FoldedPositions.word_values``)."""
    get = table.get
    one_position = ONE_POSITION or _fill_tables()
    length = 0
    for term, positions in poses.items():
        freq = len(positions)
        length += freq
        postings = get(term)
        if postings is None:
            postings = table[term] = (array("I"), array("f"), bytearray(), array("I"))
        postings[0].append(docnum)
        postings[1].append(freq * fb * boost)  # as word_values, then SegmentWriter
        buf = postings[2]
        if freq == 1 and positions[0] < ONE_POSITION_LIMIT:  # most postings: one look-up
            buf += one_position[positions[0]]
        else:
            buf += encode_positions(positions)
        postings[3].append(len(buf))
    return length


def add_counts(table: dict, docnum: int, counts: dict[str, int], fb: float,
                boost: float) -> int:
    """Postings of a value-less counted field (see ``_CountedTerms.word_values``)."""
    get = table.get
    for term, freq in counts.items():
        postings = get(term)
        if postings is None:
            postings = table[term] = (array("I"), array("f"))
        postings[0].append(docnum)
        postings[1].append(freq * fb * boost)
    return sum(counts.values())


def add_items(table: dict, docnum: int, items: Iterable[tuple], boost: float) -> int:
    """Postings from ``(term, freq, weight, value bytes)`` items, as SegmentWriter adds them."""
    get = table.get
    length = 0
    for term, freq, weight, vbytes in items:
        length += freq
        postings = get(term)
        if postings is None:
            postings = table[term] = [array("I"), array("f"), None, None]
        postings[0].append(docnum)
        postings[1].append(weight * boost)
        buf = postings[2]
        if vbytes:
            if buf is None:  # earlier postings of the term had empty values
                buf = postings[2] = bytearray()
                postings[3] = array("I", repeat(0, len(postings[0]) - 1))
            buf += vbytes
            postings[3].append(len(buf))
        elif buf is not None:
            postings[3].append(len(buf))
    return length


def split_values(data: bytes, ends: array) -> list[bytes]:
    """Cut concatenated posting values back into one bytes object per posting."""
    starts = array("I", [0])
    starts.extend(ends[:-1])
    return list(map(data.__getitem__, map(slice, starts, ends)))
