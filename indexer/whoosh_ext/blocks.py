"""One posting block as bytes: three flat arrays instead of a pickled tuple.

Whoosh 2.7 pickles each block of postings as a tuple of Python ints, floats
and (protocol 2) ``bytes`` objects: for ``bytes`` that protocol emits a
``_codecs.encode`` call per value, and every float weight takes nine bytes.
A block here is docnum deltas, integer frequencies and value lengths as the
narrowest unsigned arrays, then the concatenated values; encoding and
decoding are a handful of C calls whatever the block's length.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from itertools import accumulate
from operator import sub

from whoosh.system import emptybytes

from indexer.errors import IndexDamagedError

DAMAGED = ("a posting block of the index is damaged; rebuild it with "
           "`vnsearch reindex --full`")

_TYPECODES = ("B", "H", "I", "f")
_SWAP = sys.byteorder != "little"  # blocks are little-endian on every machine
_PACK = tuple(struct.Struct(f"<{code}").pack for code in _TYPECODES)


def _smallest(largest: float) -> int:
    """Index in :data:`_TYPECODES` of the narrowest unsigned code holding ``largest``."""
    if largest < 256:
        return 0
    return 1 if largest < 65536 else 2


def _to_bytes(values: array) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_bytes(code: int, data: bytes) -> array:
    values = array(_TYPECODES[code])
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values


def encode_block(ids, weights, values) -> bytes:
    """``ids`` ascending; ``weights`` float32 (an ``array("f")``, as the postings writer
    keeps them; another sequence is taken as float32); ``values`` bytes per posting,
    or empty.

    Layout: three code bytes (docnum deltas, weights, value lengths; 255 =
    absent), then the arrays, then the concatenated values.

    Every block of a build goes through here: the numbers are handled as lists (an
    array converted to an array of another type, or compared, makes an object per
    item), which halves the cost of a block.
    """
    if len(ids) == 1 and isinstance(weights, array) and weights.typecode == "f":
        return _encode_one(ids[0], weights[0], values[0] if values else None)
    deltas = [ids[0], *map(sub, ids[1:], ids[:-1])] if len(ids) > 1 else list(ids)
    id_code = _smallest(max(deltas))
    parts = [b"", _to_bytes(array(_TYPECODES[id_code], deltas))]
    if not (isinstance(weights, array) and weights.typecode == "f"):
        weights = array("f", weights)
    floats = weights.tolist()
    low = min(floats)
    if low == 1.0 == max(floats):
        weight_code = 255
    else:
        counts = list(map(int, floats)) if low >= 0 else None
        if counts is not None and counts == floats:  # whole numbers: stored as integers
            weight_code = _smallest(max(counts))
            parts.append(_to_bytes(array(_TYPECODES[weight_code], counts)))
        else:
            weight_code = 3
            parts.append(_to_bytes(weights))
    if values:
        lengths = list(map(len, values))
        length_code = _smallest(max(lengths))
        parts.append(_to_bytes(array(_TYPECODES[length_code], lengths)))
        parts.append(emptybytes.join(values))
    else:
        length_code = 255
    parts[0] = bytes((id_code, weight_code, length_code))
    return emptybytes.join(parts)


def _encode_one(docnum: int, weight: float, value: bytes | None) -> bytes:
    """:func:`encode_block` of a one-posting block, byte for byte, packed directly: most
    terms of a segment occur in one document (rare pairs, names, numbers), and the
    general path's lists and arrays were most of their cost."""
    id_code = _smallest(docnum)
    parts = [b"", _PACK[id_code](docnum)]
    if weight == 1.0:
        weight_code = 255
    elif weight >= 0 and int(weight) == weight:  # whole numbers: stored as integers
        weight_code = _smallest(int(weight))
        parts.append(_PACK[weight_code](int(weight)))
    else:
        weight_code = 3
        parts.append(_PACK[3](weight))
    if value is None:
        length_code = 255
    else:
        length_code = _smallest(len(value))
        parts += (_PACK[length_code](len(value)), value)
    parts[0] = bytes((id_code, weight_code, length_code))
    return emptybytes.join(parts)


