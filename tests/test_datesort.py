"""Sorting by date over several segments with deletions: Whoosh's order, undated last.

Issue 10 (finding 3): sorting by date went through Whoosh's SortingCollector,
5-10 times the cost of ranking by relevance, and put undated documents first.
It now takes the bulk evaluation's candidates and per-segment date arrays
(:mod:`indexer.searching.facets`); here it is checked against Whoosh's collector on an
index of three segments with deleted and updated documents.
"""

from __future__ import annotations

import pytest
from whoosh import collectors

import indexer
from indexer.searching.planner import build_query
from indexer.searching.query import parse
from indexer.whoosh_ext.readers import deleted_docs
from tests.helpers import write_jsonl

WORDS = ["cán bộ", "đảng viên", "hợp đồng", "tài sản", "thừa kế", "di chúc"]


def _records(count: int, offset: int = 0) -> list[dict]:
    records = []
    for n in range(offset, offset + count):
        record = {"id": f"d{n:03d}", "title": f"Văn bản {WORDS[n % 6]} số {n}",
                  "text": f"{WORDS[n % 4]} và {WORDS[(n * 7) % 6]}; {WORDS[n % 5]} {n}."}
        if n % 5:  # every fifth undated; dates repeat (ties), some with a time of day
            record["date"] = f"20{10 + n % 7}-0{1 + n % 3}-1{n % 2}" + ("T08:30" if n % 4 else "")
        records.append(record)
    return records


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """Three segments (a full build, then two incremental reindexes) with deletions and an
    update, so per-segment arrays, offsets and deleted documents are all exercised."""
    root = tmp_path_factory.mktemp("datesort")
    corpus = root / "corpus"
    records = _records(60)
    write_jsonl(corpus / "a.jsonl", records)
    indexer.reindex(corpus, root / "index", full=True)
    write_jsonl(corpus / "b.jsonl", _records(30, offset=100))
    indexer.reindex(corpus, root / "index")
    records[3]["text"] += " cán bộ"
    write_jsonl(corpus / "a.jsonl", records[:55])  # 5 of 60: compaction purges past 10%
    report = indexer.reindex(corpus, root / "index")
    assert report.deleted == 5 and report.updated == 1 and report.merges == 0
    handle = indexer.open_index(root / "index")
    yield handle
    handle.close()


QUERIES = ["can bo", "dang vien", "cán bộ OR tài sản", '"thua ke"', "van ban -hop",
           "tai*", "van ban so", "title:di chuc"]


def _whoosh_order(handle, text: str, newest: bool) -> list[tuple[object, str]]:
    """(date, id) in Whoosh's SortingCollector order: how sorting was done before."""
    searcher = handle.searcher()
    query = build_query(parse(text), searcher.reader())
    collector = collectors.FilterCollector(
        collectors.SortingCollector("date", limit=None, reverse=newest),
        restrict=deleted_docs(searcher))
    searcher.search_with_collector(query, collector)
    found = []
    for hit in collector.results():
        stored = searcher.stored_fields(hit.docnum)
        found.append((stored.get("date"), stored["id"]))
    return found


def _ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("text", QUERIES)
def test_dates_in_whooshs_order_then_the_undated(index, text, sort):
    """Same matches and the same sequence of dates as Whoosh's collector (which put
    undated documents first when sorting newest first) across segments and deletions;
    documents of one date may come in another order."""
    searcher = index.searcher()
    assert len(searcher.leaf_searchers()) >= 3 and deleted_docs(searcher)
    results = indexer.search(index, text, sort=sort, per_page=100, budget=0)
    expected = _whoosh_order(index, text, newest=sort == "newest")
    assert results.total == len(expected) > 0
    assert set(_ids(results)) == {i for _, i in expected}
    dated = [d for d, _ in expected if d is not None]
    assert [hit.date for hit in results.hits] == dated + [None] * (len(expected) - len(dated))


def test_pages_of_a_date_sort_follow_each_other(index):
    whole = _ids(indexer.search(index, "van ban", sort="newest", per_page=100))
    pages = [_ids(indexer.search(index, "van ban", sort="newest", page=p, per_page=7))
             for p in range(1, 1 + -(-len(whole) // 7))]
    assert [i for page in pages for i in page] == whole
