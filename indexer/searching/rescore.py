"""Rescoring the top of a ranking by how well each title matches the query as a whole.

Why: the ranking model (:mod:`indexer.searching.planner`) is a sum of per-word
evidence, so it cannot see what a title *lacks*. "Định nghĩa" and "Từ điển thuật
ngữ tổng quát" both hold one word of ``JDBC định nghĩa``; a law's heading
"Điều 123. Tội giết người" is the query ``tội giết người`` plus two syllables,
where "Tội giết người trong trạng thái tinh thần bị kích động mạnh" is the query
plus eight. Length normalisation of titles stands in for that only roughly, and
costs the topical queries, whose answers often have longer titles (issue 11).
The squared similarity of the title's and the query's syllables (Jaccard's, with
the title's extra syllables weighing ``TITLE_EXTRA``) measures it directly: 1 when
the title is the query, falling fast as either has syllables the other lacks.

A dictionary word of the query is shared only where its syllables stand together
in the title ("Trách nhiệm dân sự" shares *trách nhiệm* with ``trách nhiệm hình
sự``, not *sự*); the title is not segmented itself (comparing the two
segmentations cost the law headings typed unaccented 0.973 against 0.983 MRR@10).
A syllable typed with marks is shared only in that form (``Đảng họp`` shares only
*họp* with "Họ đang họp"), and so is an unmarked one in the reading the accent
model predicts (``can bo dang vien`` shares nothing but *bộ viên* with "Cần bộ
đang viên"): the rescoring asks whether the title is the query as it is meant.
(Giving the folded match of a predicted syllable half or a quarter of a match
instead changed nothing on the LibreOffice help set: 0.641 MRR@10 either way.)

As in Elasticsearch's rescore, only the top ``RESCORE_WINDOW`` of the first ranking
is rescored, always the same window whatever the page, so pages stay
consistent; the bonus is ``TITLE_MATCH`` times the best score of the window,
so it weighs the same against the rest of the evidence on every corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from indexer.searching import weights as W
from indexer.searching.matching import MATCH_FIELD
from indexer.searching.query import ParsedQuery
from indexer.searching.references import References, refers
from indexer.searching.sourcenames import Naming, Runs
from indexer.text.syllables import is_compound, syllables
from indexer.whoosh_ext.positions import term_positions


class TitleWord(NamedTuple):
    """A query syllable: folded, and the accented form it asks for (None: any)."""

    folded: str
    accented: str | None


Query = tuple[tuple[TitleWord, ...], ...]
"""The query's words, each as its syllables (a dictionary word has several)."""


def query_words(parsed: ParsedQuery) -> Query:
    """The words the user typed to be found (not excluded, not synonyms, not
    ``source:`` constraints), each syllable with the accented form it asks for: the
    typed one, else the reading the accent model predicts."""
    found: list[tuple[TitleWord, ...]] = []
    for unit in parsed.positive:
        if unit.scope == "source":
            continue
        for alt in unit.leaves():
            if alt.weight < 1.0:
                continue
            syllables_ = []
            for word in alt.words:
                if word.parts:
                    found += [(TitleWord(part, None),) for part in word.parts]
                else:
                    syllables_.append(TitleWord(word.folded, word.accented or word.predicted))
            if alt.kind == "word" and len(syllables_) > 1:  # a dictionary word
                found.append(tuple(syllables_))
            else:
                found += [(syllable,) for syllable in syllables_]
    return tuple(dict.fromkeys(found))


class Title(NamedTuple):
    folded: tuple[str, ...]
    accented: tuple[str, ...]
    size: int  # distinct syllables


@lru_cache(maxsize=16384)
def title_words(title: str) -> Title:
    """A title's syllables in order, folded and accented (canonical, lowercase)."""
    tokens = [s for s in syllables(title or "") if not is_compound(s)]
    folded = tuple(s.folded for s in tokens)
    return Title(folded, tuple(s.accented for s in tokens), len(set(folded)))


def _held(title: Title, start: int, word: tuple[TitleWord, ...]) -> bool:
    """True if the title holds ``word`` from ``start`` on in the forms asked for."""
    return all(syllable.accented is None or syllable.accented == title.accented[start + i]
               for i, syllable in enumerate(word))


def _shared(title: Title, word: tuple[TitleWord, ...]) -> int:
    """The syllables of ``word`` the title holds, as a word: a dictionary word only
    where its syllables stand together ("Trách nhiệm dân sự" holds no *hình sự*)."""
    folded, size = [s.folded for s in word], len(word)
    for start in range(len(title.folded) - size + 1):
        if list(title.folded[start:start + size]) == folded and _held(title, start, word):
            return size
    return 0


def title_match(title: Title, query: Query) -> float:
    """Squared similarity of the title's and the query's syllables, a query word's
    syllables shared as :func:`_shared` says (0 when either is empty): the shared ones
    over themselves plus the query's the title lacks plus ``TITLE_EXTRA`` times the
    title's the query lacks (Tversky's ratio model; 1 for both is Jaccard's).

    A title's extra syllables weigh less than the query's missing ones: a topical page
    is often titled more fully than its topic is asked for ("Chèn ngắt dòng hoặc ngắt
    cột" for ``chèn ngắt cột``), while a title lacking a word the user typed is less
    likely what was meant (chosen by cross-validation with the law headings, where
    the title typed is the whole query, as a constraint)."""
    size = len({s.folded for word in query for s in word})
    if not title.size or not size:
        return 0.0
    # (a syllable in two query words, ``hop dong hop``, is shared once)
    shared = min(sum(_shared(title, word) for word in query), size, title.size)
    return (shared / (shared + size - shared + W.TITLE_EXTRA * (title.size - shared))) ** 2


