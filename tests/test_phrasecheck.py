"""Phrase checks as array operations (indexer.searching.phrasecheck) agree with checking
each document's decoded positions one by one."""

from __future__ import annotations

from array import array

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.indexing.schema import FoldedPositions
from indexer.searching import phrasecheck
from indexer.whoosh_ext.blocks import PackedValues
from indexer.whoosh_ext.fieldterms import encode_positions

# Per document, per word of the phrase, its positions (some large: multi-byte varints).
position_sets = st.sets(st.one_of(st.integers(0, 40), st.integers(0, 70_000)), min_size=1,
                        max_size=6).map(sorted)
documents = st.lists(st.lists(position_sets, min_size=2, max_size=4), min_size=1, max_size=30)


def one_by_one(positions: list[list[list[int]]]) -> list[int]:
    """The reference: a document matches if some p has word k at p + k for every k."""
    found = []
    for rank, words in enumerate(positions):
        starts = set(words[0])
        for place, held in enumerate(words[1:], 1):
            starts &= {p - place for p in held}
        if starts:
            found.append(rank)
    return found


@settings(max_examples=200)
@given(documents, st.data())
def test_array_phrase_check_matches_the_document_by_document_check(docs, data):
    words = min(map(len, docs))
    docs = [d[:words] for d in docs]
    docnums = sorted(data.draw(st.sets(st.integers(0, 10_000), min_size=len(docs),
                                       max_size=len(docs))))
    columns = []
    for place in range(words):
        # each word's posting list holds the candidates and other documents besides
        extra = data.draw(st.sets(st.integers(0, 10_000), max_size=10)) - set(docnums)
        listed = sorted(set(docnums) | extra)
        values = [encode_positions(docs[docnums.index(d)][place]) if d in docnums
                  else encode_positions([3]) for d in listed]
        columns.append(phrasecheck.gather(np.asarray(docnums, dtype=np.int64),
                                          array("I", listed), PackedValues(values)))
    for (gathered, lengths), place in zip(columns, range(words), strict=True):
        decode = FoldedPositions().decode_positions
        held = bytes(gathered)
        cut = np.concatenate(([0], np.cumsum(lengths))).tolist()
        assert [decode(held[a:b]) for a, b in zip(cut, cut[1:], strict=False)] == [
            d[place] for d in docs]
    assert phrasecheck.adjacent(columns).tolist() == one_by_one(docs)
    for slop in (2, 3):
        assert phrasecheck.adjacent(columns, slop=slop).tolist() == near(docs, slop)


def near(positions: list[list[list[int]]], slop: int) -> list[int]:
    """The reference with gaps: each word 1 to ``slop`` positions after the one before
    (Whoosh's ``SpanNear2(ordered=True, mindist=1)``)."""
    found = []
    for rank, words in enumerate(positions):
        reached = set(words[0])
        for held in words[1:]:
            reached = {p for p in held if any(p - gap in reached for gap in range(1, slop + 1))}
        if reached:
            found.append(rank)
    return found


def test_an_expired_deadline_between_words_gives_none():
    values = PackedValues([encode_positions([1]), encode_positions([2])])
    column = phrasecheck.gather(np.asarray([4, 9]), array("I", [4, 9]), values)
    assert phrasecheck.adjacent([column, column], lambda: True) is None
    assert phrasecheck.adjacent([column, column]).tolist() == []
