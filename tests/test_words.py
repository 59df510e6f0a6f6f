"""Word segmentation: every syllable in one span, multi-syllable spans are dictionary words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis import canonical, fold
from indexer.words import lexicon, segment

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
