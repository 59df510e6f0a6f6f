"""A :class:`ParsedQuery` -> a Whoosh query: the ranking model.

Candidates are every document holding at least one query word (folded, in
``all_f``): no word is required, because real queries often carry a word the
best answer lacks (``Hàm IsObject`` -> the page "IsObject Function"). What
decides the order is evidence, each a sum of per-term scores (so that
:mod:`indexer.searching.maxscore` can prune exactly):

* **coverage** (``COVERAGE``): every query word a document holds adds its idf
  once — a soft coordination factor: holding more, and rarer, words of the
  query counts most, without making any of them a filter;
* **BM25** of each word in the folded text (``all_f``, ``B_BODY``) and, weighted
  ``TITLE_BOOST``, in the title (``title_f``, ``B_TITLE``);
* **words and proximity**: syllables of a query word that form that word in
  the document (``WORD_BOOST``, field ``pairs``), and adjacent query words
  adjacent in the document (``PAIR_BOOST``);
* **accents**: a word typed with marks, or an unmarked word through the
  reading the accent model predicts, scores that exact form (``accents``,
  ``title_a``, ``READING_BOOST``); its folded match keeps
  ``FOLDED_WITH_READING`` of its weight and coverage, the exact form the rest.
  A form the user typed adds idf x ``FOLDED_WITH_READING`` x (``K1`` + 1) —
  at least all the folded BM25 could give — so a document with *vướng* comes
  before every document with only *vuông*, all else equal.

A quoted phrase is one unit (matching only where its words are adjacent, in
one sentence); ``title:``/``source:`` terms are constraints the user typed:
they stay required. Every parameter is documented in the README
("Ranking parameters"); they were tuned, with cross-validation, on a
development set and are the same for every corpus.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice

from whoosh import query as Q

from indexer.searching.query import MAX_PREFIX_EXPANSION, MAX_PREFIX_TERMS, ParsedQuery, Unit, Word
from indexer.text.words import CROSSING
from indexer.whoosh_ext.bm25 import AndNot, Bm25f, Coverage, Term

MATCH_FIELD = "all_f"
K1 = 1.5
B_BODY = 0.3
B_TITLE = 0.6
TITLE_BOOST = 2.5
COVERAGE = 4.0
SYLLABLE_SHARE = 0.75
WORD_BOOST = 1.0
PAIR_BOOST = 1.0
READING_BOOST = 1.25
FOLDED_WITH_READING = 0.5
ACCENT_TIER = 0.75
LEAD_BOOST = 0.5
LEAD_PAIR_BOOST = 0.5
B_LEAD = 0.3


def weighting() -> Bm25f:
    """BM25F with the per-field length normalisation of the model's parameters."""
    return Bm25f(B=B_BODY, K1=K1, title_f_B=B_TITLE, title_a_B=B_TITLE, lead_B=B_LEAD)


WEIGHTING = weighting()
"""Titles are fully length-normalised by default: a title that *is* the
query beats a longer title that merely contains it."""


def _or(clauses: list[Q.Query]) -> Q.Query:
    """An Or that streams (binary union tree) instead of preloading every posting."""
    if len(clauses) == 1:
        return clauses[0]
    query = Q.Or(clauses)
    query.matcher_type = Q.Or.DEFAULT_MATCHER
    return query


def _and(clauses: list[Q.Query]) -> Q.Query:
    return clauses[0] if len(clauses) == 1 else Q.And(clauses)


def _word_query(word: Word, field: str) -> Q.Query:
    # With an accented reading, the folded match only says "same letters":
    # part of its weight moves to the exact-accent evidence.
    boost = FOLDED_WITH_READING if (word.accented or word.predicted) else 1.0
    term = Term(field, word.folded, boost=boost)
    if word.parts and field != "source_f":
        return _or([term, Q.Phrase(field, list(word.parts))])
    return term


