"""Spelling variants that Vietnamese writes both ways: one index form for each pair.

Why: the same word is spelt ``kĩ``/``kỹ``, ``lí``/``lý``, ``sĩ``/``sỹ``,
``quí``/``quý``, ``mĩ``/``mỹ`` (the i/y choice after a consonant is a matter of
house style, both are correct), and converted text writes ``Đ`` with look-alike
letters (``Ð`` U+00D0 ETH, ``Ɖ`` U+0189 African D). A document must be found by
either spelling, so both fold to the same *index form*; the form the user typed
stays the exact-accent evidence (``indexer.searching.planner``), so it still ranks first.

Only a syllable that is an onset consonant (or ``qu``) followed by a lone ``y``
changes: ``ky`` -> ``ki``, ``quy`` -> ``qui``. ``y`` alone (*y tế*), ``uy``
(*tuy*/*tui* are different words) and ``y`` before another vowel or a final
consonant (*kiến*/*yến*) keep their letters.
"""

from __future__ import annotations

import re

LOOKALIKE_D = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111",
                             "\u0189": "\u0110", "\u0256": "\u0111"})
"""Letters used in place of Đ/đ (ETH, African D) -> Đ/đ, before any other folding."""

_ONSETS = "b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x"
_Y_AFTER_ONSET = re.compile(rf"(?:{_ONSETS})y")


def fix_lookalikes(text: str) -> str:
    """``Ðà Nẵng`` (U+00D0) -> ``Đà Nẵng``: the letter Vietnamese means."""
    return text.translate(LOOKALIKE_D)


def index_form(folded: str) -> str:
    """The index form of a folded syllable: ``ky`` -> ``ki`` (see module doc)."""
    if folded.endswith("y") and _Y_AFTER_ONSET.fullmatch(folded):
        return folded[:-1] + "i"
    return folded


def spellings(form: str) -> tuple[str, ...]:
    """Every folded spelling with this index form (``ki`` -> ``ki``, ``ky``)."""
    if form.endswith("i") and _Y_AFTER_ONSET.fullmatch(form[:-1] + "y"):
        return (form, form[:-1] + "y")
    return (form,)


_Y_WITH_TONE = "yỳýỷỹỵ"
_I_WITH_TONE = "iìíỉĩị"
_Y_TO_I = str.maketrans(_Y_WITH_TONE, _I_WITH_TONE)
_I_TO_Y = str.maketrans(_I_WITH_TONE, _Y_WITH_TONE)
_ONSET_SET = frozenset(_ONSETS.split("|"))


def accented_spellings(accented: str) -> tuple[str, ...]:
    """Both spellings of an accented syllable that ends an onset with i or y, the
    marks kept: ``kỹ`` -> (``kỹ``, ``kĩ``), ``lí`` -> (``lí``, ``lý``); any other
    syllable -> itself. The exact form a user typed is one word whichever way the
    text spells it, as the folded forms are (:func:`index_form`)."""
    last = accented[-1:]
    if accented[:-1] in _ONSET_SET and last and (last in _Y_WITH_TONE or last in _I_WITH_TONE):
        other = last.translate(_Y_TO_I) if last in _Y_WITH_TONE else last.translate(_I_TO_Y)
        return (accented, accented[:-1] + other)
    return (accented,)


def same_accented(a: str, b: str) -> bool:
    """``a`` and ``b`` are one accented syllable, i/y spelling aside (``kỹ``, ``kĩ``)."""
    return a == b or b in accented_spellings(a)


def i_spelling(accented: str) -> str:
    """The i spelling of an accented syllable written either way (``kỹ`` -> ``kĩ``): one
    key for both, as :func:`index_form` is for the folded forms."""
    last = accented[-1:]
    if last in _Y_WITH_TONE and accented[:-1] in _ONSET_SET:
        return accented[:-1] + last.translate(_Y_TO_I)
    return accented
