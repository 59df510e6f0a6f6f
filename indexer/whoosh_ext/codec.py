"""The on-disk posting format: Whoosh's W3 codec with compact blocks (:mod:`.blocks`).

With Whoosh's pickled blocks the postings were two thirds of a 100k-document
index, and unpickling dominated reading them back. Here blocks are flat
arrays, and :func:`read_postings` hands a whole posting list to the ranking
code as two arrays, one call per list instead of a matcher call per posting.

Everything else (term table, block headers, skipping) is Whoosh's own, so every
reader, merge and writer of Whoosh works unchanged; short lists inlined in their term
entry are blocks too (:mod:`.terminfo`), not pickles.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from io import BytesIO
from itertools import accumulate, repeat
from pickle import UnpicklingError, dumps
from pickle import load as pickle_load

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    byte_to_length,
    length_to_byte,
)
from whoosh.matching import ListMatcher
from whoosh.system import _INT_SIZE, unpack_int

from indexer.whoosh_ext.blocks import (
    PackedValues,
    decode_block,
    encode_block,
    extend_weights,
    narrowest,
)
from indexer.whoosh_ext.segfiles import CompactSegment
from indexer.whoosh_ext.terminfo import CompactFieldWriter, CompactTermsReader

INLINE_LIMIT = 32
"""Posting lists shorter than this live inside their term entry. Most adjacent
pairs occur in a handful of documents; a separate compressed block per pair
costs about 100 bytes of headers, so inlining roughly halves those fields."""

BLOCK_LIMIT = 512
"""Postings per block: lists are decoded whole (indexer.searching.topdocs), so larger blocks
only cut per-block work (10k docs: build 15.0 -> 12.0 s, index 5% smaller)."""
COMPRESSION = 3


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
        """W3PostingsWriter._write_block with :func:`encode_block` as the block data
        (the block header, a pickled stats tuple read for skipping, is unchanged)."""
        if self._byteids:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = encode_block(self._ids, self._weights, self._values)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        infobytes = dumps((len(self._ids), self._ids[-1], self._maxweight, comp,
                           length_to_byte(self._minlength),
                           length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self):
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


_HEAD_BYTES = 128
"""Bytes read for a block's length and pickled header (about 50 of them)."""


class CompactLeafMatcher(W3LeafMatcher):
    """W3LeafMatcher over :func:`encode_block` blocks."""

    def _goto(self, position):
        """Whoosh's ``_goto``, its pickled block header read from one slice of the file.

        Whoosh unpickles the header from the file object itself: some twenty small
        ``read`` calls a block, 20 µs, a tenth of reading a long list cold (11,800
        blocks for a phrase of common syllables at 1M documents). A header longer than
        the slice (never written by vnsearch) is read Whoosh's way.
        """
        head = self._postfile.get(position, _HEAD_BYTES)
        if len(head) < _HEAD_BYTES:
            return super()._goto(position)
        stream = BytesIO(head)
        stream.seek(_INT_SIZE)
        try:
            info = pickle_load(stream)
        except (EOFError, UnpicklingError):
            return super()._goto(position)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        length = unpack_int(head[:_INT_SIZE])[0]
        self._lastblock = length < 0
        self._nextoffset = position + _INT_SIZE + abs(length)
        self._dataoffset = position + stream.tell()
        self._postfile.seek(self._dataoffset)
        (self._blocklength, self._maxid, self._maxweight, self._compression, mnlen,
         mxlen) = info
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

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

    def seek(self, target: int) -> bool:
        """``skip_to(target)``, the block found by its last docnum and the posting in it
        by bisection (Whoosh steps through a block one posting at a time: 80% of the
        cost of reading a few dozen documents' positions); True if ``target`` is here."""
        if not self.is_active():
            return False
        if target > self._maxid:
            self._skip_to_block(lambda: target > self._maxid)
            if not self.is_active():
                return False
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, target, self._i)
        return self._ids[self._i] == target

    def all_arrays(self, with_values: bool = False, narrow: bool = False):
        """Every remaining (docnums, weights, values or None) of the list, block by block.

        Docnums come back as an array('I'), weights as an array('f'), or with
        ``narrow`` as the narrowest array the blocks stored them in ('B' for most
        lists: vnsearch's weights are small whole numbers), so a cached list takes
        5 bytes a posting instead of 8, and values as one :class:`PackedValues`.
        """
        ids = array("I")
        weights = array("B" if narrow else "f")
        values: list[bytes] | None = [] if with_values else None
        chunks: list[bytes] = []  # narrow: the values end to end, block by block
        ends = array("I")
        get = self._postfile.get
        while self.is_active():
            data = get(self._dataoffset, self._nextoffset - self._dataoffset)
            block_ids, block_weights, block_values = decode_block(
                data, self._blocklength, bool(self._compression), with_values, raw=True)
            start = self._i
            ids.extend(block_ids[start:] if start else block_ids)
            if block_weights is None:
                weights.extend(repeat(1, self._blocklength - start))
            else:
                weights = extend_weights(weights, block_weights[start:] if start
                                         else block_weights)
            if with_values:
                lengths, joined = block_values or (repeat(0, self._blocklength), b"")
                lengths = list(lengths)
                skipped = sum(lengths[:start])
                if narrow:
                    edges = list(accumulate(lengths[start:], initial=ends[-1] if ends else 0))
                    ends.extend(edges[1:])
                    chunks.append(joined[skipped:])
                else:
                    edges = list(accumulate(lengths[start:], initial=skipped))
                    values += map(joined.__getitem__, map(slice, edges[:-1], edges[1:]))
            self._i = self._blocklength
            if self._lastblock:
                self._atend = True
            else:
                self._goto(self._nextoffset)
        if narrow and with_values:
            values = PackedValues(data=b"".join(chunks), ends=ends)
        return ids, weights, values