def _prefix_query(prefix: str, field: str, reader, limit: int) -> Q.Query:
    """Bounded prefix expansion: the ``limit`` most frequent completions only."""
    terms = []
    if reader is not None:
        for term in reader.expand_prefix(field, prefix):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            terms.append((reader.doc_frequency(field, term), term))
            if len(terms) > MAX_PREFIX_EXPANSION * 8:
                break
    terms.sort(reverse=True)
    clauses = [Term(field, t) for _, t in terms[:limit]]
    return _or(clauses) if clauses else Q.NullQuery


def _unit_query(unit: Unit, reader, prefix_limit: int = MAX_PREFIX_EXPANSION) -> Q.Query:
    field = {"title": "title_f", "source": "source_f"}.get(unit.scope, MATCH_FIELD)
    if unit.kind == "group" or (unit.kind == "word" and len(unit.words) > 1):
        query = _grammar_query(unit, field, reader, prefix_limit)
    elif unit.kind == "phrase" and unit.scope != "source":
        folds = [part for w in unit.words for part in (w.parts or (w.folded,))]
        query = Q.Phrase(field, folds)
        # Marks typed in a phrase are asked for: the document must hold those forms.
        exact_field = "title_a" if unit.scope == "title" else "accents"
        exact = [Term(exact_field, w.accented, boost=0.0) for w in unit.words
                 if w.accented and not w.parts]
        if exact:
            query = _and([query, *exact])
    else:
        words = unit.words[:-1] if unit.kind == "prefix" else unit.words
        parts = [_word_query(w, field) for w in words]
        if unit.kind == "prefix":
            parts.append(_prefix_query(unit.words[-1].folded, field, reader, prefix_limit))
        query = _and(parts)
    if unit.weight != 1.0 and query is not Q.NullQuery:
        query.boost *= unit.weight  # a synonym expansion: below what was typed
    if unit.alternatives:
        query = _or([query, *(_unit_query(alt, reader, prefix_limit)
                              for alt in unit.alternatives)])
    return query


def _grammar_query(unit: Unit, field: str, reader, prefix_limit: int) -> Q.Query:
    """The query language's compound units (see :mod:`indexer.searching.querylang`).

    A dictionary word as a unit (``hình sự`` in ``-hình sự``, or grouped by
    :func:`indexer.searching.query._group_words`) matches where its syllables are adjacent
    (``pairs``: a document's segmentation can err, so straddling pairs count
    too; ranking prefers those forming the word), or, outside the text, as the
    phrase of its syllables; a group matches all its positive members and none
    of its negated ones.
    """
    if unit.kind != "group":
        folds = [w.folded for w in unit.words]
        if field == MATCH_FIELD:  # adjacent, as one word or (segmentation may err) two
            return _and([_or([Term("pairs", f"{x} {y}"), Term("pairs", f"{x}{CROSSING}{y}")])
                         for x, y in zip(folds, folds[1:], strict=False)])
        return Q.Phrase(field, folds)
    wanted = [_unit_query(m, reader, prefix_limit) for m in unit.members if not m.negated]
    unwanted = [_unit_query(m, reader, prefix_limit) for m in unit.members if m.negated]
    if not wanted:
        return Q.NullQuery
    query = _and(wanted)
    return AndNot(query, _or(unwanted)) if unwanted else query


def _plain(unit: Unit) -> bool:
    """A word (one syllable or a dictionary word of several) scored term by term."""
    return (unit.kind == "word" and unit.scope is None and not unit.alternatives
            and not any(w.parts for w in unit.words))


def _required(unit: Unit) -> bool:
    """Constraints the user spelt out: ``title:``/``source:`` terms."""
    return unit.scope is not None


def _share(unit: Unit) -> float:
    """The weight a syllable's own evidence keeps inside a word of several."""
    return SYLLABLE_SHARE if _plain(unit) and len(unit.words) > 1 else 1.0


