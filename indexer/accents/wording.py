"""Which suggestions are language: attested syllable pairs, whole words at the end.

Why: the accent model's decoder freely combines syllables it has seen, so it
proposed sequences no text contains (*bộ luật dân xử*, *hợp đóng lao*) and
completions that stop inside a word or on a function word (*hợp đồng lao*,
*hà nội công*, *lao và*). A did-you-mean or a completion is kept only if

* every two adjacent known syllables occur side by side in the corpus;
* it does not end on a function word (:data:`FUNCTION_WORDS`, hand-made);
* its last syllable does not start a word that the corpus's most frequent
  follower would finish (*công* -> *công bố*), judged by the shipped
  lexicon's segmentation (:mod:`indexer.text.words`).
"""

from __future__ import annotations

from indexer.accents.ngrams import NUM, SHIFT, UNK
from indexer.text.syllables import is_compound, syllables

DANGLING = 0.6
"""A last syllable followed this often by the rest of a word is a fragment."""
FUNCTION_WORDS = frozenset("""
và với của các những là cho hoặc thì mà để về trong từ được bị có này đó kia nhiều một
sẽ đã đang vì do theo tại trên dưới nếu như cũng rất hay ở đến ra vào lên nhưng bởi nên
phải khi lúc sau trước bằng cùng mọi mỗi hơn nhất còn vẫn chỉ đều
""".split())


def _ids(model, text: str) -> list[tuple[int, str, bool]]:
    """(id, accented, joined to the previous) of the syllables of ``text``."""
    out = []
    for tok in syllables(text):
        if is_compound(tok):
            continue
        i = NUM if tok.folded.isdigit() else model.ids.get(tok.accented, UNK)
        out.append((i, tok.accented, tok.joined))
    return out


def known(model, text: str) -> bool:
    """Every syllable of ``text`` is in the model's vocabulary."""
    return all(i != UNK for i, _, _ in _ids(model, text))


def attested(model, text: str) -> bool:
    """Every two adjacent syllables of ``text`` seen side by side (unknown ones: never)."""
    toks = _ids(model, text)
    if not toks or any(i == UNK for i, _, _ in toks):
        return False
    ctx2 = model.counts.ctx2
    return all(ctx2.get(a << SHIFT | b, 0) > 0
               for (a, _, _), (b, _, joined) in zip(toks, toks[1:], strict=False) if joined)


def whole(model, text: str, typed: int) -> bool:
    """``text`` (a completion of ``typed`` syllables) ends on a whole word that is
    no function word, and its known syllables are attested side by side.

    Syllables added after the typed ones must end a word of the lexicon
    (*hợp đồng lao* -> *… lao động*, not *… lao và*); the typed ones may end on a
    one-syllable word unless it nearly always begins a longer one (*lao* ->
    *lao động*, *hữu* -> *hữu hạn*).
    """
    from indexer.text.words import lexicon

    toks = _ids(model, text)
    if not toks or toks[-1][0] in (UNK, NUM) or toks[-1][1] in FUNCTION_WORDS:
        return False
    ctx2 = model.counts.ctx2
    for (a, _, _), (b, _, joined) in zip(toks, toks[1:], strict=False):
        if joined and UNK not in (a, b) and not ctx2.get(a << SHIFT | b, 0):
            return False
    words = [w for _, w, _ in toks]
    lex = lexicon()
    if len(toks) > typed and not _added_attested(model, toks, typed):
        return False
    if len(toks) > typed:
        tail = words[max(0, typed - 1):]
        spans = lex.segment(tail)
        if spans[-1][1] - spans[-1][0] < 2:
            return False
        if spans[0][1] - spans[0][0] >= 2:  # the typed syllable begins a word: its end
            # ... unless it ended one already (Hà Nội | công bố, not Hà | Nội công)
            return typed < 2 or not lex.is_word(
                words[typed - 2:typed], [model_fold(w) for w in words[typed - 2:typed]])
        return _ends_word(model, toks[:typed], words[:typed])
    return _ends_word(model, toks, words)


def _added_attested(model, toks: list[tuple[int, str, bool]], typed: int) -> bool:
    """Each syllable a completion adds was seen after the two before it: pairs alone
    chain into phrases no text has (*cán bộ điều kiện*: *bộ điều* and *điều kiện* are
    attested, *cán bộ điều* is not)."""
    tri = model.counts.tri
    for k in range(max(2, typed - 1), len(toks)):  # the last typed one was completed too
        (a, _, _), (b, _, ab), (c, _, bc) = toks[k - 2], toks[k - 1], toks[k]
        if ab and bc and UNK not in (a, b, c) and NUM not in (a, b, c) \
                and not tri.get(a << 2 * SHIFT | b << SHIFT | c, 0):
            return False  # (an unknown or number syllable: its pairs were judged above)
    return True


def _ends_word(model, toks: list[tuple[int, str, bool]], words: list[str]) -> bool:
    """The last of these syllables is the end of a word, not the start of a longer
    one its context nearly always continues (*trách nhiệm hữu* -> *hữu hạn*)."""
    from indexer.text.words import lexicon

    if not toks:
        return True
    lex = lexicon()
    if len(words) > 1 and lex.is_word(words[-2:], [model_fold(w) for w in words[-2:]]):
        return True  # the typed syllables end a word (hợp đồng)
    last = toks[-1][0]
    prev = toks[-2][0] if len(toks) > 1 and toks[-1][2] else None
    counts = model.counts
    if prev is not None and counts.ctx2.get(prev << SHIFT | last, 0):
        def seen(f: int) -> int:  # after these two syllables
            return counts.tri.get((prev << 2 * SHIFT) | (last << SHIFT) | f, 0)
    else:
        def seen(f: int) -> int:  # after the last one
            return counts.ctx2.get(last << SHIFT | f, 0)
    followers = [(f, seen(f)) for f in counts.followers.get(last, ())]
    total = sum(n for _, n in followers)
    begins = sum(n for f, n in followers if n and lex.is_word(
        [words[-1], model.words[f]], [model_fold(words[-1]), model_fold(model.words[f])]))
    return begins <= DANGLING * total


def model_fold(word: str) -> str:
    from indexer.text.folding import term

    return term(word)