class _InlineMatcher(ListMatcher):
    """Whoosh's ListMatcher for postings inlined in their term entry, except that a
    value-less posting's value is None, not ``""`` (a str): Whoosh's own merge
    rejected ``""``, so after a few incremental commits merging segments failed."""

    def value(self):
        return super().value() if self._values else None


class CompactCodec(W3Codec):
    """The codec every vnsearch writer uses (full, incremental and merges alike); its term
    entries inline short posting lists as blocks too (:mod:`.terminfo`)."""

    def new_segment(self, storage, indexname):
        return CompactSegment(self, indexname)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        name = segment.make_filename(self.TERMS_EXT)
        return CompactTermsReader(self, storage.open_file(name), storage.file_length(name),
                                  segment.open_file(storage, self.POSTS_EXT))

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression,
                                     inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return _InlineMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                                  terminfo=terminfo)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def build_codec() -> CompactCodec:
    return CompactCodec(blocklimit=BLOCK_LIMIT, compression=COMPRESSION,
                        inlinelimit=INLINE_LIMIT)


def open_writer(ix, **kwargs):
    """``ix.writer(**kwargs)`` with our codec: the one way to write to an index.

    Whoosh's default writer would use its W3 codec, whose segments Whoosh reads back but
    :func:`read_postings` (every search) cannot: ``AttributeError: 'W3LeafMatcher' object
    has no attribute 'all_arrays'`` on the first query after such a commit.
    """
    return ix.writer(codec=build_codec(), **kwargs)


def read_postings(reader, fieldname: str, btext: bytes, with_values: bool = False):
    """All (docnums, weights, values) of a term in one segment ``reader``.

    Weights are the narrowest array holding them (see ``all_arrays``): whole
    numbers as 'B', 'H' or 'I', else 'f'; read them as numbers, never as raw bytes.

    ``values`` (the encoded positions) is None unless ``with_values``; an
    absent term gives empty lists. For scoring many documents at once: one
    call per posting list instead of a matcher method call per posting.
    """
    terms = reader._terms
    if (fieldname, btext) not in terms:
        return array("I"), array("f"), ([] if with_values else None)
    terminfo = terms.term_info(fieldname, btext)
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        values = PackedValues(values or [b""] * len(ids)) if with_values else None
        return array("I", ids), narrowest(weights), values
    return terms.matcher(fieldname, btext, reader.schema[fieldname].format).all_arrays(
        with_values, narrow=True)