def _word_terms(unit: Unit) -> list[Q.Query]:
    """BM25 in the folded text, coverage, and the exact form a typed accent asks for.

    In a word of several syllables each syllable keeps ``SYLLABLE_SHARE`` of
    its evidence; the rest goes to the word itself (its syllables forming that
    word in the document): *biển … giới* is not *biên giới*.
    """
    share = _share(unit)
    clauses: list[Q.Query] = []
    for word in unit.words:
        boost = FOLDED_WITH_READING if (word.accented or word.predicted) else 1.0
        clauses.append(Term(MATCH_FIELD, word.folded, boost=boost * share))
        form = word.accented or word.predicted
        if form:
            # Typed marks: a folded-only match is part of a match, and the
            # exact form brings the rest plus at least what folded BM25 gives.
            # A predicted reading is preferred the same way, without the extra.
            clauses.append(Coverage(MATCH_FIELD, word.folded,
                                    boost=COVERAGE * FOLDED_WITH_READING * share))
            extra = ACCENT_TIER * (K1 + 1) if word.accented else 0.0
            clauses.append(Coverage("accents", form, boost=share * (
                COVERAGE * (1 - FOLDED_WITH_READING) + extra)))
        else:
            clauses.append(Coverage(MATCH_FIELD, word.folded, boost=COVERAGE * share))
        clauses.append(Term("lead", word.folded, boost=LEAD_BOOST * share))
    folds = [w.folded for w in unit.words]
    pairs = [f"{x} {y}" for x, y in zip(folds, folds[1:], strict=False)]
    for pair in pairs:
        clauses.append(Term("pairs", pair, boost=WORD_BOOST))
        clauses.append(Term("lead", pair, boost=LEAD_PAIR_BOOST))
        if share < 1.0:
            clauses.append(Coverage("pairs", pair,
                                    boost=COVERAGE * (1.0 - share) * len(folds) / len(pairs)))
    return clauses


def _pair_evidence(units: list[Unit]) -> list[Q.Query]:
    """Adjacent query words adjacent in the document (proximity and order)."""
    clauses = []
    for a, b in zip(units, units[1:], strict=False):
        if a.kind == b.kind == "word" and a.scope is None and b.scope is None \
                and not (a.alternatives or b.alternatives):
            left, right = a.words[-1], b.words[0]
            if not (left.parts or right.parts):
                clauses += _adjacent(left.folded, right.folded)
    for unit in units:
        if unit.kind == "group":  # brackets, or what a synonym was typed as
            clauses += _pair_evidence([m for m in unit.members if not m.negated])
        if unit.kind == "phrase" and unit.scope is None:
            folds = [w.folded for w in unit.words]
            for x, y in zip(folds, folds[1:], strict=False):
                clauses += _adjacent(x, y)
    return clauses


def _adjacent(x: str, y: str) -> list[Q.Query]:
    """``x`` next to ``y``, within one word of the document or across two."""
    return [Term(field, f"{x}{joint}{y}", boost=boost)
            for field, boost in (("pairs", PAIR_BOOST), ("lead", LEAD_PAIR_BOOST))
            for joint in (" ", CROSSING)]


def _word_evidence(unit: Unit) -> list[Q.Query]:
    """Title matches, and the accented form typed or predicted."""
    share = _share(unit)
    clauses: list[Q.Query] = []
    for alt in unit.leaves():  # groups opened up: their words are evidence too
        if alt.weight < 1.0:
            continue  # no evidence for what the user did not type (synonyms)
        for word in alt.words:
            form = word.accented or word.predicted
            if not form:
                if unit.scope is None and alt.kind != "prefix":
                    clauses.append(Term("title_f", word.folded, boost=TITLE_BOOST * share))
                continue
            # A title with another word of the same letters (cần for cán) is
            # no title match: with an accented reading, title evidence is exact.
            clauses.append(Term("title_a", form, boost=READING_BOOST * TITLE_BOOST * share))
            if unit.scope is None:
                clauses.append(Term("accents", form, boost=READING_BOOST * share))
    return clauses


