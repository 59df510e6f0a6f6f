"""Bulk scoring (indexer.searching.topdocs) ranks exactly as Whoosh's own matchers would
(over the same query tree; tests/test_upstream.py compares with stock Whoosh classes)."""

from __future__ import annotations

import re

import pytest
from whoosh import collectors

import indexer
from indexer.searching.maxscore import flat_terms, top_flat
from indexer.searching.planner import build_query
from indexer.searching.query import add_predictions, parse
from indexer.searching.segmentscore import SegmentScorer
from indexer.searching.topdocs import top_docs
from indexer.text.folding import fold
from indexer.whoosh_ext.readers import deleted_docs, field_lengths, length_column

QUERIES = [
    "can bo dang vien", "cán bộ đảng viên", "hop dong", "hợp đồng lao động", '"tù chung thân"',
    '"phiên tòa sơ thẩm"', "tai san*", "thua ke -di chuc", "hop OR dong", "title:hop dong",
    "08-QĐi/TW", "trach nhiem hinh su", "Đảng", "dang", "khong co tu nay", "toa an nhan dan tinh",
]


def _whoosh_top(searcher, query, limit):
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    deleted = deleted_docs(searcher)
    if deleted:
        collector = collectors.FilterCollector(collector, restrict=deleted)
    searcher.search_with_collector(query, collector)
    found = collector.results()
    return len(found), [(hit.docnum, hit.score) for hit in found[:limit]]


def _query(index, searcher, text):
    parsed = parse(text)
    restored = index.model().restore(text)
    if restored:
        add_predictions(parsed, parse(restored))
    return build_query(parsed, searcher.reader())


def _same(index):
    searcher = index.searcher()
    compared = 0
    for text in QUERIES:
        for limit in (1, 4, 20):
            query = _query(index, searcher, text)
            expected = _whoosh_top(searcher, query, limit)
            total, items = top_docs(searcher, query, limit, None, deleted_docs(searcher))
            assert total == expected[0], text
            assert [d for d, _ in items] == [d for d, _ in expected[1]], text
            assert [s for _, s in items] == pytest.approx([s for _, s in expected[1]]), text
            compared += bool(total)
    assert compared > 20


def test_bulk_scores_equal_whooshs_on_the_shipped_index(shipped_index):
    index = indexer.open_index(shipped_index)
    try:
        _same(index)
    finally:
        index.close()


def test_maxscore_prunes_long_lists_and_keeps_the_exact_top(shipped_index):
    """``hop dong``: title evidence outweighs what the long body lists can add, so
    most candidates drop out before those lists are scored; the top 10 is exact."""
    index = indexer.open_index(shipped_index)
    try:
        searcher = index.searcher()
        query = _query(index, searcher, "hop dong")
        terms = flat_terms(query)
        assert terms and {t.fieldname for t in terms} >= {"all_f", "title_a", "pairs"}
        segment = SegmentScorer(searcher, searcher, searcher.context())
        candidates = segment.candidates(query)
        pool = top_flat(segment, terms, candidates, 10, [0.0] * searcher.doc_count_all())
        assert 10 <= len(pool) < len(candidates) / 4
        assert top_docs(searcher, query, 10)[1] == [
            (d, pytest.approx(s)) for d, s in _whoosh_top(searcher, query, 10)[1]]
        assert flat_terms(_query(index, searcher, '"hop dong" lao')) is None
    finally:
        index.close()


def test_an_excluded_word_excludes_even_the_first_candidate(shipped_index):
    """Whoosh's AndNotMatcher kept ``a``'s first document when ``b``'s list started
    earlier (whoosh-reloaded 2.7.5: "thua ke -di chuc" returned Điều 609, which
    says "di chúc"). Bulk scoring subtracts sets, for both sort orders. (``-di chuc``
    now excludes the word *di chúc*: ``-di`` comes last to exclude the syllable.)"""
    index = indexer.open_index(shipped_index)
    try:
        results = indexer.search(index, "thua ke chuc -di", per_page=100)
        dated = indexer.search(index, "thua ke chuc -di", per_page=100, sort="date")
        assert results.total == dated.total == 8  # *thừa*, *kế* and *chức*, no *di*
        assert results.candidates == dated.candidates > 100
        for hit in results.hits + dated.hits:
            document = indexer.document(index, hit.id)
            text = fold(f"{document.title}\n{document.body}")
            assert re.search(r"\bdi\b", text) is None, hit.id
        best = indexer.document(index, results.hits[0].id)
        text = fold(f"{best.title}\n{best.body}")
        assert re.search(r"\bthua\s+ke\b", text)
    finally:
        index.close()


def test_bulk_scores_equal_whooshs_across_segments_with_deletions(segmented_index):
    index = indexer.open_index(segmented_index)
    try:
        searcher = index.searcher()
        assert not searcher.is_atomic() and deleted_docs(searcher)
        _same(index)
        total, items = top_docs(searcher, _query(index, searcher, '"tù chung thân"'), 5,
                                None, deleted_docs(searcher))
        assert total == 2
        assert sorted(searcher.stored_fields(d)["id"] for d, _ in items) == ["d5", "new"]
    finally:
        index.close()


def test_field_lengths_read_in_bulk_equal_whooshs(shipped_index):
    index = indexer.open_index(shipped_index)
    try:
        searcher = index.searcher()
        reader = searcher.reader()
        for fieldname in ("all_f", "title_f", "title_a", "accents", "pairs", "source_f"):
            assert length_column(reader, fieldname) is not None
            expected = [reader.doc_field_length(d, fieldname, 1)
                        for d in range(reader.doc_count_all())]
            assert field_lengths(searcher, fieldname) == expected
            assert any(expected)
    finally:
        index.close()


def test_array_scoring_equals_the_python_path_exactly(shipped, monkeypatch):
    """indexer.arrayscore (numpy) and maxscore.top_flat (Python) give the same ids and
    the same floats, ties included, for every flat query and page size."""
    from indexer.searching import arrayscore

    searcher = shipped.searcher()
    flat = 0
    for text in QUERIES + ["dieu", "nguoi", "luat dan su OR hinh su", "(hop dong) -lao"]:
        query = _query(shipped, searcher, text)
        if query is None:
            continue
        flat += flat_terms(query) is not None
        for limit in (1, 3, 10, 50):
            with monkeypatch.context() as m:
                m.setattr(arrayscore, "candidate_mask", lambda *a: None)
                python = top_docs(searcher, query, limit, None, deleted_docs(searcher))
            arrays = top_docs(searcher, query, limit, None, deleted_docs(searcher))
            assert arrays == python, (text, limit)
    assert flat >= 10


def test_norms_from_length_codes_equal_those_from_the_decoded_lengths(segmented_index):
    """norms_of looks each document's norm up by its length code: the same floats as the
    arithmetic on its decoded length, in every segment; so does the numpy copy the array
    scoring reads (made from the codes, not from the list)."""
    from indexer.searching.norms import norms_of

    index = indexer.open_index(segmented_index)
    try:
        searcher = index.searcher()
        for sub, _ in searcher.leaf_searchers():
            for fieldname in ("all_f", "title_f", "pairs"):
                norms = norms_of(searcher, sub, fieldname, 0.75, 1.2)
                avgfl = searcher.avg_field_length(fieldname) or 1
                a, b = 1.2 * (1 - 0.75), 1.2 * 0.75 / avgfl
                expected = [a + b * (n or 0) for n in field_lengths(sub, fieldname)]
                assert norms.least == min(expected, default=a)
                assert norms.as_array().tolist() == expected  # made first: from the codes
                assert norms.as_list() == expected
    finally:
        index.close()
