"""Vietnamese analysis: folding, canonical tones, offsets, identifiers."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from unidecode import unidecode

from indexer.text.folding import canonical, fold, has_marks, term
from indexer.text.syllables import analyze, is_compound, lead_text, syllables
from indexer.text.words import chain_pairs
from indexer.whoosh_ext.analyzers import folded_analyzer
from tests.helpers import cp1258_style

BASES = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
LETTERS = sorted(
    {unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES} | {"đ"}
)
ALL_LETTERS = LETTERS + [c.upper() for c in LETTERS]

SAMPLE = ("Theo ông Nghiêm Xuân Thành, Ủy viên Trung ương Đảng, Quy định số 08-QĐi/TW "
          "về trách nhiệm nêu gương của cán bộ, đảng viên; TP.HCM, 45/2019/QH14. Hoà thuỷ!")

vietnamese_text = st.text(
    alphabet=st.sampled_from(ALL_LETTERS + list("bcdghklmnpqrstvx BCDGH0123456789.,-/\n")),
    max_size=80,
)


def test_there_are_146_vietnamese_letter_forms():
    assert len(ALL_LETTERS) == 146


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_every_vietnamese_letter_folds_like_unidecode(letter):
    assert fold(letter) == unidecode(letter).lower()
    assert fold(unicodedata.normalize("NFD", letter)) == unidecode(letter).lower()


def folded_tokens(text: str) -> list[str]:
    return [s.folded for s in syllables(text)]


def test_nfc_nfd_and_cp1258_input_give_identical_tokens():
    nfc = unicodedata.normalize("NFC", SAMPLE)
    nfd = unicodedata.normalize("NFD", SAMPLE)
    legacy = cp1258_style(SAMPLE)
    assert nfd != nfc and legacy not in (nfc, nfd)
    assert folded_tokens(nfc) == folded_tokens(nfd) == folded_tokens(legacy)
    accented = [s.accented for s in syllables(nfc)]
    assert accented == [s.accented for s in syllables(nfd)] == [
        s.accented for s in syllables(legacy)]
    assert "đảng" in accented and "dang" in folded_tokens(nfc)


@pytest.mark.parametrize(
    "variant, expected",
    [("hoà", "hòa"), ("hòa", "hòa"), ("thuỷ", "thủy"), ("Uỷ", "ủy"), ("quý", "quý"),
     ("khoẻ", "khỏe"), ("hoá", "hóa"), ("già", "già"), ("người", "người"),
     ("Nguyễn", "nguyễn"), ("hoàng", "hoàng"), ("tuỳ", "tùy"), ("huỳnh", "huỳnh")],
)
def test_canonical_tone_placement(variant, expected):
    assert canonical(variant) == expected
    assert canonical(unicodedata.normalize("NFD", variant)) == expected


def test_tone_variants_give_identical_accented_tokens():
    assert [s.accented for s in syllables("Hoà thuỷ Uỷ ban")] == [
        s.accented for s in syllables("Hòa thủy Ủy ban")]


@pytest.mark.parametrize(
    "identifier, parts",
    [("08-QĐi/TW", ["08", "qdi", "tw"]), ("1972-QĐ/TU", ["1972", "qd", "tu"]),
     ("45/2019/QH14", ["45", "2019", "qh14"]), ("TP.HCM", ["tp", "hcm"])],
)
def test_identifiers_are_searchable_whole_and_by_parts(identifier, parts):
    tokens = list(syllables(f"Quy định {identifier}."))
    wholes = [t.folded for t in tokens if is_compound(t)]
    assert wholes == [fold(identifier)]
    # "quy" is indexed as "qui": the i/y spelling variants meet (indexer.text.variants)
    assert [t.folded for t in tokens if not is_compound(t)] == ["qui", "dinh", *parts]


def test_sentence_punctuation_does_not_glue_words():
    assert not any(is_compound(s) for s in syllables("cán bộ, đảng viên. Nhà nước"))


def test_pairs_break_at_punctuation():
    assert analyze("cán bộ, đảng viên").pairs == ["can bo", "dang vien"]


@given(vietnamese_text)
def test_folding_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
    assert canonical(canonical(text)) == canonical(text)


@given(vietnamese_text)
def test_nfc_and_nfd_give_the_same_tokens(text):
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert folded_tokens(nfc) == folded_tokens(nfd)
    assert [s.accented for s in syllables(nfc)] == [s.accented for s in syllables(nfd)]


@settings(max_examples=200)
@given(st.one_of(vietnamese_text, st.text(max_size=60)))
def test_offsets_slice_the_original_text_to_the_token(text):
    for form in (text, unicodedata.normalize("NFD", text)):
        for syl in syllables(form):
            original = form[syl.start:syl.end]
            assert original == syl.text
            # the index form (term) may spell a y as i (indexer.text.variants)
            assert term(original).startswith(syl.folded) and len(syl.folded) <= 64


@given(vietnamese_text)
def test_whoosh_analyzer_agrees_with_the_lean_pass(text):
    chain = [(t.text, t.pos) for t in folded_analyzer()(text, positions=True)]
    assert chain == analyze(text).folded


@given(vietnamese_text)
def test_lean_pass_pairs_agree_with_syllables(text):
    # Pairs come from chains of joined syllables; a pair that straddles two
    # dictionary words of its chain is spelt with words.CROSSING (chain_pairs).
    pairs, chain, marked = [], [], []
    for syl in syllables(text):
        if is_compound(syl):
            continue
        if not (syl.joined and chain):
            pairs += chain_pairs(chain, marked) if len(chain) > 1 else []
            chain, marked = [], []
        chain.append(syl.folded)
        marked.append(syl.accented)
    pairs += chain_pairs(chain, marked) if len(chain) > 1 else []
    assert analyze(text).pairs == pairs


def test_analyzer_offsets_point_into_nfd_original():
    text = unicodedata.normalize("NFD", "Đảng viên")
    tokens = [(t.text, t.startchar, t.endchar) for t in folded_analyzer()(text, chars=True)]
    assert [text[s:e] for _, s, e in tokens] == [text[: text.index(" ")],
                                                 text[text.index(" ") + 1:]]
    assert [t for t, _, _ in tokens] == ["dang", "vien"]


def test_hostile_text_is_bounded():
    flood = "a" + "\u0301" * 500
    tokens = list(syllables(flood + " " + "x" * 10_000))
    assert len(tokens) == 2 and all(len(t.folded) <= 64 for t in tokens)


def reference_terms(text: str, with_lead: bool = True) -> tuple:
    """What :func:`analyze` must return, derived slowly from :func:`syllables`; the lead
    as the analysis of the text cut after its lead (:func:`lead_text`)."""
    folded, accented, pairs, runs, run, chain, marked = [], [], [], [], [], [], []
    prev_end = None
    for syl in syllables(text):
        folded.append((syl.folded, syl.pos))
        if syl.accented != syl.folded and has_marks(syl.accented):  # "by" -> "bi": no mark
            accented.append(syl.accented)
        if is_compound(syl):
            continue
        gap = None if prev_end is None else text[prev_end:syl.start]
        inside = gap is not None and len(gap) == 1 and gap in "-/."  # next part of an identifier
        if inside or (gap is not None and re.fullmatch(r"[ \t\u00a0]*", gap)):
            chain.append(syl.folded)
            marked.append(syl.accented)
        else:
            pairs += chain_pairs(chain, marked) if len(chain) > 1 else []
            chain, marked = [syl.folded], [syl.accented]
            if run and not (gap is not None and re.fullmatch(r"[ \t\u00a0]*,[ \t\u00a0]*", gap)):
                runs.append(run)
                run = []
        run.append(syl.accented)
        prev_end = syl.end
    if run:
        runs.append(run)
    pairs += chain_pairs(chain, marked) if len(chain) > 1 else []
    length = max((s.pos + 1 for s in syllables(text) if not is_compound(s)), default=0)
    if not with_lead:
        return folded, accented, pairs, runs, length
    lead_folded, _, lead_pairs, *_ = reference_terms(lead_text(text), with_lead=False)
    return folded, accented, pairs, runs, length, [t for t, _ in lead_folded] + lead_pairs


# Words joined by the separators that matter: blanks (pairs), commas (runs go on),
# other punctuation (runs break) and identifier joiners.
word_text = st.lists(
    st.tuples(st.sampled_from(["Cán", "bộ", "đảng", "VIÊN", "hoà", "Thuỷ", "08", "QĐi",
                               "TW", "x" * 70, "a\u0301\u0300", "\u0301", "2019", "ạ"]),
              st.sampled_from([" ", "  ", ", ", " ,", ". ", "; ", "-", "/", ".", "\t",
                               "\u00a0", "\n", "_", "--", " - ", "!"])),
    max_size=12,
).map(lambda parts: "".join(w + sep for w, sep in parts))


@settings(max_examples=300)
@given(st.one_of(word_text, vietnamese_text, st.text(max_size=60)))
@example("Cán bộ, đảng viên. Quyết định 08-QĐi/TW; TP.HCM")
def test_lean_pass_agrees_with_syllables_on_everything(text):
    for form in (text, unicodedata.normalize("NFD", text), cp1258_style(text)):
        assert tuple(analyze(form)) == reference_terms(form)


@settings(max_examples=200)
@given(st.lists(st.one_of(word_text, vietnamese_text), min_size=2, max_size=6).map(" ".join))
@example("Trường hợp đồng phạm " * 8)
def test_the_lead_is_the_analysis_of_the_cut_text(text):
    """``lead`` (the terms of a text's first tokens) is taken from the text's own analysis;
    it must be what analysing the cut text gives, its last chain cut short too."""
    cut = analyze(lead_text(text))
    assert analyze(text).lead == [t for t, _ in cut.folded] + cut.pairs


@settings(max_examples=200)
@given(st.lists(st.one_of(word_text, vietnamese_text, st.sampled_from(
    ["trường hợp đồng", "trường hợp đồng phạm", "hợp đồng, trường hợp đồng"])),
    min_size=1, max_size=4))
@example(["trường hợp đồng", "trường hợp đồng phạm"])
def test_memoised_analysis_equals_the_plain_one(texts):
    """analyze() remembers the word boundaries of runs it has seen (words.run_pairs): with
    the memo warm, cold, cleared when full, or not used at all, the terms are the same."""
    from indexer.text import words

    cold = [analyze(t) for t in texts]
    warm = [analyze(t) for t in texts]
    memo, words.RUN_MEMO = words.RUN_MEMO, 2
    memoised = words.run_pairs
    try:
        tiny = [analyze(t) for t in texts]
        words.run_pairs = words.chain_pairs
        plain = [analyze(t) for t in texts]
    finally:
        words.RUN_MEMO, words.run_pairs = memo, memoised
    assert cold == warm == tiny == plain


@given(st.text(alphabet=st.characters(max_codepoint=0x2000), max_size=60)
       | st.text(alphabet="Đđaăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệỳýỷỹỵ\u0300\u0301\u0303"
                          "\u0309\u0323İIKΣσς ", max_size=40))
def test_fold_by_table_equals_fold_by_decomposition(text):
    from indexer.text.folding import _fold_by_decomposing

    assert fold(text) == _fold_by_decomposing(text)


@given(st.lists(st.one_of(vietnamese_text, st.just("08-QĐi/TW và TP.HCM")), max_size=3))
def test_field_terms_agree_with_the_syllable_tokenizer(value):
    """The per-field computations the schema formats and the bulk writer share
    (indexer.whoosh_ext.fieldterms), checked against :func:`syllables`, an independent path:
    positions run on across a field's texts with a gap of one, and the accented
    evidence is every form that carries marks (``BY`` folds to *bi* but carries none:
    this oracle counted it, and Hypothesis found it)."""
    from collections import Counter

    from indexer.whoosh_ext.fieldterms import counted, folded_positions

    positions: dict[str, list[int]] = {}
    accented: Counter[str] = Counter()
    offset = 0
    for text in (t for t in value if t):
        found = list(syllables(text))
        for syl in found:
            positions.setdefault(syl.folded, []).append(syl.pos + offset)
            if has_marks(syl.accented):  # not an unmarked y the index spells i (ky/ki)
                accented[syl.accented] += 1
        offset += (max(s.pos for s in found) + 1 if found else 0) + 1
    assert folded_positions(value) == {t: sorted(p) for t, p in positions.items()}
    assert counted(value, "accented") == accented


def test_a_sentence_break_leaves_a_position_gap():
    """Phrases never span sentence punctuation: ``"cán bộ"`` must not match *cán. Bộ*."""
    positions = dict(analyze("làm cán. Bộ phải").folded)
    assert positions["bo"] - positions["can"] == 2
    assert dict(analyze("làm cán, bộ phải").folded)["bo"] - positions["can"] == 1
