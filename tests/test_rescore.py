"""Titles judged as a whole: the top of the ranking rescored by title-query similarity.

A per-word sum cannot see what a title lacks: a short title holding one query word
("Tính") scored like a title that *is* the query ("Tô sáng giá trị"), and a law's
heading ranked by how short it is rather than by how close it is to what was typed.
"""

from __future__ import annotations

import json

import pytest

import indexer
from indexer.searching.query import parse
from indexer.searching.rescore import query_words, title_match, title_words
from indexer.searching.weights import RESCORE_WINDOW, TITLE_EXTRA
from tests.helpers import ROOT, write_jsonl

FILLER = "Văn bản này nói về một việc khác trong đời sống hằng ngày của người dân."

DOCS = [
    {"id": "highlight", "title": "Tô sáng giá trị",
     "text": f"Hiển thị các giá trị bằng màu nền. {FILLER}"},
    {"id": "enter", "title": "Nhập giá trị",
     "text": f"Nhập giá trị vào ô của bảng tính, giá trị được lưu ngay. {FILLER}"},
    {"id": "calc", "title": "Tính",
     "text": f"Bảng tính có nhiều trang tính và giá trị. {FILLER}"},
    {"id": "murder", "title": "Điều 123. Tội giết người",
     "text": f"Người nào giết người thì bị phạt tù. {FILLER}"},
    {"id": "murder-provoked", "title": "Điều 125. Tội giết người do bị kích động mạnh",
     "text": f"Người nào giết người trong trạng thái bị kích động mạnh, giết người "
             f"do hành vi trái pháp luật của nạn nhân. {FILLER}"},
] + [{"id": f"note-{n:02d}", "title": f"Ghi chú số {n}",
      "text": f"Ghi chú về giá trị số {n} trong bảng tính. {FILLER}"} for n in range(60)]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("rescore")
    write_jsonl(root / "corpus" / "docs.jsonl", DOCS)
    indexer.reindex(root / "corpus", root / "index", full=True)
    handle = indexer.open_index(root / "index")
    yield handle
    handle.close()


def ids(index, query: str, **options) -> list[str]:
    return [hit.id for hit in indexer.search(index, query, **options).hits]


LAW_IDS = {f"bo-luat-to-tung-dan-su-2015/dieu-{n}" for n in range(210, 222)} | {
    f"bo-luat-lao-dong-2019/dieu-{n}" for n in range(52, 60)}


@pytest.fixture(scope="module")
def laws(tmp_path_factory):
    """Twenty real neighbouring articles of the shipped codes: headings that share most
    of their words, as real headings do."""
    root = tmp_path_factory.mktemp("rescore-laws")
    with (ROOT / "corpus" / "laws" / "articles.jsonl").open(encoding="utf-8") as lines:
        records = [record for record in map(json.loads, lines) if record["id"] in LAW_IDS]
    assert len(records) == len(LAW_IDS)
    write_jsonl(root / "corpus" / "laws.jsonl", records)
    indexer.reindex(root / "corpus", root / "index", full=True)
    handle = indexer.open_index(root / "index")
    yield handle
    handle.close()


@pytest.mark.parametrize("query", ["quyền và nghĩa vụ của bên thuê lại lao động",
                                   "quyen va nghia vu cua ben thue lai lao dong"])
def test_the_heading_typed_beats_a_shorter_heading_sharing_most_of_its_words(laws, query):
    """"Quyền và nghĩa vụ của bên thuê lại lao động" (Điều 57) against the shorter
    "Quyền và nghĩa vụ của doanh nghiệp cho thuê lại lao động" (Điều 56): length
    normalisation of titles alone ranked the shorter first."""
    assert ids(laws, query)[0] == "bo-luat-lao-dong-2019/dieu-57"


@pytest.mark.parametrize("query", ["tạm đình chỉ giải quyết vụ án dân sự",
                                   "tam dinh chi giai quyet vu an dan su"])
def test_the_heading_typed_beats_headings_that_hold_it_and_more(laws, query):
    """Điều 214 "Tạm đình chỉ giải quyết vụ án dân sự" against Điều 215 and 219, whose
    headings hold the same words and more ("Hậu quả của việc tạm đình chỉ ...")."""
    assert ids(laws, query)[0] == "bo-luat-to-tung-dan-su-2015/dieu-214"