def decode_block(data: bytes, count: int, compressed: bool, want_values: bool = True,
                 raw: bool = False):
    """(ids, weights, values) of a block written by :func:`encode_block`.

    ``values`` is None when the block has none (or when not wanted). Damaged
    bytes raise :class:`IndexDamagedError`, a message for the user, not a bug.
    ``raw``: weights as the stored array (None if all are 1), not float lists, and
    values (if wanted) as ``(lengths array, the values end to end)``, not a list.
    """
    try:
        return _decode_block(zlib.decompress(data) if compressed else bytes(data),
                             count, want_values, raw)
    except (zlib.error, ValueError, IndexError, OverflowError) as exc:
        raise IndexDamagedError(DAMAGED) from exc


def _decode_block(data: bytes, count: int, want_values: bool, raw: bool):
    id_code, weight_code, length_code = data[0], data[1], data[2]
    pos = 3
    end = pos + count * array(_TYPECODES[id_code]).itemsize
    ids = list(accumulate(_from_bytes(id_code, data[pos:end])))
    if len(ids) != count:
        raise ValueError("short block")
    pos = end
    if weight_code == 255:
        weights = None if raw else [1.0] * count
    else:
        end = pos + count * array(_TYPECODES[weight_code]).itemsize
        weights = _from_bytes(weight_code, data[pos:end])
        if len(weights) != count:
            raise ValueError("short block")
        if not raw:
            weights = list(map(float, weights))
        pos = end
    values = None
    if length_code != 255 and want_values:
        end = pos + count * array(_TYPECODES[length_code]).itemsize
        if raw:
            return ids, weights, (_from_bytes(length_code, data[pos:end]), data[end:])
        ends = list(accumulate(_from_bytes(length_code, data[pos:end]), initial=end))
        values = list(map(data.__getitem__, map(slice, ends[:-1], ends[1:])))
    return ids, weights, values


_RANK = {code: rank for rank, code in enumerate(_TYPECODES)}


def extend_weights(weights: array, more: array) -> array:
    """``weights`` with ``more`` appended, widened to ``more``'s type code when that is
    wider ('B' < 'H' < 'I' < 'f'); returns the array that holds them (maybe a new one)."""
    if more.typecode != weights.typecode:
        if _RANK[more.typecode] > _RANK[weights.typecode]:
            weights = array(more.typecode, weights)
        else:
            more = array(weights.typecode, more)
    weights.extend(more)
    return weights


def narrowest(weights) -> array:
    """Weights (floats) as the narrowest array holding them exactly: 'B', 'H' or 'I'
    for whole numbers, else 'f'."""
    floats = list(weights)
    counts = list(map(int, floats)) if floats and min(floats) >= 0 else None
    if counts is None or counts != floats or max(counts) >= 1 << 32:
        return array("f", floats)
    return array(_TYPECODES[_smallest(max(counts))], counts)


class PackedValues:
    """Posting values (encoded positions) as one buffer and an end offset each: what a
    cached posting list keeps instead of one ``bytes`` object per posting (41 bytes of
    object and pointer for a value of one or two bytes).

    Reads like the list it replaces: ``len``, ``values[i]`` and iteration give bytes.
    """

    __slots__ = ("_data", "_ends")

    def __init__(self, values=(), *, data: bytes | None = None, ends: array | None = None):
        if data is not None:
            self._data, self._ends = data, ends
            return
        chunks, ends, end = [], array("I"), 0
        for value in values:
            chunks.append(value)
            end += len(value)
            ends.append(end)
        self._data = emptybytes.join(chunks)
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self._ends)
        return self._data[self._ends[i - 1] if i else 0:self._ends[i]]

    def __iter__(self):
        starts = array("I", [0])
        starts.extend(self._ends[:-1])
        return map(self._data.__getitem__, map(slice, starts, self._ends))

    @property
    def data(self) -> bytes:
        """The values, end to end."""
        return self._data

    @property
    def ends(self) -> array:
        """Where each value ends in :attr:`data` (an array('I'))."""
        return self._ends

    @property
    def nbytes(self) -> int:
        """Memory held, in bytes (buffer and offsets)."""
        return len(self._data) + 4 * len(self._ends)
