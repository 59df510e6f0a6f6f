"""BM25F length norms of one segment and field: ``K1 * (1 - B + B * length / avgfl)``.

Why apart and lazy: the two scorers read norms differently. The Python loops of
:mod:`indexer.searching.maxscore` index a list (a shared float per length code, 8
bytes a document); :mod:`indexer.searching.arrayscore` indexes a numpy array. Each
is made on first use from the segment's one-byte length codes, so a field scored
only one way never pays for (nor holds) the other: building both for every field
and segment was a fifth of the first query on a 1M-document index.
"""

from __future__ import annotations

import numpy as np

from indexer.whoosh_ext.readers import BYTE_LENGTHS, field_lengths, length_codes
from indexer.whoosh_ext.readerstate import cache_of


class Norms:
    """One segment's norms of one field for one ``B`` and ``K1``, and the least of them
    (for score bounds). Shared by the segment's readers through the "norms" cache."""

    __slots__ = ("least", "_table", "_codes", "_size", "_list", "_array")

    def __init__(self, table: list[float] | None, codes: bytes | None, size: int,
                 values: list[float] | None = None, empty: float = 0.0):
        """``table[code]`` is the norm of a length code, ``codes`` one per document
        (fewer: the last documents have none, norm ``table[0]``); or, when the
        segment keeps no codes, the ``values`` themselves."""
        self._table, self._codes, self._size = table, codes, size
        self._list, self._array = values, None
        if values is not None:
            self.least = min(values, default=empty)
        else:  # a norm grows with its code: the least code's is the least
            # numpy's min: Python's over a segment's bytes was a tenth of a cold query
            self.least = table[int(np.frombuffer(codes, dtype=np.uint8).min())] if codes \
                else table[0]
            if size > len(codes):
                self.least = min(self.least, table[0])

    def __len__(self) -> int:
        return self._size

    def as_list(self) -> list[float]:
        """The norms as a list (a reference to one of 256 floats per document)."""
        if self._list is None:
            table, codes = self._table, self._codes
            norms = list(map(table.__getitem__, codes))
            norms += [table[0]] * (self._size - len(codes))
            self._list = norms
        return self._list

    def as_array(self) -> np.ndarray:
        """The norms as a float64 array (a table look-up in C from the codes)."""
        if self._array is None:
            if self._list is not None and self._codes is None:
                self._array = np.asarray(self._list, dtype=np.float64)
            else:
                array = np.full(self._size, self._table[0], dtype=np.float64)
                array[:len(self._codes)] = np.asarray(self._table, dtype=np.float64)[
                    np.frombuffer(self._codes, dtype=np.uint8)]
                self._array = array
        return self._array


def norms_of(searcher, sub, fieldname: str, B: float, K1: float) -> Norms:
    """The :class:`Norms` of ``fieldname`` in ``sub``'s segment, cached per segment."""
    avgfl = searcher.avg_field_length(fieldname) or 1
    reader = sub.reader()
    cache = cache_of(reader, "norms")
    key = (fieldname, B, K1, avgfl)
    norms = cache.get(key)
    if norms is None:
        a, b = K1 * (1 - B), K1 * B / avgfl
        codes = length_codes(reader, fieldname)
        if codes is None:
            values = [a + b * (length or 0) for length in field_lengths(sub, fieldname)]
            norms = Norms(None, None, len(values), values, empty=a)
        else:
            table = [a + b * length for length in BYTE_LENGTHS]
            norms = Norms(table, codes, reader.doc_count_all())
        cache[key] = norms
    return norms


def as_list(norms) -> list[float]:
    """A plan's norms as a list: :class:`Norms`, or a list already (the zeros)."""
    return norms if isinstance(norms, list) else norms.as_list()
