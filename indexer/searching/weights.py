"""The ranking model's parameters, in one place (the README's "Ranking parameters").

Few and general, the same for every corpus: chosen by two-fold cross-validation on
the development half of the LibreOffice help's index terms (topical queries), under
the constraint that known-item search of the law headings stays above 0.98 MRR@10.
:mod:`indexer.searching.planner` turns them into query terms (read when a query is
built, so an experiment may set them on this module), :mod:`indexer.searching.rescore`
uses the title ones, and :func:`weighting` the BM25 ones.
"""

from __future__ import annotations

from indexer.whoosh_ext.bm25 import Bm25f

K1 = 0.9
"""BM25 term-frequency saturation, every field."""
B_BODY = 0.1
"""BM25 length normalisation of the text (``all_f``, ``accents``, ``pairs``)."""
B_TITLE = 0.6
"""Length normalisation of titles (``title_f``, ``title_a``)."""
B_LEAD = 0.0
"""Length normalisation of the lead (``lead``: only texts shorter than a lead differ)."""
TITLE_BOOST = 2.0
"""Title BM25 relative to the text's."""
LEAD_BOOST = 1.0
"""BM25 of a query syllable in the document's first syllables (``lead``)."""
LEAD_PAIR_BOOST = 0.25
"""BM25 of adjacent query syllables adjacent in the lead."""
COVERAGE = 4.0
"""idf x this, once per query word a document holds: a soft coordination factor."""
SYLLABLE_SHARE = 0.5
"""Share of a multi-syllable word's evidence its syllables keep when found apart."""
WORD_BOOST = 0.5
"""BM25 of a query word of several syllables found as that word (``pairs``)."""
PAIR_BOOST = 1.0
"""Adjacent query words adjacent in the document (proximity and order)."""
READING_BOOST = 1.0
"""BM25 of the exact form of a word's reading (typed with marks, or predicted)."""
FOLDED_WITH_READING = 0.5
"""Share of a word's folded evidence kept when the accent model predicts its reading;
the exact form carries the rest."""
FOLDED_WITH_TYPED = 0.25
"""Share of a word's folded evidence kept when the user typed its marks; the exact
form carries the rest (a form typed is surer than one predicted). A typed word of
several syllables keeps this share of its word evidence (``pairs``, folded) too."""
ACCENT_TIER = 0.75
"""Each syllable typed with marks, held exactly, adds idf x this x (K1 + 1), inside a
word of several too: exact forms first."""
NUMBER_TITLE_BOOST = 3.0
"""Added to TITLE_BOOST for a number of the query found in a title: a reference
(``điều 123 bộ luật dân sự``, ``nghị định 30``) names its document by it."""
QUESTION_WEIGHT = 0.1
"""Share of a question word's evidence kept (``là gì``, ``bao nhiêu``:
:mod:`indexer.searching.questions`)."""
SOURCE_BOOST = 1.0
"""BM25 of a query word in the document's source name (a law code, a site, a product):
ranking evidence, not a filter."""
TITLE_MATCH = 0.25
"""Rescoring: a title equal to the query gains this share of the window's best score."""
TITLE_EXTRA = 0.5
"""Rescoring: weight of a title's syllables the query lacks against the query's the
title lacks (1), in the title-query similarity (:func:`indexer.searching.rescore.title_match`)."""
SPAN_MATCH = 0.0
"""Rescoring: share of the window's best score gained by a text holding the query's
syllables close together (:func:`indexer.searching.rescore.span_match`). Off: at 0.1 it
gained 0.006 MRR@10 on the help set but doubled the median latency at 100k documents
(warm p50 of the bench queries 30 -> 61 ms: positions of common syllables decoded for 50
texts), which broke issue 11's speed target (1.65x FTS5)."""
SOURCE_MATCH = 0.5
"""Rescoring: a source the query names (``Điều 51 BLHS``, ``điều 8 bộ luật lao động``:
:mod:`indexer.searching.sourcenames`) gains this share of the window's best score,
times the squared share of its name the query holds in a row."""
REFERENCE_MATCH = 0.5
"""Rescoring: a title beginning with a heading word and the number typed after it (``điều 111``,
``nghị định 30``: :mod:`indexer.searching.references`) gains this share of the
window's best score: it is the item referred to."""
RESCORE_WINDOW = 50
"""Rescoring: how many of the first ranking's best are rescored by title."""


def weighting() -> Bm25f:
    """BM25F with the per-field length normalisation of these parameters."""
    return Bm25f(B=B_BODY, K1=K1, title_f_B=B_TITLE, title_a_B=B_TITLE, lead_B=B_LEAD)


WEIGHTING = weighting()
"""The weighting every searcher scores with."""


def folded_share(word) -> float:
    """The share of a query word's folded evidence (BM25 and coverage) that a document
    gets without the word's exact form: typed marks, a predicted reading, or none."""
    if word.accented:
        return FOLDED_WITH_TYPED
    return FOLDED_WITH_READING if word.predicted else 1.0
