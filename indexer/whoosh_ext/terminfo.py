"""Term entries whose inlined postings are a compact block, not a pickle.

A posting list shorter than :data:`~indexer.whoosh_ext.codec.INLINE_LIMIT` lives inside
its term's entry, and Whoosh's W3 codec pickles it there (protocol 2: a ``_codecs``
call per position value, nine bytes per float weight). Most terms are rare, so most
lists are inlined: in a 1,000-document segment the pickles were 2.2 of its 6.8 MB
(5.9x what :func:`~indexer.whoosh_ext.blocks.encode_block` makes of the same
postings), 8.7 MB of a 14.7k-document one's 51 MB. Small segments, which every
incremental reindex writes, were the most bloated: they are what kept an updated
index far above a fresh build's size.

:class:`CompactTermInfo` writes the entry's fixed part as Whoosh does, then
:data:`INLINE_MARK` and the block; reading, it decodes the block only when the postings
are asked for (a df or weight look-up never does), and still reads the pickles of
segments written before (a pickle starts with 0x80, never with the mark).
"""

from __future__ import annotations

import struct
from array import array
from pickle import UnpicklingError, loads

from whoosh.codec.whoosh3 import W3FieldCursor, W3FieldWriter, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, _LONG_SIZE, pack_ushort, unpack_int, unpack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.errors import IndexDamagedError
from indexer.whoosh_ext.blocks import DAMAGED, decode_block, encode_block

INLINE_MARK = 0xC5
"""First byte of compact inlined postings (a protocol-2 pickle starts with 0x80)."""
_PENDING = object()  # inlined postings not decoded yet


class CompactTermInfo(W3TermInfo):
    """W3's term entry with inlined postings as an :func:`encode_block` block."""

    _inline_data = b""

    def inlined_postings(self):
        if self._inlined is _PENDING:
            ids, weights, values = decode_block(self._inline_data, self._df, False)
            self._inlined = (ids, weights, tuple(values or ()))
        return self._inlined

    def to_bytes(self) -> bytes:
        if self._inlined is None:
            return super().to_bytes()
        ids, weights, values = self.inlined_postings()
        return self._head(True) + bytes((INLINE_MARK,)) + encode_block(
            ids, weights, values if any(values) else ())

    def _head(self, inlined: bool) -> bytes:
        """The fixed part, as ``W3TermInfo.to_bytes`` packs it."""
        return self._struct.pack(
            inlined, self._weight, self._df,
            0 if self._minlength is None else length_to_byte(self._minlength),
            length_to_byte(self._maxlength), self._maxweight,
            0xFFFFFFFF if self._minid is None else self._minid,
            0xFFFFFFFF if self._maxid is None else self._maxid)

    @classmethod
    def from_bytes(cls, s):
        """A term entry as stored; damaged bytes raise :class:`IndexDamagedError` (they
        are not a bug: the web app answers 503 and says to rebuild)."""
        try:
            return cls._from_bytes(s)
        except (struct.error, UnpicklingError, EOFError, ValueError, TypeError, IndexError,
                AttributeError, ImportError) as exc:
            raise IndexDamagedError(DAMAGED) from exc

    @classmethod
    def _from_bytes(cls, s):
        st = cls._struct
        flags, weight, df, minlength, maxlength, maxweight, minid, maxid = st.unpack(
            s[:st.size])
        terminfo = cls()
        terminfo._weight, terminfo._df, terminfo._maxweight = weight, df, maxweight
        terminfo._minlength = byte_to_length(minlength)
        terminfo._maxlength = byte_to_length(maxlength)
        terminfo._minid = None if minid == 0xFFFFFFFF else minid
        terminfo._maxid = None if maxid == 0xFFFFFFFF else maxid
        rest = s[st.size:]
        if not flags:  # a pointer into the posting file, read as W3TermInfo reads it
            terminfo._offset = unpack_long(rest[:_LONG_SIZE])[0]
            terminfo._length = unpack_int(rest[_LONG_SIZE:_LONG_SIZE + _INT_SIZE])
        elif rest[:1] == bytes((INLINE_MARK,)):
            terminfo._inline_data = bytes(rest[1:])
            terminfo._inlined = _PENDING
        else:  # written before compact entries: Whoosh's pickle
            terminfo._inlined = loads(rest)
        return terminfo


class CompactFieldWriter(W3FieldWriter):
    """W3's field writer, starting each term with a :class:`CompactTermInfo`."""

    def start_term(self, btext):
        if self._postwriter is None:
            raise ValueError("start_term before start_field")
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, CompactTermInfo())

    def add_term(self, btext: bytes, ids: array, weights: array, values: list[bytes],
                 lengths: list[int]) -> None:
        """All postings of one term (the bulk writer's call): what ``start_term``,
        ``add_many`` and ``finish_term`` write, with the short lists (most terms of a
        build: rare pairs, ids, dates) written straight into the term table.

        ``ids`` ascending docnums, ``weights`` their float32 weights (``array("f")``),
        ``values`` posting values (empty for value-less formats), ``lengths`` the
        documents' field lengths.
        """
        postwriter = self._postwriter
        if len(ids) < postwriter._inlinelimit and len(ids) <= postwriter._blocklimit:
            self._tindex.add(pack_ushort(self._fieldid) + btext,
                             inlined_term_info(ids, weights, values, lengths))
            return
        self.start_term(btext)
        postwriter.add_many(ids, weights, values, lengths)
        self.finish_term()


def inlined_term_info(ids: array, weights: array, values: list[bytes],
                      lengths: list[int]) -> bytes:
    """``CompactTermInfo.to_bytes()`` of a posting list inlined in its term entry,
    computed as the postings writer gathers it (one block never written: its
    statistics, then the block), without the writer and term info objects."""
    known = list(filter(None, lengths))
    return CompactTermInfo._struct.pack(
        True, sum(weights), len(ids),
        length_to_byte(min(known)) if known else 0,
        length_to_byte(max(known) if known else 0),
        max(0, max(weights)), ids[0], ids[-1],
    ) + bytes((INLINE_MARK,)) + encode_block(ids, weights, values if any(values) else ())


class CompactTermsReader(W3TermsReader):
    """W3's terms reader, reading entries as :class:`CompactTermInfo`."""

    def items(self):
        decode, keys = CompactTermInfo.from_bytes, self._keydecoder
        return ((keys(key), decode(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode, keys = CompactTermInfo.from_bytes, self._keydecoder
        return ((keys(key), decode(value)) for key, value
                in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def cursor(self, fieldname, fieldobj):
        return _Cursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)


class _Cursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos,
                                                                  self._datalen))
