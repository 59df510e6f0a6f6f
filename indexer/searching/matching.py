"""Which documents a query unit matches: the Boolean half of the query plan.

A :class:`~indexer.searching.query.Unit` (a word, a dictionary word, a phrase, a
prefix, a bracketed group, ``title:``/``source:`` terms, ``OR``'ed alternatives)
becomes a Whoosh query that matches exactly the documents holding it; negated
units exclude (:func:`without`), and :func:`every_word_query` is what ``total``
counts. How matching documents are *ranked* is :mod:`indexer.searching.planner`'s
business; the clauses here carry only the boosts of units the ranking cannot
score term by term (phrases, prefixes, groups, synonyms).
"""

from __future__ import annotations

from itertools import islice

from whoosh import query as Q

from indexer.searching import weights as W
from indexer.searching.query import MAX_PREFIX_EXPANSION, MAX_PREFIX_TERMS, ParsedQuery, Unit, Word
from indexer.searching.sourcenames import scattered
from indexer.text.variants import accented_spellings
from indexer.text.words import CROSSING
from indexer.whoosh_ext.bm25 import AndNot, Term

MATCH_FIELD = "all_f"
"""The folded text of title, body and byline: every match, phrase and prefix runs here."""


def or_(clauses: list[Q.Query]) -> Q.Query:
    """An Or that streams (binary union tree) instead of preloading every posting."""
    if len(clauses) == 1:
        return clauses[0]
    query = Q.Or(clauses)
    query.matcher_type = Q.Or.DEFAULT_MATCHER
    return query


def and_(clauses: list[Q.Query]) -> Q.Query:
    return clauses[0] if len(clauses) == 1 else Q.And(clauses)


def plain(unit: Unit) -> bool:
    """A word (one syllable or a dictionary word of several) scored term by term."""
    return (unit.kind == "word" and unit.scope is None and not unit.alternatives
            and not any(w.parts for w in unit.words))


PARTS_SLOP = 2
"""An identifier's parts may stand one position apart: ``kinh tế-xã hội`` is mostly
written ``kinh tế - xã hội``, where the spaced dash ends a run (a phrase break, one
position) and the whole ``tế-xã`` is not a term."""


def _word_query(word: Word, field: str) -> Q.Query:
    # With an accented reading, the folded match only says "same letters":
    # part of its weight moves to the exact-accent evidence.
    term = Term(field, word.folded, boost=W.folded_share(word))
    if word.parts and field != "source_f":
        return or_([term, Q.Phrase(field, list(word.parts), slop=PARTS_SLOP)])
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
    return or_(clauses) if clauses else Q.NullQuery


def unit_query(unit: Unit, reader, prefix_limit: int = MAX_PREFIX_EXPANSION,
               exact: bool = False) -> Q.Query:
    """The documents holding ``unit`` (its alternatives included).

    ``exact``: its words typed with marks match only in those forms, as a quoted
    phrase's always do. An exclusion is exact: ``lửa -lúa`` drops the documents
    with *lúa*, not those with *lửa* (same letters folded).
    """
    field = {"title": "title_f", "source": "source_f"}.get(unit.scope, MATCH_FIELD)
    marks = exact  # this unit's own: a phrase's marks are asked for, not its OR's others'
    if unit.kind == "group" or (unit.kind == "word" and len(unit.words) > 1):
        query = _grammar_query(unit, field, reader, prefix_limit, exact)
    elif unit.kind == "phrase" and unit.scope != "source":
        query = Q.Phrase(field, unit.folds())
        marks = True
    else:
        words = unit.words[:-1] if unit.kind == "prefix" else unit.words
        parts = [_word_query(w, field) for w in words]
        if unit.kind == "prefix":
            parts.append(_prefix_query(unit.words[-1].folded, field, reader, prefix_limit))
        query = and_(parts)
    if marks and unit.kind != "group" and unit.scope != "source":
        forms = _exact_forms(unit, "title_a" if unit.scope == "title" else "accents")
        if forms and query is not Q.NullQuery:
            query = and_([query, *forms])
    if unit.scope == "source" and unit.kind != "group" and query is not Q.NullQuery:
        others = scattered(reader, unit)  # the words in the name, but not in a row
        if others:
            query = AndNot(query, or_([Term("source", name) for name in others]))
    if unit.weight != 1.0 and query is not Q.NullQuery:
        query.boost *= unit.weight  # a synonym expansion: below what was typed
    if unit.alternatives:
        query = or_([query, *(unit_query(alt, reader, prefix_limit, exact)
                              for alt in unit.alternatives)])
    return query


def _exact_forms(unit: Unit, field: str) -> list[Q.Query]:
    """One clause per word typed with marks: the document holds that form (i/y spelling
    aside: ``kỹ`` is ``kĩ``); none for the prefix being typed."""
    words = unit.words[:-1] if unit.kind == "prefix" else unit.words
    return [or_([Term(field, form, boost=0.0) for form in accented_spellings(w.accented)])
            for w in words if w.accented and not w.parts]


def _grammar_query(unit: Unit, field: str, reader, prefix_limit: int,
                   exact: bool = False) -> Q.Query:
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
            return and_([or_([Term("pairs", f"{x} {y}"), Term("pairs", f"{x}{CROSSING}{y}")])
                         for x, y in zip(folds, folds[1:], strict=False)])
        if field == "source_f":  # source names keep no positions: their syllables
            return and_([Term(field, f) for f in folds])
        return Q.Phrase(field, folds)
    wanted = [unit_query(m, reader, prefix_limit, exact) for m in unit.members
              if not m.negated]
    unwanted = [unit_query(m, reader, prefix_limit, True) for m in unit.members if m.negated]
    if not wanted:
        return Q.NullQuery
    query = and_(wanted)
    return AndNot(query, or_(unwanted)) if unwanted else query


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


def every_word_query(parsed: ParsedQuery, reader=None) -> Q.Query | None:
    """The documents that match every word: what ``total`` counts.

    A word the ranker grouped (``văn bản``) counts wherever its syllables occur:
    an unaccented query's segmentation can be wrong (``van | ban so``), and
    ranking already puts the documents where they form the word first. Words
    bound by an operator, phrases and groups count as they match.
    """
    limit = prefix_limit(parsed)
    parts = [and_([Term(MATCH_FIELD, w.folded) for w in unit.words]) if plain(unit)
             else unit_query(unit, reader, limit) for unit in parsed.positive]
    if not parts:
        return None
    return without(and_(parts), parsed, reader, limit)


def without(query: Q.Query, parsed: ParsedQuery, reader, limit: int) -> Q.Query:
    """``query`` minus the documents holding any negated unit."""
    negative = [unit_query(u, reader, limit, exact=True) for u in parsed.units if u.negated]
    return AndNot(query, or_(negative)) if negative else query
