"""Per-document text columns: damaged bytes are the index's problem, told as such."""

from __future__ import annotations

import pytest

from indexer.errors import IndexDamagedError
from indexer.searching import columns


class _Reader:
    def leaf_readers(self):
        return [("leaf", 0)]


class _Searcher:
    def reader(self):
        return _Reader()


def test_a_title_column_holding_bytes_that_are_not_utf8_is_a_damaged_index(monkeypatch):
    # Found by CI: a damaged segment whose title column no longer decoded made the search
    # raise UnicodeDecodeError, a 500 page, instead of the damaged-index answer (503).
    monkeypatch.setattr(columns, "_column", lambda leaf, name: [b"Ph\xed\xa0p", "Tội"])
    title_of = columns.TextColumn(_Searcher(), "title_c")
    assert title_of(1) == "Tội"
    with pytest.raises(IndexDamagedError, match="--full"):
        title_of(0)
