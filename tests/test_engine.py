"""The shared index handle: searchers follow reindexes even under steady load."""

from __future__ import annotations

import threading
import time

import indexer
from tests.helpers import write_jsonl


def test_a_busy_thread_still_sees_an_incremental_commit(make_corpus, tmp_path):
    corpus = make_corpus({"a.jsonl": [{"id": "1", "title": "Cán bộ", "text": "đảng viên"}]})
    indexer.reindex(corpus, tmp_path / "index")
    handle = indexer.open_index(tmp_path / "index")
    seen: list[float] = []
    deadline = time.monotonic() + 10

    def search_without_pause() -> None:  # never idle for the refresh interval
        while time.monotonic() < deadline:
            if indexer.search(handle, "zzmoi").total:
                seen.append(time.monotonic())
                return

    worker = threading.Thread(target=search_without_pause)
    worker.start()
    time.sleep(0.3)
    write_jsonl(corpus / "b.jsonl", [{"id": "2", "title": "zzmoi", "text": "tin mới"}])
    committed = time.monotonic()
    indexer.reindex(corpus, tmp_path / "index")
    worker.join()
    handle.close()
    assert seen and seen[0] - committed < 5
