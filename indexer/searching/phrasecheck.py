"""Phrase checks as array operations, for a whole segment's candidates at once.

A phrase's candidates are the documents holding all its words; most of them do
not hold the words side by side. Checking them one by one in Python (decode each
word's positions, intersect shifted sets) took 0.9 s of the 1M-document bench's
``"phiên tòa sơ thẩm"`` (50,000 candidates, 200,000 posting values decoded). Here
each word's posting values for every candidate are gathered from its packed list
(:class:`indexer.whoosh_ext.blocks.PackedValues`), their varints decoded and
turned into positions with a handful of numpy calls, and the phrase holds where
(document, position − the word's place) is common to every word.

Values are :class:`indexer.indexing.schema.FoldedPositions`'s: varints, the count
first, then the first position and the gaps between positions.
"""

from __future__ import annotations

import numpy as np

from indexer.whoosh_ext.blocks import PackedValues

MAX_SLOP = 3
"""The largest ``Phrase.slop`` checked here (gaps tried one by one); Whoosh's matcher
does the rest."""


def gather(docs: np.ndarray, ids, values: PackedValues) -> tuple[np.ndarray, np.ndarray]:
    """(the posting values of ``docs`` end to end, as bytes; each one's length).

    ``docs`` ascending, each of them in the ascending ``ids`` (an array('I'))."""
    where = np.searchsorted(np.frombuffer(ids, dtype=np.uint32), docs)
    ends = np.frombuffer(values.ends, dtype=np.uint32).astype(np.int64)
    stops = ends[where]
    starts = np.where(where > 0, ends[where - 1], 0)
    lengths = stops - starts
    placed = np.cumsum(lengths) - lengths  # where each value starts in the output
    index = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(placed - starts, lengths)
    return np.frombuffer(values.data, dtype=np.uint8)[index], lengths


def positions(data: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank of the document, position) of every position the values hold."""
    if not len(data):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    last = data < 128  # the last byte of each varint
    starts = np.flatnonzero(np.concatenate(([True], last[:-1])))
    number_of_byte = np.cumsum(last) - last
    shift = 7 * (np.arange(len(data), dtype=np.int64) - starts[number_of_byte])
    numbers = np.add.reduceat((data & 127).astype(np.int64) << shift, starts)
    doc_of_number = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[starts]
    counts = np.concatenate(([True], doc_of_number[1:] != doc_of_number[:-1]))
    running = np.cumsum(np.where(counts, 0, numbers))
    base = running[counts][np.cumsum(counts) - 1]  # each number's document's start
    keep = ~counts
    return doc_of_number[keep], (running - base)[keep]


def adjacent(columns: list[tuple[np.ndarray, np.ndarray]], expired=lambda: False,
             slop: int = 1) -> np.ndarray | None:
    """Ranks of the documents where word ``k`` of the phrase is at ``p + k`` for some
    ``p`` and every ``k``: ``columns[k]`` is word ``k``'s :func:`gather` output.
    None if ``expired()`` turned true between words.

    ``slop`` > 1 (Whoosh's ``Phrase.slop``): each word 1 to ``slop`` positions after
    the one before it (an identifier's parts across a spaced dash: ``tế - xã``)."""
    if slop > 1:
        return _near(columns, expired, slop)
    common = None
    shift = len(columns)  # keeps position - place non-negative
    for place, (data, lengths) in enumerate(columns):
        if expired():
            return None
        docs, found = positions(data, lengths)
        keys = _distinct((docs << 32) | (found - place + shift))  # ascending already
        common = keys if common is None else np.intersect1d(common, keys, assume_unique=True)
        if not len(common):
            break
    return _distinct(common >> 32)


def _near(columns, expired, slop: int) -> np.ndarray | None:
    """:func:`adjacent` with gaps of 1 to ``slop`` positions: the (document, position)
    keys each word can be reached at, word by word."""
    reached = None
    for data, lengths in columns:
        if expired():
            return None
        docs, found = positions(data, lengths)
        keys = _distinct((docs << 32) | found)  # ascending: documents, then positions
        if reached is None:
            reached = keys
        else:
            steps = [np.intersect1d(reached + gap, keys, assume_unique=True)
                     for gap in range(1, slop + 1)]
            reached = np.unique(np.concatenate(steps))
        if not len(reached):
            break
    return _distinct(reached >> 32)


def _distinct(ascending: np.ndarray) -> np.ndarray:
    """An ascending array without its repeats (``np.unique`` without its sort)."""
    if len(ascending) < 2:
        return ascending
    return ascending[np.concatenate(([True], ascending[1:] != ascending[:-1]))]