def prefix_limit(parsed: ParsedQuery) -> int:
    """Completions searched per prefix: all prefixes share ``MAX_PREFIX_TERMS``."""
    prefixes = sum(1 for u in parsed.units for a in u.leaves(True) if a.kind == "prefix")
    return max(1, min(MAX_PREFIX_EXPANSION, MAX_PREFIX_TERMS // max(1, prefixes)))


def prefix_notes(parsed: ParsedQuery, reader) -> list[str]:
    """A note naming the prefixes that have more completions than they were searched with."""
    limit, cut = prefix_limit(parsed), []
    for unit in parsed.units:
        for alt in unit.leaves(True):
            if alt.kind != "prefix" or reader is None:
                continue
            field = {"title": "title_f", "source": "source_f"}.get(alt.scope, MATCH_FIELD)
            prefix = alt.words[-1].folded
            if next(islice(reader.expand_prefix(field, prefix), limit, None), None) is not None:
                cut.append(f"{prefix}*")
    if not cut:
        return []
    return [f"{', '.join(cut)}: chỉ tìm {limit} từ thường gặp nhất bắt đầu như vậy"]


def build_query(parsed: ParsedQuery, reader=None) -> Q.Query | None:
    """Whoosh query for ``parsed``: any word may match, the evidence ranks.

    Returns None when nothing positive is left to search for.
    """
    limit = prefix_limit(parsed)
    units = parsed.positive
    if not units:
        return None
    required = [_unit_query(u, reader, limit) for u in units if _required(u)]
    optional: list[Q.Query] = []
    evidence: list[Q.Query] = []
    for unit in units:
        if _synonymous(unit):  # the typed words one by one, the synonyms one more way
            optional.append(_or([_unit_query(alt, reader, limit) for alt in unit.alternatives]))
    for unit in _opened(units):
        if _plain(unit):
            for clause in _word_terms(unit):
                # Only the folded syllables make candidates: a document with a
                # word's pair or exact form holds its syllables too.
                (optional if clause.fieldname == MATCH_FIELD else evidence).append(clause)
        elif not _required(unit):
            optional.append(_unit_query(unit, reader, limit))
    evidence += _pair_evidence(units)
    for unit in units:
        if unit.scope != "source":
            evidence += _word_evidence(unit)
    if required:
        query = Q.AndMaybe(_and(required), _or(optional + evidence)) \
            if optional or evidence else _and(required)
    else:
        query = Q.AndMaybe(_or(optional), _or(evidence)) if evidence else _or(optional)
    return _without(query, parsed, reader, limit)


def _synonymous(unit: Unit) -> bool:
    """A synonym expansion (:func:`indexer.searching.synonyms.expand`): typed words + synonyms."""
    return (unit.kind in ("group", "word") and unit.scope is None and not unit.negated
            and bool(unit.alternatives) and all(alt.weight < 1.0 for alt in unit.alternatives))


def _opened(units: list[Unit]) -> list[Unit]:
    """``units`` with each synonym expansion opened into its typed words: they count
    one by one, like any typed words (a document with some of them is a candidate,
    ranked by the evidence), not as one block that a synonym may replace."""
    out: list[Unit] = []
    for unit in units:
        if not _synonymous(unit):
            out.append(unit)
        elif unit.kind == "group":
            out += [m for m in unit.members if not m.negated]
        else:
            out.append(replace(unit, alternatives=[]))
    return out


def every_word_query(parsed: ParsedQuery, reader=None) -> Q.Query | None:
    """The documents that match every word: what ``total`` counts.

    A word the ranker grouped (``văn bản``) counts wherever its syllables occur:
    an unaccented query's segmentation can be wrong (``van | ban so``), and
    ranking already puts the documents where they form the word first. Words
    bound by an operator, phrases and groups count as they match.
    """
    limit = prefix_limit(parsed)
    parts = [_and([Term(MATCH_FIELD, w.folded) for w in unit.words]) if _plain(unit)
             else _unit_query(unit, reader, limit) for unit in parsed.positive]
    if not parts:
        return None
    return _without(_and(parts), parsed, reader, limit)


def _without(query: Q.Query, parsed: ParsedQuery, reader, limit: int) -> Q.Query:
    negative = [_unit_query(u, reader, limit) for u in parsed.units if u.negated]
    return AndNot(query, _or(negative)) if negative else query
