"""The on-disk posting format: Whoosh's W3 codec with compact, array-coded blocks.

Whoosh 2.7 pickles each block of 128 postings as a tuple of Python ints,
floats and (protocol 2) ``bytes`` objects. For ``bytes`` that protocol emits a
``_codecs.encode`` call per value, and every float weight takes nine bytes:
on a 100k-document index the postings were two thirds of the index, and
unpickling dominated reading them back. Here a block is three flat arrays
(docnum deltas, integer frequencies, value lengths + value bytes) compressed
together, so writing and reading a block are a handful of C calls, whatever
its length, and :func:`read_postings` hands a whole posting list to the
ranking code as two Python lists.

Everything else (term table, block headers, skipping, inlined short lists)
is Whoosh's own, so every reader, merge and writer of Whoosh works unchanged.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from itertools import accumulate
from pickle import dumps

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    length_to_byte,
)
from whoosh.matching import ListMatcher
from whoosh.system import emptybytes

from .errors import IndexDamagedError

DAMAGED = ("a posting block of the index is damaged; rebuild it with "
           "`vnsearch reindex --full`")

INLINE_LIMIT = 32
"""Posting lists shorter than this live inside their term entry. Most adjacent
pairs occur in a handful of documents; a separate compressed block per pair
costs about 100 bytes of headers, so inlining roughly halves those fields."""

BLOCK_LIMIT = 128
COMPRESSION = 3

_TYPECODES = ("B", "H", "I", "f")
_SWAP = sys.byteorder != "little"  # blocks are little-endian on every machine


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
    """``ids`` ascending; ``weights`` floats; ``values`` bytes per posting, or empty.

    Layout: three code bytes (docnum deltas, weights, value lengths; 255 =
    absent), then the arrays, then the concatenated values.
    """
    deltas = array("I", ids)
    if len(deltas) > 1:
        deltas = array("I", [deltas[0]]) + array("I", map(int.__sub__, deltas[1:], deltas[:-1]))
    id_code = _smallest(max(deltas))
    parts = [b"", _to_bytes(array(_TYPECODES[id_code], deltas))]
    if min(weights) == 1.0 == max(weights):
        weight_code = 255
    else:
        counts = array("I", map(int, weights)) if min(weights) >= 0 else None
        if counts is not None and array("f", counts) == array("f", weights):
            weight_code = _smallest(max(counts))
            parts.append(_to_bytes(array(_TYPECODES[weight_code], counts)))
        else:
            weight_code = 3
            parts.append(_to_bytes(array("f", weights)))
    if values:
        lengths = array("I", map(len, values))
        length_code = _smallest(max(lengths))
        parts.append(_to_bytes(array(_TYPECODES[length_code], lengths)))
        parts.append(emptybytes.join(values))
    else:
        length_code = 255
    parts[0] = bytes((id_code, weight_code, length_code))
    return emptybytes.join(parts)


def decode_block(data: bytes, count: int, compressed: bool, want_values: bool = True):
    """(ids, weights, values) of a block written by :func:`encode_block`.

    ``values`` is None when the block has none (or when not wanted). Damaged
    bytes raise :class:`IndexDamagedError`, a message for the user, not a bug.
    """
    try:
        return _decode_block(zlib.decompress(data) if compressed else bytes(data),
                             count, want_values)
    except (zlib.error, ValueError, IndexError, OverflowError) as exc:
        raise IndexDamagedError(DAMAGED) from exc


def _decode_block(data: bytes, count: int, want_values: bool):
    id_code, weight_code, length_code = data[0], data[1], data[2]
    pos = 3
    end = pos + count * array(_TYPECODES[id_code]).itemsize
    ids = list(accumulate(_from_bytes(id_code, data[pos:end])))
    if len(ids) != count:
        raise ValueError("short block")
    pos = end
    if weight_code == 255:
        weights = [1.0] * count
    else:
        end = pos + count * array(_TYPECODES[weight_code]).itemsize
        weights = list(map(float, _from_bytes(weight_code, data[pos:end])))
        pos = end
    values = None
    if length_code != 255 and want_values:
        end = pos + count * array(_TYPECODES[length_code]).itemsize
        ends = list(accumulate(_from_bytes(length_code, data[pos:end]), initial=end))
        values = list(map(data.__getitem__, map(slice, ends[:-1], ends[1:])))
    return ids, weights, values


class CompactPostingsWriter(W3PostingsWriter):
    """W3PostingsWriter writing :func:`encode_block` blocks, with working inlining
    (whoosh-reloaded 2.7.5 calls a misspelt ``set_inline``, so its codec ships
    with inlining disabled) and :meth:`add_many` for whole posting lists."""

    def _new_block(self):
        if self._byteids:  # term vectors (not used by vnsearch): Whoosh's own blocks
            return super()._new_block()
        self._ids = array("I")
        self._weights = array("f")
        self._values = []
        self._minlength = None
        self._maxlength = 0
        self._maxweight = 0

    def add_posting(self, id_, weight, vbytes, length=None):
        if self._byteids:
            return super().add_posting(id_, weight, vbytes, length)
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def add_many(self, ids, weights, values, lengths) -> None:
        """A whole term's postings at once: same blocks as :meth:`add_posting` per posting.

        ``values`` is empty for value-less formats; ``lengths`` are the
        documents' field lengths (block statistics).
        """
        total, start = len(ids), 0
        while start < total:
            if len(self._ids) >= self._blocklimit:
                self._write_block()
            stop = min(total, start + self._blocklimit - len(self._ids))
            self._ids.extend(ids[start:stop])
            chunk = weights[start:stop]
            self._weights.extend(chunk)
            self._maxweight = max(self._maxweight, max(chunk))
            if values:
                self._values.extend(values[start:stop])
            known = [n for n in lengths[start:stop] if n]
            if known:
                low = min(known)
                if self._minlength is None or low < self._minlength:
                    self._minlength = low
                self._maxlength = max(self._maxlength, max(known))
            start = stop

    def _write_block(self, last=False):
        if self._byteids:
            return super()._write_block(last)
        return _write_compact_block(self, last)

    def finish_postings(self):
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


def _write_compact_block(writer: CompactPostingsWriter, last: bool) -> None:
    """W3PostingsWriter._write_block with :func:`encode_block` as the block data
    (the block header, a pickled stats tuple read for skipping, is unchanged)."""
    if not writer._blockcount:
        writer._postfile.write(WHOOSH3_HEADER_MAGIC)
    writer._terminfo.add_block(writer)
    databytes = encode_block(writer._ids, writer._weights, writer._values)
    comp = writer._compression
    if comp:
        databytes = zlib.compress(databytes, comp)
    ids = writer._ids
    infobytes = dumps((len(ids), ids[-1], writer._maxweight, comp,
                              length_to_byte(writer._minlength),
                              length_to_byte(writer._maxlength)), 2)
    blocklength = len(infobytes) + len(databytes)
    postfile = writer._postfile
    postfile.write_int(-blocklength if last else blocklength)
    postfile.write(infobytes)
    postfile.write(databytes)
    writer._blockcount += 1
    writer._new_block()


class CompactLeafMatcher(W3LeafMatcher):
    """W3LeafMatcher over :func:`encode_block` blocks."""

    def _read_data(self):
        datalen = self._nextoffset - self._dataoffset
        data = self._postfile.get(self._dataoffset, datalen)
        self._data = decode_block(data, self._blocklength, bool(self._compression))

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = self._data[0]

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = self._data[1]

    def _read_values(self):
        if self._data is None:
            self._read_data()
        values = self._data[2]
        self._values = values if values is not None else (None,) * self._blocklength

    def all_arrays(self, with_values: bool = False):
        """Every remaining (docnums, weights, values or None) of the list, block by block."""
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] | None = [] if with_values else None
        get = self._postfile.get
        while self.is_active():
            data = get(self._dataoffset, self._nextoffset - self._dataoffset)
            block_ids, block_weights, block_values = decode_block(
                data, self._blocklength, bool(self._compression), with_values)
            ids += block_ids[self._i:]
            weights += block_weights[self._i:]
            if values is not None:
                values += (block_values or [b""] * self._blocklength)[self._i:]
            self._i = self._blocklength
            if self._lastblock:
                self._atend = True
            else:
                self._goto(self._nextoffset)
        return ids, weights, values


class CompactCodec(W3Codec):
    """The codec every vnsearch writer uses (full, incremental and merges alike)."""

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression,
                                     inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                               terminfo=terminfo)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def build_codec() -> CompactCodec:
    return CompactCodec(blocklimit=BLOCK_LIMIT, compression=COMPRESSION,
                        inlinelimit=INLINE_LIMIT)


def read_postings(reader, fieldname: str, btext: bytes, with_values: bool = False):
    """All (docnums, weights, values) of a term in one segment ``reader``.

    ``values`` (the encoded positions) is None unless ``with_values``; an
    absent term gives empty lists. For scoring many documents at once: one
    call per posting list instead of a matcher method call per posting.
    """
    terms = reader._terms
    if (fieldname, btext) not in terms:
        return [], [], ([] if with_values else None)
    terminfo = terms.term_info(fieldname, btext)
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        values = (list(values) or [b""] * len(ids)) if with_values else None
        return list(ids), list(weights), values
    matcher = terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    if isinstance(matcher, CompactLeafMatcher):
        return matcher.all_arrays(with_values)
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if with_values:
            values.append(matcher.value())
        matcher.next()
    return ids, weights, (values if with_values else None)
