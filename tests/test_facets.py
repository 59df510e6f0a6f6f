"""Facets, date order and concise snippets (issue 15), at the library level."""

from __future__ import annotations

import json
import re

import pytest

import indexer
from indexer.searching.highlight import SNIPPET_CHARS, Terms, snippet
from indexer.searching.query import parse
from indexer.text.collation import vn_sorted

CIVIL, CRIMINAL, NEWS = "Bộ luật dân sự 2015", "Bộ luật hình sự 2015", "Đài Hậu Giang"
SOURCES = [CIVIL, CRIMINAL, NEWS, "Ấp Bắc", "Zalo tin"]


def records() -> list[dict]:
    out = []
    for n in range(24):
        source = SOURCES[n % len(SOURCES)]
        record = {"id": f"d{n:02d}", "title": f"Văn bản {n}",
                  "text": f"thừa kế tài sản điều {n}" + (" hợp đồng" if n % 3 == 0 else ""),
                  "source": source}
        if n % 4:  # every fourth document has no date
            record["date"] = f"{2010 + n % 6}-0{1 + n % 9}-1{n % 10}"
        out.append(record)
    return out


@pytest.fixture(name="ix", params=[False, True], ids=["whoosh-writer", "bulk-full"])
def ix_fixture(make_corpus, tmp_path, request):
    """Both writers: the per-document arrays are read from what each one wrote."""
    corpus = make_corpus({"a.jsonl": records()})
    indexer.reindex(corpus, tmp_path / "index", full=request.param)
    handle = indexer.open_index(tmp_path / "index")
    yield handle
    handle.close()


def totals(ix, query: str, **filters) -> int:
    return indexer.search(ix, query, per_page=100, **filters).total


def test_facet_counts_are_this_querys_and_equal_the_filtered_totals(ix):
    results = indexer.search(ix, "hop dong", facets=True)
    assert results.total == 8
    counts = dict(results.facets.sources)
    assert sum(counts.values()) == 8
    for name, count in counts.items():
        assert count == totals(ix, "hop dong", source=name) > 0
    for year, count in results.facets.years:
        assert count == totals(ix, "hop dong", years=[year]) > 0
    # more documents mention "thua ke": the counts change with the query
    assert dict(indexer.search(ix, "thua ke", facets=True).facets.sources)[CIVIL] == 5


def test_facets_are_disjunctive(ix):
    """Source counts ignore the source filter (tick a second one: its count adds up) but
    apply the year filter, and the other way round."""
    year = indexer.search(ix, "thua ke", facets=True).facets.years[0][0]
    results = indexer.search(ix, "thua ke", source=[CIVIL], years=[year], facets=True)
    assert results.total == totals(ix, "thua ke", source=CIVIL, years=[year])
    for name, count in results.facets.sources:
        assert count == totals(ix, "thua ke", source=name, years=[year])
    for y, count in results.facets.years:
        assert count == totals(ix, "thua ke", source=CIVIL, years=[y])
    both = totals(ix, "thua ke", source=[CIVIL, CRIMINAL])
    assert both == totals(ix, "thua ke", source=CIVIL) + totals(ix, "thua ke", source=CRIMINAL)


def test_selected_value_without_matches_is_still_listed(ix):
    results = indexer.search(ix, "hop dong", source=["Không có nguồn này"], facets=True)
    assert results.total == 0
    assert ("Không có nguồn này", 0) in results.facets.sources


def test_facets_follow_an_incremental_reindex(make_corpus, tmp_path):
    """A source whose documents are all deleted is no longer offered (it was, from the
    lexicon, with a stale count)."""
    recs = records()
    corpus = make_corpus({"a.jsonl": recs})
    indexer.reindex(corpus, tmp_path / "index")
    ix = indexer.open_index(tmp_path / "index")
    assert NEWS in dict(indexer.search(ix, "thua ke", facets=True).facets.sources)
    make_corpus({"a.jsonl": [r for r in recs if r["source"] != NEWS]})
    indexer.reindex(corpus, tmp_path / "index")
    ix.close()
    ix = indexer.open_index(tmp_path / "index")
    sources = dict(indexer.search(ix, "thua ke", facets=True).facets.sources)
    assert NEWS not in sources and sum(sources.values()) == 24 - 5
    assert indexer.sources(ix) == sources  # the status page's list too
    assert indexer.stats(ix).sources == sources
    ix.close()


def test_sources_in_vietnamese_order(ix):
    names = [name for name, _ in indexer.search(ix, "thua ke", facets=True).facets.sources]
    assert names == ["Ấp Bắc", CIVIL, CRIMINAL, NEWS, "Zalo tin"]  # Đ after D, before Z
    assert vn_sorted(["Đà Nẵng", "Zê", "Dung", "Ăn", "An", "Bé"]) == [
        "An", "Ăn", "Bé", "Dung", "Đà Nẵng", "Zê"]
    assert list(indexer.sources(ix)) == names


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_orders_put_undated_documents_last(ix, sort):
    results = indexer.search(ix, "thua ke", sort=sort, per_page=100)
    dates = [hit.date for hit in results.hits]
    assert results.total == len(dates) == 24
    dated = [d for d in dates if d]
    assert dates[: len(dated)] == dated and not any(dates[len(dated):])  # undated last
    assert dated == sorted(dated, reverse=sort == "newest")
    page = indexer.search(ix, "thua ke", sort=sort, per_page=5, page=5)
    assert [h.id for h in page.hits] == [h.id for h in results.hits[20:25]]


