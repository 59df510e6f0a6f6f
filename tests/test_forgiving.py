"""Issue 14: spelling variants, abbreviations/synonyms, Telex/VNI, typos searched.

Every test searches a purpose-made corpus and asserts what a user sees: the
ranked ids, the total, the note and ``corrected_query``.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import indexer
from indexer.accents.ngrams import SHIFT
from indexer.cli.commands import cli
from indexer.text.folding import fold, forms
from indexer.text.syllables import analyze
from indexer.text.variants import index_form, spellings


def _index(make_corpus, tmp_path, records, extra=None):
    root = make_corpus({"docs.jsonl": records, **(extra or {})})
    index_dir = tmp_path / "index"
    indexer.reindex(root, index_dir, full=True)
    return root, index_dir


class _open:
    """An index handle, closed after the block."""

    def __init__(self, index_dir, synonyms=None):
        self.handle = indexer.open_index(index_dir, synonyms)

    def __enter__(self):
        return self.handle

    def __exit__(self, *exc):
        self.handle.close()


def _ids(handle, query, **options):
    """The hits that hold every word (partial matches may follow or come between)."""
    return [hit.id for hit in indexer.search(handle, query, **options).hits if hit.complete]


def _doc(doc_id, title, text=""):
    return {"id": doc_id, "title": title, "text": text or title}


# --- 1. spelling variants --------------------------------------------------------

VARIANTS = [
    ("kĩ thuật", "kỹ thuật"), ("quản lí", "quản lý"), ("bác sĩ", "bác sỹ"), ("quí", "quý"),
    ("mĩ thuật", "mỹ thuật"),
]


@pytest.fixture
def variants_index(make_corpus, tmp_path):
    records = []
    for n, (one, other) in enumerate(VARIANTS):
        records += [_doc(f"{n}i", f"Bài về {one}", f"Nội dung nói về {one} hôm nay."),
                    _doc(f"{n}y", f"Bài về {other}", f"Nội dung nói về {other} hôm nay.")]
    records += [_doc("eth", "Ðà Nẵng", "Thành phố Ðà Nẵng (viết bằng chữ Ð U+00D0)."),
                _doc("dd", "Đà Nẵng", "Thành phố Đà Nẵng (viết bằng chữ Đ U+0110)."),
                _doc("other", "Hà Nội", "Thủ đô Hà Nội.")]
    _, index_dir = _index(make_corpus, tmp_path, records)
    handle = indexer.open_index(index_dir)
    yield handle
    handle.close()


@pytest.mark.parametrize("n", range(len(VARIANTS)))
def test_i_and_y_spellings_find_each_other_typed_form_first(variants_index, n):
    one, other = VARIANTS[n]
    assert _ids(variants_index, one) == [f"{n}i", f"{n}y"]
    assert _ids(variants_index, other) == [f"{n}y", f"{n}i"]


def test_lookalike_eth_is_found_as_d(variants_index):
    assert set(_ids(variants_index, "da nang")) == {"eth", "dd"}
    assert set(_ids(variants_index, "Đà Nẵng")) == {"eth", "dd"}
    assert set(_ids(variants_index, "Ðà Nẵng")) == {"eth", "dd"}


def test_highlight_marks_both_spellings(variants_index):
    hits = [hit for hit in indexer.search(variants_index, "kĩ thuật").hits if hit.complete]
    assert len(hits) == 2  # (partial matches, "thuật" alone, follow them)
    assert all("<mark>kĩ" in hit.title_html.replace("ỹ", "ĩ") for hit in hits)


_ONSETS = ["b", "c", "ch", "d", "đ", "g", "h", "k", "kh", "l", "m", "n", "nh", "ph", "qu",
           "s", "t", "th", "tr", "v", "x"]
_TONED = ["i", "í", "ì", "ỉ", "ĩ", "ị"]
_TONED_Y = ["y", "ý", "ỳ", "ỷ", "ỹ", "ỵ"]


@given(st.sampled_from(_ONSETS), st.integers(0, 5), st.booleans())
def test_i_and_y_after_an_onset_fold_to_one_index_form(onset, tone, upper):
    i_form, y_form = onset + _TONED[tone], onset + _TONED_Y[tone]
    if upper:
        i_form, y_form = i_form.capitalize(), y_form.upper()
    assert forms(i_form)[1] == forms(y_form)[1] == index_form(fold(i_form))
    # the typed (accented) forms stay apart: they are the evidence of what was typed
    assert forms(i_form)[0] != forms(y_form)[0]


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy ÐðĐ", max_size=30))
def test_index_form_is_idempotent_and_keeps_every_spelling(text):
    for term, _ in analyze(text).folded:
        assert index_form(term) == term
        assert term in spellings(term)
        assert all(index_form(s) == term for s in spellings(term))
    assert [t for t, _ in analyze(text).folded] == [
        t for t, _ in analyze(text.replace("Ð", "Đ").replace("ð", "đ")).folded]


@pytest.mark.parametrize("word", ["y", "tuy", "huy", "thuy", "yến", "kiến", "quyết", "uy"])
def test_y_that_is_no_spelling_variant_keeps_its_letter(word):
    assert forms(word)[1] == fold(word)


# --- 2. abbreviations and synonyms -----------------------------------------------

@pytest.fixture
def synonyms_corpus(make_corpus, tmp_path):
    records = [
        _doc("ubnd", "Quyết định của UBND tỉnh", "UBND tỉnh quyết định việc này."),
        _doc("long", "Quyết định của Ủy ban nhân dân tỉnh",
             "Ủy ban nhân dân tỉnh quyết định việc này."),
        _doc("hcm1", "Tin TP.HCM", "Giao thông TP.HCM hôm nay."),
        _doc("hcm2", "Tin thành phố Hồ Chí Minh", "Giao thông thành phố Hồ Chí Minh hôm nay."),
        _doc("blds", "Hướng dẫn BLDS", "Các điều của BLDS về hợp đồng."),
        _doc("bolds", "Hướng dẫn Bộ luật Dân sự", "Các điều của Bộ luật Dân sự về hợp đồng."),
        _doc("car1", "Mua ô tô cũ", "Kinh nghiệm mua ô tô."),
        _doc("car2", "Mua xe hơi cũ", "Kinh nghiệm mua xe hơi."),
        _doc("noise", "Nhân dân và ban ngành", "Nhân dân tham gia."),
    ]
    return _index(make_corpus, tmp_path, records)


@pytest.mark.parametrize("query, expected", [
    ("ubnd", ["ubnd", "long"]),
    ("UBND", ["ubnd", "long"]),
    ("Ủy ban nhân dân", ["long", "ubnd"]),
    ("uy ban nhan dan", ["long", "ubnd"]),
    ("TP.HCM", ["hcm1", "hcm2"]),
    ("tphcm", ["hcm1", "hcm2"]),
    ("thành phố Hồ Chí Minh", ["hcm2", "hcm1"]),
    ("BLDS", ["blds", "bolds"]),
    ("bộ luật dân sự", ["bolds", "blds"]),
])
def test_abbreviation_and_expansion_find_each_other_typed_form_first(
        synonyms_corpus, query, expected):
    _, index_dir = synonyms_corpus
    with _open(index_dir) as handle:
        assert _ids(handle, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("quyết định -ubnd", {"hcm1", "hcm2", "blds", "bolds", "car1", "car2", "noise"}),
    ("quyết định NOT UBND", {"hcm1", "hcm2", "blds", "bolds", "car1", "car2", "noise"}),
    ("UBND OR TP.HCM", {"ubnd", "long", "hcm1", "hcm2"}),
    ("TP.HCM OR UBND", {"ubnd", "long", "hcm1", "hcm2"}),
    ("xe hơi OR BLDS", {"car2", "blds", "bolds"}),
    ("title:ubnd", {"ubnd", "long"}),  # a field too (was: only the abbreviation's title)
])
def test_an_operator_does_not_stop_the_synonyms(synonyms_corpus, query, expected):
    """Found by a QA pass: ``-ubnd`` kept *Ủy ban nhân dân*, ``UBND OR …`` missed it."""
    _, index_dir = synonyms_corpus
    with _open(index_dir) as handle:
        results = indexer.search(handle, query, per_page=50)
    complete = {hit.id for hit in results.hits if hit.complete}
    snippets = {hit.id: str(hit.snippet) for hit in results.hits}
    if "long" in complete:  # marked too, whichever side of OR (review: not when second)
        assert "<mark>Ủy ban nhân dân</mark>" in snippets["long"], snippets["long"]
    if "-" in query or "NOT" in query:
        assert not {"ubnd", "long"} & {hit.id for hit in results.hits}
    else:
        assert complete == expected


def test_a_synonym_does_not_narrow_the_typed_words_to_a_phrase(make_corpus, tmp_path):
    """Found by the 10k bench: 'vien kiem sat nhan dan' fell from 1,596 hits to 464 when
    the typed syllables were made one phrase for the expansion."""
    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("phrase", "Ủy ban nhân dân xã", "Ủy ban nhân dân xã họp."),
        _doc("scattered", "Ban ngành và nhân dân", "Nhân dân ủy quyền cho ban đại diện."),
        _doc("abbr", "UBND xã", "UBND xã họp.")])
    with _open(index_dir) as handle:
        # "ủy ban" is a word: "Nhân dân ủy quyền cho ban" does not hold it, but still
        # follows as a partial match (the typed syllables were not narrowed to a phrase)
        assert _ids(handle, "ủy ban nhân dân") == ["phrase", "abbr"]
        all_ids = [hit.id for hit in indexer.search(handle, "ủy ban nhân dân").hits]
        assert all_ids == ["phrase", "scattered", "abbr"]


def test_an_expansion_is_marked_where_it_stands_whole(make_corpus, tmp_path):
    """``UBND`` finds *Ủy ban nhân dân* and marked every lone *nhân*, *dân* and *ban*."""
    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("long", "Quyết định", "Ủy ban nhân dân tỉnh họp với nhân dân và ban ngành.")])
    with _open(index_dir) as handle:
        hit = indexer.search(handle, "UBND").hits[0]
    assert hit.id == "long" and "<mark>Ủy ban nhân dân</mark> tỉnh" in hit.snippet
    assert hit.snippet.count("<mark>") == 1


def test_user_synonym_works_after_a_plain_reindex(synonyms_corpus):
    root, index_dir = synonyms_corpus
    with _open(index_dir) as handle:
        assert _ids(handle, "ô tô") == ["car1"]
    (root / "synonyms.txt").write_text("# xe\nô tô, xe hơi\n", "utf-8")
    report = indexer.reindex(root, index_dir)  # incremental: no document changed
    assert report.mode != "full"
    with _open(index_dir) as handle:
        assert _ids(handle, "ô tô") == ["car1", "car2"]
        assert _ids(handle, "xe hơi") == ["car2", "car1"]
        assert indexer.search(handle, "synonyms").total == 0  # the file is no document
    # ... nor a problem: `--strict` must not fail a clean corpus for its own configuration
    again = indexer.reindex(root, index_dir)
    assert [p.path for p in again.skipped + again.warnings] == []


def test_synonyms_file_given_directly_needs_no_reindex(synonyms_corpus, tmp_path):
    _, index_dir = synonyms_corpus
    mine = tmp_path / "mine.txt"
    mine.write_text("ô tô, xe hơi\n", "utf-8")
    with _open(index_dir, mine) as handle:
        assert _ids(handle, "xe hơi") == ["car2", "car1"]
        mine.write_text("# nothing\n", "utf-8")
        indexer.search(handle, "xe")  # another query: the cache must not hide the change
        assert _ids(handle, "xe hơi") == ["car2"]
    result = CliRunner().invoke(cli, ["search", "ô tô", "--index", str(index_dir),
                                      "--synonyms", str(mine), "--json"])
    assert result.exit_code == 0, result.output
    assert [hit["id"] for hit in json.loads(result.output)["hits"]] == ["car1"]


# --- 3. Telex and VNI, 4. typos ---------------------------------------------------

@pytest.fixture
def typing_index(make_corpus, tmp_path):
    records = [
        _doc("canbo", "Cán bộ công chức", "Cán bộ, công chức phải có trách nhiệm."),
        _doc("dang", "Đảng viên", "Đảng lãnh đạo; đảng viên gương mẫu."),
        _doc("hinhsu", "Trách nhiệm hình sự", "Người phạm tội chịu trách nhiệm hình sự."),
        _doc("dansu", "Trách nhiệm dân sự của pháp nhân",
             "Pháp nhân chịu trách nhiệm dân sự, trách nhiệm bồi thường."),
        _doc("hopdong", "Hợp đồng lao động", "Hợp đồng lao động được giao kết bằng văn bản."),
        _doc("baby", "Tã lót cho em bé", "Há miệng cười; tã giấy; bố mẹ chăm con."),
    ]
    _, index_dir = _index(make_corpus, tmp_path, records)
    with _open(index_dir) as handle:
        yield handle


@pytest.mark.parametrize("query, meant", [
    ("tr¸ch nhiÖm h×nh sù", "trách nhiệm hình sự"),  # TCVN3 (ABC) font text
    ("hîp ®ång lao ®éng", "hợp đồng lao động"),
    ("caùn boä", "cán bộ"),  # VNI font text
])
def test_a_query_pasted_from_a_legacy_font_document_is_converted(typing_index, query, meant):
    """Found by a QA pass: a query copied from a TCVN3/VNI document searched its glyphs
    ('hîp ®ång lao ®éng' was 'corrected' to 'hợp ®án lao ®ứng'), though the reader
    converts such files."""
    results = indexer.search(typing_index, query)
    assert results.corrected_query == meant and results.total >= 1
    assert results.exact_query == query and "Tìm chính xác" in results.messages[0]


@pytest.mark.parametrize("query", ["café", "Zürich", "naïve résumé", "cán bộ", "cét", "hép"])
def test_latin_letters_that_are_no_legacy_font_stay(typing_index, query):
    """One word is too little to tell (cét, hép: typos, or TCVN3 for cột, hộp)."""
    from indexer.corpus.formats.legacy import CONVERTERS, convert_query

    results = indexer.search(typing_index, query)
    # (the message never names the encoding: what a conversion would have searched is
    # the thing to look for, in every legacy font)
    converted = {convert(query) for convert in CONVERTERS.values()} - {query}
    assert results.corrected_query not in converted and results.corrected_query != "cột"
    assert convert_query(query) == (query, None)


@pytest.mark.parametrize("query, meant", [
    ("hopwj ddoongf laoo ddoongj", "hợp đồng lao động"),  # laoo: a typo in the Telex
    ("trachs nhieemj hnh suwj", "trách nhiệm hình sự"),
])
def test_a_typo_among_telex_words_is_corrected_too(typing_index, query, meant):
    """Found by a QA pass: once one word was decoded, the decoded query was shown even
    with nothing found ('hooi ddoongf' -> 'hooi đồng'), and the typo was never fixed."""
    results = indexer.search(typing_index, query)
    assert results.corrected_query == meant and results.total == 1


@pytest.mark.parametrize("query", ["cans booj", "ca1n bo65", "Cans Booj"])
def test_telex_and_vni_are_searched_decoded_with_a_note(typing_index, query):
    results = indexer.search(typing_index, query)
    assert [hit.id for hit in results.hits if hit.complete] == ["canbo"]
    assert results.hits[0].id == "canbo"
    assert results.corrected_query.lower() == "cán bộ"
    assert results.exact_query == query
    assert results.messages[0] == f"Đang hiển thị kết quả cho “{results.corrected_query}”." \
                                  f" Tìm chính xác “{query}”"
    assert results.to_json()["corrected_query"] == results.corrected_query
    exact = indexer.search(typing_index, query, exact=True)
    assert exact.total == 0 and exact.corrected_query is None


def test_telex_decodes_single_words(typing_index):
    assert _ids(typing_index, "ddangr") == ["dang"]
    assert _ids(typing_index, "trachs nhieemj hinhf suwj") == ["hinhsu"]


@pytest.mark.parametrize("typed, syllable", [
    ("hopwj", "hợp"), ("howpj", "hợp"), ("duongw", "dương"), ("nguoiwf", "người"),
    ("tw", "tư"), ("nhwng", "nhưng"), ("thuw", "thư"), ("awn", "ăn")])
def test_telex_horn_typed_after_the_syllable(typed, syllable):
    """Unikey lets the w come after the consonants (``hopwj``): it was read as a lone ư
    (*hopư*, no syllable), so ``hopwj ddoongf`` found nothing."""
    from indexer.text.telex import decode_telex

    assert decode_telex(typed) == syllable


def test_telex_with_the_horn_last_is_searched_decoded(typing_index):
    results = indexer.search(typing_index, "hopwj ddoongf")
    assert results.corrected_query == "hợp đồng" and results.hits[0].id == "hopdong"


@pytest.mark.parametrize("query", ["tax", "has", "boss"])
def test_english_words_stay_as_typed(typing_index, query):
    results = indexer.search(typing_index, query)
    assert results.corrected_query is None and results.total == 0


def test_typo_is_corrected_in_the_search(typing_index):
    results = indexer.search(typing_index, "trach nhiem hnh su")
    assert [hit.id for hit in results.hits][:1] == ["hinhsu"]
    assert results.corrected_query == "trách nhiệm hình sự"
    assert results.messages[0] == ("Đang hiển thị kết quả cho “trách nhiệm hình sự”."
                                   " Tìm chính xác “trach nhiem hnh su”")
    assert results.hits[0].complete  # (partial matches, "trách nhiệm" alone, follow)
    exact = indexer.search(typing_index, "trach nhiem hnh su", exact=True)
    assert exact.partial and exact.corrected_query is None


@pytest.mark.parametrize("query", ["HCM", "hcm", "Đảng HCM"])
def test_initials_are_not_corrected_into_a_word(make_corpus, tmp_path, query):
    """``HCM`` (Hồ Chí Minh) was searched as *hầm*, one edit away: a word without a vowel
    is initials, unless its neighbours say a vowel was dropped (``hnh su``, above)."""
    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("tunnel", "Đường hầm", "Hầm chui qua sông; đường hầm."),
        _doc("party", "Đảng viên", "Đảng bộ họp.")])
    with _open(index_dir) as handle:
        results = indexer.search(handle, query)
    assert results.corrected_query is None
    assert "tunnel" not in [hit.id for hit in results.hits]


def test_run_together_word_is_split(typing_index):
    results = indexer.search(typing_index, "hopdong")
    assert [hit.id for hit in results.hits] == ["hopdong"]
    assert results.corrected_query == "hợp đồng"


def test_a_query_that_finds_everything_is_not_corrected(typing_index):
    results = indexer.search(typing_index, "trach nhiem")
    assert results.corrected_query is None and results.total == 3


# --- 5. suggestions that exist (a 20-document news-like corpus) --------------------

NEWS = [
    "Hà Nội công bố kế hoạch phát triển giao thông công cộng đến năm 2030.",
    "Người lao động ở Hà Nội được ký hợp đồng lao động mới từ tháng sau.",
    "Công ty phải giao kết hợp đồng lao động và đóng bảo hiểm xã hội cho người lao động.",
    "Thủ tướng yêu cầu các bộ ngành khen thưởng kịp thời những tập thể có thành tích.",
    "Đảng ủy thành phố tổ chức hội nghị tổng kết công tác năm.",
    "Ban Chấp hành Trung ương Đảng họp bàn về công tác cán bộ.",
    "Giá xăng dầu tăng nhẹ trong kỳ điều chỉnh hôm nay.",
    "Bộ luật Dân sự quy định về hợp đồng vay tài sản và lãi suất.",
    "Sở Giáo dục Hà Nội thông báo lịch thi vào lớp mười.",
    "Người dân cần cài đặt phần mềm mới để khai báo thuế trực tuyến.",
    "Thành phố Hồ Chí Minh đẩy mạnh chuyển đổi số trong dịch vụ công.",
    "Tòa án tuyên phạt bị cáo về tội trộm cắp tài sản.",
    "Hợp đồng lao động có thể chấm dứt khi hết hạn hoặc khi hai bên thỏa thuận.",
    "Đội tuyển bóng đá Việt Nam chuẩn bị cho trận đấu với Thái Lan.",
    "Mưa lớn kéo dài gây ngập úng nhiều tuyến phố ở Hà Nội.",
    "Ngân hàng Nhà nước điều chỉnh lãi suất điều hành.",
    "Bệnh viện Bạch Mai tiếp nhận nhiều bệnh nhân sốt xuất huyết.",
    "Chính phủ ban hành nghị định mới về xử phạt vi phạm hành chính.",
    "Đảng viên phải gương mẫu chấp hành chủ trương của Đảng.",
    "Học sinh được khen thưởng vì thành tích học tập xuất sắc.",
]


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("news")
    from tests.helpers import write_jsonl

    write_jsonl(root / "corpus" / "news.jsonl", [
        {"id": f"n{k}", "title": text.split(" ", 4)[-1][:30], "text": text}
        for k, text in enumerate(NEWS)])
    indexer.reindex(root / "corpus", root / "index", full=True)
    with _open(root / "index") as handle:
        yield handle


@pytest.mark.parametrize("query, expected", [
    ("ha noi", "Hà Nội"), ("cua dang", "của Đảng"), ("trung uong dang", "Trung ương Đảng"),
    ("khen thuong", "khen thưởng"),
    ("cai dat phan mem", "cài đặt phần mềm"),
])
def test_did_you_mean_is_attested_and_capitalised_as_the_corpus(news_index, query, expected):
    assert indexer.search(news_index, query).suggestion == expected


@pytest.mark.parametrize("query", ["bo luat dan xu", "thanh pho ho chi minh hoa"])
def test_did_you_mean_never_invents_a_sequence(news_index, query):
    from indexer.accents.basemodel import base

    shipped = base()
    suggestion = indexer.search(news_index, query).suggestion
    assert suggestion is None or all(
        f"{a} {b}".lower() in " ".join(NEWS).lower() or shipped.counts.ctx2.get(
            shipped.ids[a.lower()] << SHIFT | shipped.ids[b.lower()])
        for a, b in zip(suggestion.split(), suggestion.split()[1:], strict=False))


def test_autocomplete_completes_whole_words(news_index):
    offered = indexer.suggest(news_index, "hop dong lao")
    assert "hợp đồng lao động" in offered
    assert not any(s.endswith((" và", " khi", " lao")) for s in offered)
    assert indexer.suggest(news_index, "ha noi")[0] == "Hà Nội"
    assert indexer.suggest(news_index, "dang")[0] == "Đảng"


def test_caps_lock_typos_are_corrected_in_the_case_typed(typing_index):
    """Found by a QA pass: with caps lock on, HNH was taken for initials (no correction),
    and a corrected word came back lowercase among capitals (HỢP ĐỒNG LAO động)."""
    results = indexer.search(typing_index, "TRACH NHIEM HNH SU")
    assert results.corrected_query == "TRÁCH NHIỆM HÌNH SỰ"
    assert [hit.id for hit in results.hits][:1] == ["hinhsu"]


def test_a_run_together_word_is_never_split_into_a_lone_consonant():
    """Found by a QA pass: 'dden' was searched as 'đ đến' (a list's *đ)* is a term)."""
    from indexer.accents.typos import split_word

    terms = {"d", "den", "hop", "dong"}
    pairs = {("d", "den"): 3, ("hop", "dong"): 5}
    split = split_word("dden", terms.__contains__, lambda a, b: pairs.get((a, b), 0))
    assert split is None
    assert split_word("hopdong", terms.__contains__,
                      lambda a, b: pairs.get((a, b), 0)) == ["hop", "dong"]


@pytest.mark.parametrize("query", ["ban -bán", '-"mua bán" ban'])
def test_did_you_mean_never_wants_what_the_query_excludes(make_corpus, tmp_path, query):
    """Found by a QA pass: 'ban -bán' offered 'bán -bán'."""
    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("a", "Mua bán", "Người bán hàng bán rau ở chợ mỗi ngày, bán nhiều."),
        _doc("b", "Cái bàn", "Cái bàn gỗ đặt trong phòng khách."),
        _doc("c", "Bạn bè", "Bạn bè đến chơi nhà."),
        _doc("d", "Bán nhà", "Họ bán nhà để mua đất, mua bán tấp nập.")])
    with _open(index_dir) as handle:
        assert indexer.search(handle, query).suggestion is None
        assert indexer.search(handle, "ban nha").suggestion == "bán nhà"  # still offered


