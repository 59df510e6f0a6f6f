"""A search's answer is immutable: the result cache hands one object to every thread."""

from __future__ import annotations

import dataclasses

import pytest

import indexer
from tests.helpers import write_jsonl


def test_a_cached_answer_cannot_be_changed_by_a_caller(tmp_path):
    """Results and Hit were plain mutable dataclasses: a caller editing its answer
    (a note appended, hits trimmed) changed the cached one every later caller got."""
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [
        {"id": "1", "title": "Hợp đồng lao động", "body": "Cán bộ ký hợp đồng lao động."},
        {"id": "2", "title": "Hợp đồng dân sự", "body": "Hợp đồng giữa các bên."},
    ])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index", full=True)
    handle = indexer.open_index(tmp_path / "index")
    try:
        first = indexer.search(handle, "hop dong")
        assert first.total == 2 and indexer.search(handle, "hop dong") is first  # cached
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.total = 0
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.hits[0].score = 0.0
        for change in (lambda: first.hits.append(first.hits[0]), lambda: first.hits.pop(),
                       lambda: first.messages.append("x"), lambda: first.hits[0].copies.clear()):
            with pytest.raises(TypeError):
                change()
        again = indexer.search(handle, "hop dong")
        assert again.total == 2 and len(again.hits) == 2 and again.messages == []
        changed = dataclasses.replace(again, messages=[*again.messages, "ghi chú"])
        assert changed.messages == ["ghi chú"] and again.messages == []
    finally:
        handle.close()
