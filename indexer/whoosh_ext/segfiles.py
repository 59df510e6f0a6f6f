"""Segment files read straight from the memory map, never copied.

Whoosh maps a compound segment file into memory, then wraps each file inside
it in a ``BufferFile`` whose ``BytesIO`` *copies* the bytes: opening a reader
on a 100k-document index copied ~230 MB (a third of a second, and that much
memory per reader: per searcher thread, again after every refresh). Here the
file object reads from the map itself, so the page cache is the only copy,
shared by every reader and process.
"""

from __future__ import annotations

import io
import os

from whoosh.codec.whoosh3 import W3Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile


class _MappedIO(io.RawIOBase):
    """A read-only, seekable file over ``source[offset:offset + length]`` (an mmap)."""

    def __init__(self, source, offset: int, length: int):
        super().__init__()
        self._source, self._start, self._end = source, offset, offset + length
        self._pos = offset

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        stop = self._end if size is None or size < 0 else min(self._end, self._pos + size)
        data = self._source[self._pos:stop]
        self._pos = stop
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        newline = self._source.find(b"\n", self._pos, self._end)
        stop = self._end if newline < 0 else newline + 1
        if size is not None and size >= 0:
            stop = min(stop, self._pos + size)
        return self.read(stop - self._pos)

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: self._start, os.SEEK_CUR: self._pos, os.SEEK_END: self._end}[whence]
        self._pos = min(max(self._start, base + position), self._end)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start


class MappedFile(BufferFile):
    """Whoosh's ``BufferFile`` over a slice of a memory map, without its copy.

    Reads slice the map itself (bytes out, nothing held): a memoryview kept here
    would be an export of the map, which then refuses to close (``BufferError``,
    swallowed by Whoosh's ``CompoundStorage.close``), so each closed reader left its
    map, and the file descriptor the map holds, to the garbage collector: a server
    that kept reindexing ran out of descriptors.
    """

    def __init__(self, source, offset: int, length: int, name=None, onclose=None):
        self._source, self._start, self._end = source, offset, offset + length
        self._name = name
        self.file = _MappedIO(source, offset, length)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return self._source[start:min(start + length, self._end)]


class MappedCompoundStorage(CompoundStorage):
    def open_file(self, name, *args, **kwargs):
        if self._source is None or self.is_closed:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedFile(self._source, offset, length, name=name)


class CompactSegment(W3Segment):
    """A W3 segment whose compound file is read through :class:`MappedFile`."""

    def open_compound_file(self, storage):
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return MappedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)