def test_page_and_api_show_the_correction_with_a_way_back(make_corpus, tmp_path):
    from search_app import create_app

    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("canbo", "Cán bộ công chức", "Cán bộ, công chức phải có trách nhiệm.")])
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    page = client.get("/search?q=cans+booj").get_data(as_text=True)
    assert 'class="corrected"' in page and "cán bộ" in page.lower()
    assert "exact=1" in page and page.count("Đang hiển thị kết quả cho") == 1
    answer = client.get("/api/search?q=cans+booj").get_json()
    assert answer["corrected_query"] == "cán bộ" and answer["exact_query"] == "cans booj"
    assert [hit["id"] for hit in answer["hits"]] == ["canbo"]
    exact = client.get("/api/search?q=cans+booj&exact=1").get_json()
    assert exact["corrected_query"] is None and exact["total"] == 0


def test_a_document_opened_from_corrected_results_marks_what_was_searched(
        make_corpus, tmp_path):
    """Found by a QA pass: the result links carried the query as typed, so the document
    page marked nothing for 'cans booj' (searched as cán bộ) nor for UBND (Ủy ban nhân dân)."""
    import re

    from search_app import create_app

    _, index_dir = _index(make_corpus, tmp_path, [
        _doc("canbo", "Quy định", "Cán bộ, công chức của Ủy ban nhân dân phải có trách nhiệm.")])
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    for typed, marked in [("cans booj", "Cán bộ"), ("UBND", "Ủy ban nhân dân")]:
        page = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
        link = re.search(r'<h2 class="result-title"><a href="([^"]+)"', page)[1]
        document = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert re.search(f"<mark[^>]*>{marked}</mark>", document), (typed, link)
        assert f"Quay lại kết quả cho “{typed}”" in document  # the way back: as typed


@pytest.mark.parametrize("query", ["trach nhiem OR hnh*", "hnh* su", "title:hnh su",
                                   "trach nhiem hnh " + " ".join(["su"] * 12)])
def test_syntax_and_long_queries_are_never_corrected(typing_index, query):
    """Found by the hostile bench: '32 prefixes AND'ed' (partial) had its prefixes
    'corrected' and searched twice (35 -> 85 ms); OR would be read as Telex *ỏ*."""
    assert indexer.search(typing_index, query).corrected_query is None
