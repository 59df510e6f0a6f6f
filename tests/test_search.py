"""Search as a user sees it: ranking with and without accents, query language, snippets."""

from __future__ import annotations

import re
import unicodedata

import pytest

import indexer
from tests.helpers import ids

DOCS = [
    {"id": "dang-party", "title": "Nghị quyết của Đảng",
     "text": "Đảng lãnh đạo công tác xây dựng Đảng trong sạch, vững mạnh.", "source": "Tin A",
     "date": "2023-01-05"},
    {"id": "dang-now", "title": "Công việc đang làm",
     "text": "Họ đang làm việc và đang học tập chăm chỉ.", "source": "Tin B",
     "date": "2022-06-01"},
    {"id": "adjacent", "title": "Tin địa phương",
     "text": "Mỗi cán bộ ở xã đều tham gia họp mặt cuối năm cùng người dân địa phương.",
     "source": "Tin A", "date": "2021-03-03"},
    {"id": "scattered", "title": "Tin địa phương",
     "text": "Một cán sự xã đã họp mặt với toàn bộ người dân địa phương cuối năm.",
     "source": "Tin B", "date": "2024-03-03"},
    {"id": "party-members", "title": "Cán bộ, đảng viên gương mẫu",
     "text": "Cán bộ, đảng viên phải nêu gương trong mọi việc.", "source": "Tin A"},
    {"id": "meeting", "title": "Hội nghị cán bộ đảng viên",
     "text": "Hội nghị cán bộ đảng viên toàn tỉnh bàn về công tác đảng viên mới.",
     "source": "Tin A"},
    {"id": "training", "title": "Bồi dưỡng cán bộ",
     "text": "Lớp bồi dưỡng lý luận cho cán bộ đảng viên trẻ; đảng viên mới được kết nạp.",
     "source": "Tin A"},
    {"id": "misspelt", "title": "Cần bộ đang viên",
     "text": "Một câu viết sai: cần bộ đang viên.", "source": "Tin B"},
    {"id": "xss", "title": "Bảo mật <script>alert(1)</script>",
     "text": "Văn bản có <script>alert('x')</script> và trách nhiệm hình sự.", "source": "Tin B"},
    {"id": "crime", "title": "Trách nhiệm hình sự",
     "text": "Người phạm tội phải chịu trách nhiệm hình sự theo quy định của Bộ luật hình sự.",
     "source": "Luật", "date": "2015-11-27"},
    {"id": "civil", "title": "Trách nhiệm dân sự",
     "text": "Bên vi phạm nghĩa vụ phải chịu trách nhiệm dân sự đối với bên có quyền.",
     "source": "Luật", "date": "2015-11-24"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    from tests.helpers import write_jsonl

    write_jsonl(root / "corpus" / "docs.jsonl", DOCS)
    indexer.reindex(root / "corpus", root / "index")
    handle = indexer.open_index(root / "index")
    yield handle
    handle.close()


def test_accented_query_prefers_the_exact_form(index):
    ranked = ids(indexer.search(index, "Đảng"))
    assert ranked.index("dang-party") < ranked.index("dang-now")


def test_unaccented_query_matches_every_accented_form(index):
    ranked = ids(indexer.search(index, "dang"))
    assert {"dang-party", "dang-now", "party-members", "misspelt"} <= set(ranked)


def test_mixed_query_works_per_token(index):
    ranked = ids(indexer.search(index, "đảng vien"))
    assert "misspelt" in ranked  # "đang viên" still matches the unaccented "vien"...
    assert ranked.index("misspelt") > max(ranked.index("party-members"),
                                          ranked.index("meeting"))  # ...below "đảng viên"


def test_tone_placement_variants_count_as_exact(make_corpus, tmp_path):
    corpus = make_corpus({"a.jsonl": [
        {"id": "old", "title": "Hòa bình", "text": "hòa bình"},
        {"id": "other", "title": "Hoa đẹp", "text": "hoa hoa"},
    ]})
    indexer.reindex(corpus, tmp_path / "index")
    handle = indexer.open_index(tmp_path / "index")
    assert ids(indexer.search(handle, "hoà"))[0] == "old"
    handle.close()


def test_adjacent_syllables_rank_above_scattered_ones(index):
    ranked = ids(indexer.search(index, "can bo"))
    assert ranked.index("adjacent") < ranked.index("scattered")


def test_unaccented_words_rank_the_likely_reading_first(law_corpus_copy, tmp_path):
    """`can bo dang vien` means *cán bộ đảng viên* in this corpus, not *cần bộ đang viên*."""
    from tests.helpers import write_jsonl

    write_jsonl(law_corpus_copy / "extra.jsonl", [
        {"id": "misspelt", "title": "Cần bộ đang viên", "text": "Cần bộ đang viên đi họp."}])
    indexer.reindex(law_corpus_copy, tmp_path / "index")
    handle = indexer.open_index(tmp_path / "index")
    ranked = ids(indexer.search(handle, "can bo dang vien"))
    seeds = ["news/000_098f74c0d94f660f.txt", "news/003_4445158d6962ba22.txt"]
    assert ranked[:2] == seeds and ranked.index("misspelt") > 1
    assert ids(indexer.search(handle, "cán bộ đảng viên"))[:2] == seeds
    handle.close()


def test_quoted_phrase_must_match_adjacently(index):
    found = set(ids(indexer.search(index, '"can bo"')))
    assert {"party-members", "adjacent", "meeting", "training", "misspelt"} == found


def test_title_matches_weigh_more(index):
    assert ids(indexer.search(index, "trach nhiem hinh su"))[0] == "crime"


@pytest.mark.parametrize("query, present, absent", [
    ("trach nhiem -hinh", {"civil"}, {"crime", "xss"}),
    ("hinh OR dan su", {"crime", "civil"}, set()),
    ("title:trach", {"crime", "civil"}, {"xss"}),
    ('source:luat trach', {"crime", "civil"}, {"xss"}),
    ("trach nhi*", {"crime", "civil", "xss"}, set()),
    ("nhiem*", {"crime", "civil", "xss"}, set()),
])
def test_query_language(index, query, present, absent):
    found = set(ids(indexer.search(index, query)))
    assert present <= found and not (absent & found)


def test_documents_with_every_word_first_then_partial_matches_with_a_note(index):
    results = indexer.search(index, "trach nhiem hinh su")
    assert results.total == 2  # total: documents holding every word
    assert set(ids(results)[:2]) == {"crime", "xss"}
    assert "civil" in ids(results) and results.partial  # "trách nhiệm dân sự", after them
    assert results.candidates > results.total
    alone = indexer.search(index, "hinh su")
    assert set(ids(alone)[:2]) == {"crime", "xss"}
    missing = indexer.search(index, "trach nhiem zzzqqq")
    assert missing.partial and missing.total == 0 and missing.hits


def test_filters_and_sorting(index):
    assert set(ids(indexer.search(index, "trach nhiem", source="Luật"))) == {"crime", "civil"}
    dated = indexer.search(index, "trach nhiem", date_from="2015-11-25", date_to="2015-12-31")
    assert ids(dated) == ["crime"]
    by_date = ids(indexer.search(index, "dia phuong", sort="date"))
    assert by_date == ["scattered", "adjacent"]


def test_snippets_mark_original_accented_words(index):
    hit = indexer.search(index, "trach nhiem hinh su").hits[0]
    # a run of query words is marked as one unit (issue 15), not one box per syllable
    assert "<mark>trách nhiệm hình sự</mark>" in hit.snippet
    assert hit.title_html == "<mark>Trách nhiệm hình sự</mark>"


@pytest.mark.parametrize("query, marked", [
    ("can bo", "Cán bộ"),  # folded
    ("Đảng", "Đảng"),  # exact accent
    ('"dang vien"', "đảng viên"),  # phrase
    ("gươ*", "gương"),  # prefix
])
def test_every_match_kind_highlights(index, query, marked):
    snippets = " ".join(h.snippet + h.title_html for h in indexer.search(index, query).hits)
    assert f"<mark>{marked}</mark>" in snippets


def test_exact_accent_highlights_only_the_exact_form(index):
    hit = next(h for h in indexer.search(index, "Đảng").hits if h.id == "dang-party")
    assert "<mark>Đảng</mark>" in hit.snippet and "<mark>đang" not in hit.snippet


def test_document_text_is_escaped_around_marks(index):
    hit = next(h for h in indexer.search(index, "trach nhiem").hits if h.id == "xss")
    assert "&lt;script&gt;" in hit.snippet and "<script" not in hit.snippet
    assert "&lt;script&gt;" in hit.title_html
    assert not re.search(r"<(?!/?mark>)", hit.snippet + hit.title_html)


def test_did_you_mean_restores_accents_and_only_when_useful(index):
    assert indexer.search(index, "trach nhiem hinh su").suggestion == "trách nhiệm hình sự"
    assert indexer.search(index, "trách nhiệm hình sự").suggestion is None
    assert indexer.search(index, "zzzqqq").suggestion is None


@pytest.mark.parametrize("typed", [
    unicodedata.normalize("NFD", "trách nhiệm hình sự"),  # decomposed marks
    "TRÁCH NHIỆM HÌNH SỰ",  # case alone
])
def test_did_you_mean_never_repeats_the_query_in_another_spelling(index, typed):
    """A suggestion equal to the query but for NFC/NFD, case, tone placement (hoà/hòa) or
    i/y (kĩ/kỹ) shows the user their own query as a correction."""
    assert indexer.search(index, typed).suggestion is None


def test_tone_placement_and_i_y_spellings_are_alike():
    from indexer.searching.didyoumean import spelt_alike

    assert spelt_alike("hoà giải", "hòa giải") and spelt_alike("kĩ sư", "KỸ SƯ")
    assert spelt_alike("Thuỷ lợi", unicodedata.normalize("NFD", "thủy lợi"))
    assert not spelt_alike("hoa giai", "hòa giải") and not spelt_alike("tuy", "tui")


def test_restore_command(index):
    assert indexer.restore(index, "trach nhiem dan su") == "trách nhiệm dân sự"


@pytest.mark.parametrize("query", [
    '"', '"can bo', "-", "OR", "AND OR NOT", "title:", "*", "x" * 5000, "\x00\x07\x1b",
    "😀 🇻🇳", "<script>alert(1)</script>", "a" + "\u0301" * 500, "field:[a TO b]", "~2 ^3 {}",
])
def test_hostile_queries_answer_without_exceptions(index, query):
    results = indexer.search(index, query)
    assert results.total >= 0
    for hit in results.hits:
        assert not re.search(r"<(?!/?mark>)", hit.snippet + hit.title_html)


def test_words_joined_by_a_dash_find_the_spaced_dash_form(tmp_path):
    """``kinh tế-xã hội`` found nothing where the text has ``kinh tế - xã hội`` (how it is
    mostly written: the spaced dash ends a run), nor ``Mác-Lênin`` ``Mác – Lênin``; both are
    found, whole and spaced, and marked as they stand."""
    from tests.helpers import write_jsonl

    write_jsonl(tmp_path / "corpus" / "d.jsonl", [
        {"id": "spaced", "title": "Phát triển", "text": "Phát triển kinh tế - xã hội của tỉnh."},
        {"id": "joined", "title": "Kế hoạch", "text": "Kế hoạch kinh tế-xã hội năm nay."},
        {"id": "far", "title": "Ghi chép", "text": "Kinh tế tăng. Người dân ở xã nói về hội."},
        {"id": "ml", "title": "Học thuyết", "text": "Học thuyết Mác – Lênin và tư tưởng."}])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index")
    handle = indexer.open_index(tmp_path / "index")
    try:
        found = indexer.search(handle, "kinh tế-xã hội")
        assert found.total == 2 and {h.id for h in found.hits[:2]} == {"spaced", "joined"}
        spaced = next(h for h in found.hits if h.id == "spaced")
        assert "<mark>kinh tế</mark> - <mark>xã hội</mark>" in spaced.snippet
        ml = indexer.search(handle, "Mác-Lênin")
        assert [h.id for h in ml.hits] == ["ml"] and ml.total == 1
        assert "<mark>Mác</mark> – <mark>Lênin</mark>" in ml.hits[0].snippet
    finally:
        handle.close()
