"""Per-reader state lives in indexer.whoosh_ext.readerstate, not on Whoosh's readers."""

from __future__ import annotations

import gc

import indexer
from indexer.whoosh_ext import readerstate
from tests.helpers import write_jsonl


def test_our_state_is_kept_beside_whoosh_readers_not_on_them(tmp_path):
    """Lengths, norms, columns, segment keys and copy columns were set in the readers'
    ``__dict__`` under ``_vnsearch_*`` names."""
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [
        {"id": str(n), "title": f"Hợp đồng {n}", "body": "Cán bộ ký hợp đồng lao động."}
        for n in range(5)])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index", full=True)
    handle = indexer.open_index(tmp_path / "index")
    try:
        with handle.reading() as searcher:
            indexer.search(handle, "hop dong lao", facets=True, suggest=False)
            indexer.search(handle, "hop dong", sort="newest", facets=True, suggest=False)
            leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
            for leaf in leaves:
                assert not [name for name in vars(leaf) if "vnsearch" in name]
                assert {"lengths", "norms", "columns", "segment_key"} <= set(
                    readerstate.state_of(leaf))
        with handle.reading() as other:  # another searcher: the same segment's caches
            if other is not searcher:
                leaf = other.reader().leaf_readers()[0][0]
                assert readerstate.cache_of(leaf, "norms") is readerstate.cache_of(
                    leaves[0], "norms")
        del other
    finally:
        handle.close()
    del searcher, leaves, leaf  # the loop's last leaf too
    gc.collect()
    assert not [r for r in list(readerstate._STATE) if getattr(r, "is_closed", False)]
