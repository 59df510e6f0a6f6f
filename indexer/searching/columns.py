"""Per-document text values kept in Whoosh columns, read by global docnum.

Why columns and not stored fields: reading a document's stored fields
decompresses all of them, body included (a quarter of a millisecond each, measured
on the LibreOffice help), while a column value is one slice of a mapped file. The
copy keys (:mod:`indexer.searching.duplicates`) and the titles the rescoring
compares with the query (:mod:`indexer.searching.rescore`) are read this way.
"""

from __future__ import annotations

from indexer.errors import IndexDamagedError
from indexer.whoosh_ext.readerstate import state_of

DAMAGED = ("a column of the index is damaged; rebuild it with "
           "`vnsearch reindex --full`")


def _column(leaf, name: str):
    """The segment's column reader of ``name``, made once per reader: making one reads
    the column's offset table (1 ms at 100k documents), and pooled searchers keep
    their readers across requests. Kept on this reader only (it reads through this
    reader's open file), never in the caches shared across commits."""
    state = state_of(leaf)
    key = f"column:{name}"
    column = state.get(key, False)
    if column is False:
        column = leaf.column_reader(name) if leaf.has_column(name) else None
        state[key] = column
    return column


class TextColumn:
    """The values of one text column over one searcher's documents ("" where none)."""

    def __init__(self, searcher, name: str) -> None:
        self._name = name
        self._leaves = [(leaf, offset) for leaf, offset in searcher.reader().leaf_readers()]
        self._columns: dict[int, object] = {}

    def __call__(self, docnum: int) -> str:
        for i in range(len(self._leaves) - 1, -1, -1):
            leaf, offset = self._leaves[i]
            if docnum >= offset:
                break
        else:
            return ""
        column = self._columns.get(i)
        if column is None:
            column = self._columns[i] = _column(leaf, self._name)
            if column is None:
                return ""
        value = column[docnum - offset]
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError as exc:  # damaged bytes: a message, not a crash (500)
                raise IndexDamagedError(DAMAGED) from exc
        return value or ""