def test_no_sentinel_values_in_json(ix):
    data = indexer.search(ix, "thua ke", sort="newest", per_page=100, facets=True).to_json()
    assert "18446744073709551615" not in json.dumps(data)
    assert all(hit["score"] is None for hit in data["hits"])  # no relevance in date order
    assert data["hits"][-1]["date"] is None
    assert indexer.search(ix, "thua ke", sort="date").hits[0].date  # the old name


def test_any_filter_values_are_answered(ix):
    mixed = indexer.search(ix, "thua ke", years=["2015", 2011, "x", None, 0], source=[CIVIL, 7])
    assert mixed.total == totals(ix, "thua ke", years=[2011, 2015], source=CIVIL)
    assert indexer.search(ix, "-thua", facets=True).facets == indexer.Facets()  # no words


def test_facets_are_off_unless_asked(ix):
    assert indexer.search(ix, "thua ke").facets is None
    assert indexer.search(ix, "thua ke").to_json()["facets"] is None


LONG = ("Mở đầu văn bản dài. " * 30 + "Người phạm tội phải chịu trách nhiệm\nhình sự theo "
        "quy định. " + "Đoạn giữa không liên quan. " * 30 + "Trách nhiệm bồi thường. "
        + "Cuối cùng là tài sản thừa kế của hộ gia đình. " + "Kết thúc. " * 30)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_snippet_is_short_and_shows_the_best_fragment_first():
    terms = Terms(*parse("trach nhiem hinh su thua ke").highlight_terms())
    text = snippet(LONG, terms)
    assert "\n" not in text
    assert text.count(" … ") <= 1  # at most two fragments
    assert len(plain(text)) <= SNIPPET_CHARS + 10
    assert "<mark>trách nhiệm hình sự</mark>" in text  # a run of query words: one mark
    assert "<mark>thừa kế</mark>" in text  # the second fragment adds the missing word
    assert text.index("trách nhiệm hình sự") < text.index("thừa kế")


def test_snippet_cuts_at_word_boundaries():
    terms = Terms(*parse("trach nhiem").highlight_terms())
    text = plain(snippet(LONG, terms))
    words = set(LONG.replace("\n", " ").split())
    inner = text.strip("… ").split(" … ")
    for fragment in inner:
        assert all(word in words for word in fragment.split()), fragment


def test_snippet_without_a_match_is_the_start():
    text = snippet(LONG, Terms({"khongco": {None}}))
    assert text.startswith("Mở đầu văn bản dài.") and len(text) <= SNIPPET_CHARS + 2


def test_columns_are_read_once_per_segment(ix):
    """Every searcher (one per concurrent request) and every later commit reads the same
    segment: its arrays are built once, not once per searcher."""
    from indexer.searching.facets import Columns

    def columns(searcher) -> list:
        return [Columns.of(sub.reader()) for sub, _ in searcher.leaf_searchers()]

    with ix.reading() as held:  # while one searcher is leased, another is opened
        other = ix.manager.acquire()
        try:
            assert other.searcher is not held
            pairs = zip(columns(held), columns(other.searcher), strict=True)
            assert all(a is b for a, b in pairs)
        finally:
            ix.manager.release(other)


def test_columns_read_whole_hold_each_live_documents_stored_source_and_date(ix):
    """Columns are read a posting list and a column at a time (not a matcher step per
    document): every live document's values must be its stored ones."""
    from whoosh.util.times import long_to_datetime

    from indexer.searching.facets import UNDATED, Columns

    with ix.reading() as searcher:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            cols = Columns.of(reader)
            for docnum, stored in reader.iter_docs():  # live documents only
                source = cols.source[docnum]
                assert (cols.names[source] if source >= 0 else None) == stored.get("source")
                date = cols.date[docnum]
                when = None if date == UNDATED else long_to_datetime(date)
                assert when == stored.get("date")
                assert cols.year[docnum] == (when.year if when else 0)


def test_a_search_without_facets_filters_or_date_order_reads_no_columns(ix, monkeypatch):
    """The columns cost a pass over a segment's documents the first time: a plain search
    (the first query after opening, most often) must not pay it; asking for facets does."""
    from indexer.searching.facets import Columns

    read: list = []
    original = Columns._read.__func__
    monkeypatch.setattr(Columns, "_read", classmethod(
        lambda cls, reader: read.append(reader) or original(cls, reader)))
    plain = indexer.search(ix, "tài sản hợp đồng")
    assert plain.total == 8 and read == []
    assert indexer.search(ix, "tài sản hợp đồng", facets=True).total == plain.total
    assert read
