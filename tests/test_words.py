"""Word segmentation: every syllable in one span, multi-syllable spans are dictionary words."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.text.folding import canonical, fold, term
from indexer.text.words import CROSSING, chain_pairs, lexicon, segment

SYLLABLES = ["hợp", "đồng", "trường", "phạm", "cán", "bộ", "dân", "sự", "hình", "biên",
             "giới", "môi", "lao", "động", "hop", "dong", "can", "bo", "giá", "trị", "Đảng"]


def words(text: str) -> list[str]:
    tokens = text.split()
    return [" ".join(tokens[a:b]) for a, b in segment(tokens)]


@pytest.mark.parametrize("text, expected", [
    ("trường hợp đồng phạm", ["trường hợp", "đồng phạm"]),
    ("trường hợp động vật", ["trường hợp", "động vật"]),
    ("dân sự OR hình sự", ["dân sự", "OR", "hình sự"]),
    ("hop dong lao dong", ["hop dong", "lao dong"]),
    ("biên giới", ["biên giới"]),
    ("biển giới", ["biển", "giới"]),  # accents typed: *biển giới* is no word
    ("Đảng họp", ["Đảng", "họp"]),
    ("bảng tính tô sáng giá trị", ["bảng", "tính", "tô", "sáng", "giá trị"]),
    ("Thuỷ sản", ["Thuỷ sản"]),  # tone placement variants look up the same word
])
def test_segments_like_a_reader(text, expected):
    assert words(text) == expected


@given(st.lists(st.sampled_from(SYLLABLES), max_size=12))
def test_spans_cover_every_syllable_once_and_are_words(tokens):
    spans = segment(tokens)
    assert [i for a, b in spans for i in range(a, b)] == list(range(len(tokens)))
    for a, b in spans:
        assert 1 <= b - a <= 4
        if b - a > 1:
            accented = [canonical(t) for t in tokens[a:b]]
            assert lexicon().is_word(accented, [fold(t) for t in accented])


@pytest.mark.parametrize("text, expected", [
    ("trường hợp đồng phạm", ["truong hop", "hop|dong", "dong pham"]),
    ("hợp đồng lao động", ["hop dong", "dong|lao", "lao dong"]),
    ("giá trị gia tăng của", ["gia tri", "tri gia", "gia tang", "tang|cua"]),  # a 4-syllable word
    ("cán bộ số 0", ["can bo", "bo|so", "so 0"]),  # *bộ số* is no word (*bơ sờ* folds the same)
    ("IsObject function", ["isobject function"]),  # no dictionary word: proximity only
    ("hop dong lao dong", ["hop dong", "dong lao", "lao dong"]),  # written without marks
])
def test_pairs_crossing_a_word_boundary_are_marked(text, expected):
    accented = [canonical(t) for t in text.split()]
    assert chain_pairs([fold(a) for a in accented], accented) == expected


def reference_chain_pairs(folded: list[str], accented: list[str]) -> list[str]:
    """``chain_pairs`` as first written (issue 11), without its shortcuts or memo: a
    syllable's word is the cluster segmentation's span, a pair crosses between words."""
    lex = lexicon()
    count = len(folded)
    keys = [f"{a} {b}" for a, b in zip(accented, accented[1:], strict=False)]
    spans = [(i, i + 2) for i in range(count - 1) if keys[i] in lex.accented]
    for i in range(count - 1):
        if keys[i] in lex.long_starts:
            spans += [(i, i + size) for size in (3, 4)
                      if i + size <= count and " ".join(accented[i:i + size]) in lex.accented]
    if not any(i + 2 == j for i, j in spans):  # no two-syllable word: pairs stay whole
        spans = []
    spans.sort()
    word_of = [-1] * count
    cluster: list[tuple[int, int]] = []
    start = end = -1
    for span in [*spans, (count + 1, count + 1)]:
        if span[0] >= end and cluster:
            if len(cluster) > 1:
                cluster = [(start + a, start + b) for a, b in
                           lex.segment(accented[start:end], folded[start:end]) if b - a > 1]
            for a, b in cluster:
                word_of[a:b] = [a] * (b - a)
            cluster = []
        if not cluster:
            start = span[0]
        cluster.append(span)
        end = max(end, span[1])
    return [f"{a} {b}" if word_of[i] == word_of[i + 1] else f"{a}{CROSSING}{b}"
            for i, (a, b) in enumerate(zip(folded, folded[1:], strict=False))]


# Syllables of overlapping words of two to five syllables (trường hợp | hợp đồng | đồng phạm,
# giá trị gia tăng, bảo hiểm xã hội, bất hợp pháp), and a few that make no word.
WORDY = ["trường", "hợp", "đồng", "phạm", "giá", "trị", "gia", "tăng", "bảo", "hiểm", "xã",
         "hội", "bất", "pháp", "lao", "động", "hop", "dong", "của", "x", "nhà", "nước"]
TWO = ["trường", "hợp", "đồng", "phạm", "nhà", "hop", "dong", "của", "x"]  # no longer words


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORDY), min_size=2, max_size=16)
       | st.lists(st.sampled_from(TWO), min_size=2, max_size=8))
@example("trường hợp đồng".split())
@example("x giá trị gia tăng của bảo hiểm xã hội".split())
def test_chain_pairs_agree_with_the_plain_computation(tokens):
    """The shortcuts (lone candidates, memoised clusters) change nothing; twice, so the
    second call reads the memo."""
    accented = [canonical(t) for t in tokens]
    folded = [term(a) for a in accented]
    expected = reference_chain_pairs(folded, accented)
    assert chain_pairs(folded, accented) == expected
    assert chain_pairs(folded, accented) == expected


def test_the_shipped_word_list_is_canonical_lowercase_nfc():
    """lexicon() reads the file as is: every entry must already be what canonical()
    makes of it (else a word would silently never match)."""
    import unicodedata

    from indexer.text.words import WORDS_FILE

    lines = [line for line in WORDS_FILE.read_text("utf-8").splitlines() if line.strip()]
    assert len(lines) > 60_000
    bad = [line for line in lines
           if " ".join(canonical(s) for s in line.split()) != line
           or unicodedata.normalize("NFC", line) != line or line != line.lower()]
    assert bad == []



def test_the_shipped_folded_forms_are_those_of_the_word_list():
    """words_folded.txt saves folding 60k words per process: it must be what the word list
    gives (regenerate with ``python -m indexer.text.words``), and lexicon() must hold
    what folding the list itself holds."""
    from indexer.text.words import FOLDED_FILE, WORDS_FILE, Lexicon, folded_file_text

    assert FOLDED_FILE.read_text("utf-8") == folded_file_text(WORDS_FILE.read_bytes())
    computed = Lexicon(lexicon().accented)
    assert lexicon().folded == computed.folded
    assert lexicon().long_starts == computed.long_starts


def test_a_stale_folded_file_is_not_used(tmp_path, monkeypatch):
    from indexer.text import words as module

    monkeypatch.setattr(module, "FOLDED_FILE", tmp_path / "folded.txt")
    assert module._shipped_folded(b"hop dong\n") is None  # missing
    (tmp_path / "folded.txt").write_text(module.folded_file_text(b"hop dong\n"), "utf-8")
    assert module._shipped_folded(b"hop dong\n") == ["hop dong"]
    assert module._shipped_folded(b"hop dong\nhoa binh\n") is None  # made from another list
