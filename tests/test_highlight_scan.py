"""The fast highlight scan (one regex over folded text) marks what the token scan marks."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.searching.highlight import Terms, _matches, _scan_tokens, _select, highlight_all
from indexer.text.folding import fold

PIECES = ["Đảng", "đảng", "đang", "dang", "hợp", "HỢP", "đồng", "dong", "tài", "sản", "tai",
          "08", "QĐi", "TW", "qdi", "45", "2019", "QH14", "TP", "HCM", "cán", "bộ", "cần",
          "hoà", "thuỷ", "x", "dongs", "hopdong"]
JOINERS = [" ", " ", " ", "-", "/", ".", ", ", ". ", "\n", "(", ")", "_", "–"]
WORDS = ["dang", "hop", "dong", "tai", "san", "08", "qdi", "tw", "08-qdi/tw", "tp.hcm",
         "45/2019/qh14", "can", "bo", "hoa", "thuy", "x"]

texts = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(JOINERS),
                           st.sampled_from(["NFC", "NFC", "NFD"])), max_size=25).map(
    lambda parts: "".join(unicodedata.normalize(form, p) + j for p, j, form in parts))
terms = st.builds(
    lambda words, accents, prefixes: Terms(
        {w: ({None} if not accents.get(w) else {accents[w]}) for w in words},
        tuple(prefixes)),
    st.lists(st.sampled_from(WORDS), max_size=4, unique=True),
    st.dictionaries(st.sampled_from(WORDS), st.sampled_from(["đảng", "hợp", "đồng", "tài"]),
                    max_size=2),
    st.lists(st.sampled_from(["d", "ho", "ta", "08", "qd", "tp", "c"]), max_size=2),
)


@settings(max_examples=400)
@given(texts, terms)
@example("Đảng viên 08-QĐi/TW, TP.HCM và 45/2019/QH14.", Terms({"08-qdi/tw": {None}}, ()))
@example("hợp-đồng hop.dong x-y-z", Terms({"dong": {None}}, ("ho",)))
@example(unicodedata.normalize("NFD", "Đảng đang, hợp đồng."), Terms({"dang": {"đảng"}}, ("đo",)))
def test_fast_scan_marks_what_the_token_scan_marks(text, query_terms):
    """NFC, NFD and mixed text: the regex scan over folded text (offsets mapped back
    past decomposed marks) finds the spans the token-by-token scan finds."""
    assert _matches(text, query_terms) == [
        (s, e, f) for s, e, _, f in _select(_scan_tokens(text, query_terms), query_terms)]


def test_decomposed_text_marks_the_same_words():
    text = "Cán bộ, đảng viên 08-QĐi/TW"
    nfd = unicodedata.normalize("NFD", text)
    assert len(fold(nfd)) != len(nfd)
    query_terms = Terms({"can": {None}, "dang": {"đảng"}, "08-qdi/tw": {None}}, ())
    marked = highlight_all(text, query_terms)
    assert marked == "<mark>Cán</mark> bộ, <mark>đảng</mark> viên <mark>08-QĐi/TW</mark>"
    assert unicodedata.normalize("NFC", highlight_all(nfd, query_terms)) == marked


def _marked(query: str, text: str) -> str:
    from indexer.searching.query import parse

    return highlight_all(text, Terms(*parse(query).highlight_terms()))


def test_a_quoted_phrase_is_marked_only_where_it_stands_whole():
    """``"Hồ Chí Minh"`` marked *chí* in *ý chí*, and ``"ủy ban nhân dân"`` every lone
    *nhân*, *dân*, *bản*: a phrase's syllables are marked where the phrase is."""
    text = "Tư tưởng Hồ Chí Minh và ý chí. Hồ. Chí Minh; ban nhận bản sao, nhân dân"
    assert _marked('"Hồ Chí Minh"', text) == (
        "Tư tưởng <mark>Hồ Chí Minh</mark> và ý chí. Hồ. Chí Minh; ban nhận bản sao, nhân dân")
    assert _marked('"ủy ban nhân dân"', "Ủy ban nhân dân tỉnh; ban nhân dân, ủy ban") == (
        "<mark>Ủy ban nhân dân</mark> tỉnh; ban nhân dân, ủy ban")
    # typed with marks: only those marks; without: any
    assert _marked('"hồ chí minh"', "hồ chỉ minh, hồ chí minh") == (
        "hồ chỉ minh, <mark>hồ chí minh</mark>")
    assert _marked('"ho chi minh"', "hồ chỉ minh") == "<mark>hồ chỉ minh</mark>"


def test_words_outside_the_phrase_are_still_marked_anywhere():
    assert _marked('"Hồ Chí Minh" ý chí', "Hồ Chí Minh có ý chí") == (
        "<mark>Hồ Chí Minh</mark> có <mark>ý chí</mark>")
    assert _marked("chí minh", "Hồ Chí Minh và ý chí") == (
        "Hồ <mark>Chí Minh</mark> và ý <mark>chí</mark>")
