"""Searching what the user meant: Telex/VNI decoded, typos corrected, text pasted from a
TCVN3/VNI document converted, with a way back.

Why a layer around :func:`indexer.searching.service.search`: the query as typed is
searched first (cached, exact); only when it is Telex/VNI typed without the
input method, or finds no document with all its words while a correction
does, are the corrected results shown instead, with the note "Đang hiển thị
kết quả cho … Tìm chính xác …" and ``corrected_query``/``exact_query`` in the
results (``exact=True`` searches the typed text as is: the "Tìm chính xác"
link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from indexer.accents import typos
from indexer.corpus.formats import legacy
from indexer.searching.query import clean
from indexer.text import telex
from indexer.text.folding import fold

MAX_CORRECTED_CHARS = 200


def note(shown: str, typed: str) -> str:
    return f"Đang hiển thị kết quả cho “{shown}”. Tìm chính xác “{typed}”"


def _vocabulary(reader) -> tuple[Callable[[str], bool], Callable[[str, str], int]]:
    def known(folded: str) -> bool:
        return reader.doc_frequency("all_f", folded) > 0

    def pair(a: str, b: str) -> int:
        return reader.doc_frequency("pairs", f"{a} {b}")

    return known, pair


def decoded(index, text: str) -> str | None:
    """``text`` with its Telex/VNI words decoded (see :mod:`indexer.text.telex`), or None."""
    if not text or len(text) > MAX_CORRECTED_CHARS:
        return None
    known, _ = _vocabulary(index.searcher().reader())
    model = index.model()
    return telex.decode_query(clean(text), known, lambda word: word in model.ids)


def corrected(index, text: str) -> str | None:
    """A correction of ``text`` made of index words (split and/or one edit a word)."""
    if not text or len(text) > MAX_CORRECTED_CHARS:
        return None
    known, pair = _vocabulary(index.searcher().reader())
    reader = index.searcher().reader()
    text = clean(text)
    split = typos.split_query(text, known, pair)
    base = split or text
    fixed = typos.fix_words(base, known, pair, lambda term: reader.doc_frequency("all_f", term))
    if not (fixed or split):
        return None
    fixed = fixed or base
    try:  # the letters are settled: put the marks back for the note
        restored = index.model().restore(fixed)
    except Exception:  # the model is a nicety: the letters alone then
        return fixed
    return restored if fold(restored) == fold(fixed) else fixed


def search(run: Callable[..., object], index, query: str, **options):
    """``run(index, query, **options)`` (the exact search), forgiving what was typed."""
    typed = query or ""
    pasted, encoding = legacy.convert_query(typed)
    if encoding:  # pasted from a TCVN3/VNI document: tr¸ch nhiÖm is trách nhiệm
        return _shown(run(index, pasted, **options), typed, pasted)
    meant = decoded(index, typed)
    if meant:
        results = run(index, meant, **options)
        # 'hooi ddoongf': hooi decodes to nothing the corpus has, a typo fix may help
        better = None if results.total else _fixed(run, index, meant, typed, options)
        return better or _shown(results, typed, meant)
    results = run(index, typed, **options)
    if results.total:  # some document holds every word (partial matches may follow)
        return results
    return _fixed(run, index, typed, typed, options) or results


def _fixed(run: Callable[..., object], index, text: str, typed: str, options: dict):
    """The results of ``text`` with its typos corrected, shown as a correction of
    ``typed``, if some document holds every corrected word; else None."""
    fixed = corrected(index, text)
    if fixed and fixed.strip() != text.strip():
        better = run(index, fixed, **options)
        if better.total:
            return _shown(better, typed, fixed)
    return None


def _shown(results, typed: str, shown: str):
    """A copy of ``results`` (cached objects are shared) presented as a correction."""
    return replace(results, query=typed, corrected_query=shown, exact_query=typed,
                   suggestion=None, messages=[note(shown, typed), *results.messages],
                   hits=list(results.hits))
