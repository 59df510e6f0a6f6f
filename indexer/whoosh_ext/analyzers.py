"""The Whoosh analyzers of vnsearch's text fields: syllables in, index terms out.

Why a module of its own: these classes are pickled into every index's schema, so
their import path is part of the on-disk format (pinned per ``SCHEMA_VERSION`` by
``tests/test_layout.py``): they stay here, and stay thin. The language work they
apply lives in :mod:`indexer.text.syllables` (tokens with offsets and positions)
and :mod:`indexer.text.folding` (folded and accented forms), which need no Whoosh.
"""

from __future__ import annotations

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token

# canonical and term are imported from here by indexer.text.words (another branch is
# changing that module): re-exported until it imports them from indexer.text.folding.
from indexer.text.folding import canonical, carries_marks, forms, term  # noqa: F401
from indexer.text.syllables import syllables


class VietnameseTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`~indexer.text.syllables.syllables`; token text is the
    accented form."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for syl in syllables(value):
            token.text = syl.accented
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = syl.text
            if positions:
                token.pos = start_pos + syl.pos
            if chars:
                token.startchar = start_char + syl.start
                token.endchar = start_char + syl.end
            yield token


class FoldFilter(Filter):
    """Replace each token's text by its folded form (``đảng`` -> ``dang``)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = forms(token.text)[1]
            yield token


class MarkedOnlyFilter(Filter):
    """Keep only tokens whose accented form carries marks (exact-accent field)."""

    def __call__(self, tokens):
        for token in tokens:
            if carries_marks(token.text, forms(token.text)[1]):
                yield token


def folded_analyzer():
    """Analyzer of the folded (matching) fields."""
    return VietnameseTokenizer() | FoldFilter()


def accented_analyzer():
    """Analyzer of the exact-accent evidence field."""
    return VietnameseTokenizer() | MarkedOnlyFilter()