def query_syllables(query: Query) -> list[str]:
    """The query's distinct folded syllables, in order: what :func:`span_match` looks for."""
    return list(dict.fromkeys(s.folded for word in query for s in word))


def span_match(occurrences: list[tuple[int, str]], idf: dict[str, float]) -> float:
    """How closely together a text holds the query's syllables: the idf share of them it
    holds, squared, times their density in the shortest span holding all of them
    (how many they are over the span's length); 0 with fewer than two.

    ``occurrences``: (position, syllable) of the query's syllables in the text;
    ``idf``: every query syllable's idf. A topical page says what it is about in one
    phrase or line ("chèn ngắt cột" in "Chèn ngắt dòng hoặc ngắt cột"), where a page
    merely mentioning the words scatters them; sentence punctuation leaves position
    gaps, so a span across sentences is longer.
    """
    found = {term for _, term in occurrences}
    total = sum(idf.values())
    if len(found) < 2 or total <= 0:
        return 0.0
    ordered = sorted(occurrences)
    counts: dict[str, int] = {}
    held = left = 0
    shortest = ordered[-1][0] - ordered[0][0] + 1
    for position, term in ordered:
        counts[term] = counts.get(term, 0) + 1
        held += counts[term] == 1
        while held == len(found):
            first, first_term = ordered[left]
            shortest = min(shortest, position - first + 1)
            counts[first_term] -= 1
            held -= counts[first_term] == 0
            left += 1
    share = sum(idf.get(term, 0.0) for term in found) / total
    return share ** 2 * len(found) / max(shortest, len(found))


Spans = Callable[[list[int]], dict[int, float]]
"""The :func:`span_match` of each of some docnums (absent: 0)."""


def text_spans(searcher, query: Query) -> Spans:
    """:func:`span_match` of documents' texts (``MATCH_FIELD``, positions read from the
    postings) against ``query``, the idf of a syllable being the ranking's."""
    terms = query_syllables(query)
    idf: dict[str, float] = {}

    def spans(docnums: list[int]) -> dict[int, float]:
        if not docnums:
            return {}
        if not idf:  # asked only when there are texts: an empty index has no idf
            idf.update((term, searcher.idf(MATCH_FIELD, term)) for term in terms)
        found = term_positions(searcher, MATCH_FIELD, terms, docnums)
        return {docnum: span_match(occurrences, idf) for docnum, occurrences in found.items()}
    return spans


def _without(query: Query, name: tuple[str, ...]) -> Query:
    """``query`` without the words of a source's name (``điều 111 bộ luật hình sự``
    is ``điều 111`` to the titles of the criminal code, whose source says the rest)."""
    left = tuple(word for word in query if not {s.folded for s in word} <= set(name))
    return left or query


def rescore(items: list[tuple[int, float]], query: Query,
            title_of: Callable[[int], str],
            spans: Spans | None = None, source_of: Callable[[int], str] | None = None,
            runs: Runs = (), pairs: References = ()) -> list[tuple[int, float]]:
    """``items`` (docnum, score), best first, with the top ``RESCORE_WINDOW`` rescored and
    reordered (ties: the lower docnum first, as in the first ranking); ``title_of``
    gives a document's title from its docnum, ``spans`` the :func:`span_match` of
    documents' texts (None: titles only), ``source_of`` its source name, which gains
    when the query's ``runs`` name it (:mod:`indexer.searching.sourcenames`); a title
    holding one of the ``pairs`` gains as the item referred to
    (:mod:`indexer.searching.references`)."""
    if not items or not query or (W.TITLE_MATCH <= 0 and W.SPAN_MATCH <= 0):
        return items
    window, rest = items[:W.RESCORE_WINDOW], items[W.RESCORE_WINDOW:]
    best = max(score for _, score in window)
    bonus = W.TITLE_MATCH * best
    near = spans([docnum for docnum, _ in window]) if spans and W.SPAN_MATCH > 0 else {}
    sources = {docnum: source_of(docnum) for docnum, _ in window} \
        if source_of and runs and W.SOURCE_MATCH > 0 else {}
    naming = Naming(sources.values(), runs)
    topic = {source: _without(query, part) for source, part in naming.whole.items()}
    rescored = []
    for docnum, score in window:
        title = title_words(title_of(docnum))
        named = naming.of(sources[docnum], title.folded) if naming.best else 0.0
        asked = topic.get(sources[docnum], query) if naming.best else query
        rescored.append((docnum, score + bonus * title_match(title, asked)
                         + W.SPAN_MATCH * best * near.get(docnum, 0.0)
                         + W.SOURCE_MATCH * best * named
                         + W.REFERENCE_MATCH * best * refers(title.folded, pairs)))
    rescored.sort(key=lambda item: (-item[1], item[0]))
    return rescored + rest