@pytest.mark.parametrize("query", ["bảng tính tô sáng giá trị", "bang tinh to sang gia tri"])
def test_the_title_that_is_the_query_beats_short_titles_of_one_word(index, query):
    assert ids(index, query)[0] == "highlight"


@pytest.mark.parametrize("query", ["tội giết người", "toi giet nguoi"])
def test_a_heading_that_is_the_query_beats_a_longer_one(index, query):
    assert ids(index, query)[:2] == ["murder", "murder-provoked"]


def test_pages_stay_consistent_across_the_rescored_window(index):
    """Every document once, in one order, whatever the page size: page 1..n of 7
    equal the first results of one long page, past the window too."""
    query = "ghi chú giá trị bảng tính"
    whole = ids(index, query, per_page=100)
    assert len(whole) > RESCORE_WINDOW
    pages = indexer.search(index, query, per_page=7).pages  # (a page past it is the last)
    paged = [doc for page in range(1, pages + 1) for doc in ids(index, query, page=page,
                                                                 per_page=7)]
    assert len(paged) == 63 and paged == whole[:len(paged)]
    assert len(set(whole)) == len(whole)


def match(title: str, query: str) -> float:
    return title_match(title_words(title), query_words(parse(query)))


def test_title_match_is_one_for_the_same_words_and_zero_for_none():
    assert match("Tô sáng", "sáng tô") == 1.0
    assert match("Tính", "tô sáng") == 0.0
    assert match("", "tô") == 0.0
    assert match("Giá trị", "giá trị tô sáng") == pytest.approx(0.25)
    # a title's extra syllables weigh TITLE_EXTRA, the query's missing ones 1
    assert match("Tô sáng giá trị", "tô sáng") == pytest.approx((2 / (2 + 2 * TITLE_EXTRA)) ** 2)


def test_a_dictionary_word_of_the_query_is_shared_only_where_it_stands_whole():
    """"Trách nhiệm dân sự" holds *sự* but not *hình sự*: it shares two syllables of
    four with ``trách nhiệm hình sự``, not three."""
    assert match("Trách nhiệm dân sự", "trach nhiem hinh su") == \
        pytest.approx((2 / (4 + 2 * TITLE_EXTRA)) ** 2)
    assert match("Trách nhiệm hình sự", "trach nhiem hinh su") == 1.0


def test_typed_marks_are_shared_only_in_that_form():
    assert match("Họ đang họp", "Đảng họp") == pytest.approx((1 / (2 + 2 * TITLE_EXTRA)) ** 2)
    assert match("Đảng họp", "Đảng họp") == 1.0
    assert match("Đảng họp", "dang hop") == 1.0  # no reading predicted by parse() alone


def test_a_syllable_in_two_query_words_is_shared_once():
    assert match("Hợp đồng", "hợp đồng hợp") == 1.0


@pytest.mark.parametrize("query", ["chèn ngắt cột", "chen ngat cot"])
def test_a_fuller_title_holding_every_query_word_beats_a_title_lacking_one(tmp_path, query):
    """A topical page is often titled more fully than its topic is asked for: "Chèn ngắt
    dòng hoặc ngắt cột" holds all of ``chèn ngắt cột``, "Ngắt cột" lacks *chèn*. With
    Jaccard's similarity (extra title syllables weighing as much as missing query
    ones) the shorter title won, its text repeating the words; ``TITLE_EXTRA`` 0.5
    puts the title with every word first."""
    write_jsonl(tmp_path / "corpus" / "docs.jsonl", [
        {"id": "partial", "title": "Ngắt cột",
         "text": f"Chèn ngắt cột vào văn bản. {'Ngắt cột. ' * 7}{FILLER}"},
        {"id": "fuller", "title": "Chèn ngắt dòng hoặc ngắt cột",
         "text": f"Chèn ngắt cột vào văn bản. {FILLER}"},
    ])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index", full=True)
    handle = indexer.open_index(tmp_path / "index")
    assert ids(handle, query) == ["fuller", "partial"]
    handle.close()
