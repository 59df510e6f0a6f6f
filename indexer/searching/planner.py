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
  ``FOLDED_WITH_TYPED`` (typed) or ``FOLDED_WITH_READING`` (predicted) of its
  weight and coverage, the exact form the rest. A form the user typed, held
  exactly, also adds idf x ``ACCENT_TIER`` x (``K1`` + 1), so a document with
  *vướng* comes before every document with only *vuông*, all else equal;
* **the lead**: query words and adjacent pairs in the first syllables of the
  text (``lead``, ``LEAD_BOOST``, ``LEAD_PAIR_BOOST``), where a document says
  what it is about.

The top of the ranking is then rescored by how close each title is to the
whole query (:mod:`indexer.searching.rescore`).

A quoted phrase is one unit (matching only where its words are adjacent, in
one sentence); ``title:``/``source:`` terms are constraints the user typed:
they stay required. Which documents a unit matches is
:mod:`indexer.searching.matching`; the parameters are
:mod:`indexer.searching.weights` (documented in the README, "Ranking
parameters"), tuned with cross-validation and the same for every corpus.
"""

from __future__ import annotations

from dataclasses import replace

from whoosh import query as Q

from indexer.searching import weights as W
from indexer.searching.matching import (
    MATCH_FIELD,
    and_,
    or_,
    plain,
    prefix_limit,
    unit_query,
    without,
)
from indexer.searching.query import ParsedQuery, Unit
from indexer.searching.questions import question_units
from indexer.text.variants import accented_spellings
from indexer.text.words import CROSSING
from indexer.whoosh_ext.bm25 import Coverage, Term


def _required(unit: Unit) -> bool:
    """Constraints the user spelt out: ``title:``/``source:`` terms."""
    return unit.scope is not None


def _share(unit: Unit) -> float:
    """The weight a syllable's own evidence keeps inside a word of several."""
    return W.SYLLABLE_SHARE if plain(unit) and len(unit.words) > 1 else 1.0


def _word_terms(unit: Unit) -> list[Q.Query]:
    """BM25 in the folded text, coverage, and the exact form a typed accent asks for.

    In a word of several syllables each syllable keeps ``SYLLABLE_SHARE`` of
    its evidence; the rest goes to the word itself (its syllables forming that
    word in the document): *biển … giới* is not *biên giới*.
    """
    share = _share(unit)
    clauses: list[Q.Query] = []
    # The word itself (its syllables together, ``pairs``) is folded evidence: *lừa trại*
    # holds the pair of ``lửa trại``. With marks typed it keeps the folded share only:
    # the exact forms score apart (``accents``), as for a word of one syllable.
    whole = W.COVERAGE * (1.0 - share) * len(unit.words)
    sure = min(map(_pair_share, unit.words)) if share < 1.0 else 1.0
    for word in unit.words:
        folded = W.folded_share(word)
        clauses.append(Term(MATCH_FIELD, word.folded, boost=folded * share))
        form = word.accented or word.predicted
        if form:
            # A folded-only match is part of a match; the exact form brings the
            # rest, plus the accent tier when the user typed it.
            clauses.append(Coverage(MATCH_FIELD, word.folded,
                                    boost=W.COVERAGE * folded * share))
            # The tier is per syllable typed: each form held exactly counts in full,
            # inside a word of several too (*lửa … trại* above *lừa trại*).
            tier = W.ACCENT_TIER * (W.K1 + 1) if word.accented else 0.0
            clauses += [Coverage("accents", spelling, boost=share * W.COVERAGE * (1 - folded)
                                 + tier) for spelling in accented_spellings(form)]
        else:
            clauses.append(Coverage(MATCH_FIELD, word.folded, boost=W.COVERAGE * share))
        clauses.append(Term("lead", word.folded, boost=W.LEAD_BOOST * share))
    folds = [w.folded for w in unit.words]
    pairs = [f"{x} {y}" for x, y in zip(folds, folds[1:], strict=False)]
    for pair in pairs:
        clauses.append(Term("pairs", pair, boost=W.WORD_BOOST))
        clauses.append(Term("lead", pair, boost=W.LEAD_PAIR_BOOST))
        if share < 1.0:
            clauses.append(Coverage("pairs", pair, boost=whole * sure / len(pairs)))
    return clauses


def _pair_share(word) -> float:
    """The share of a word's pair evidence that stays folded (see :func:`_word_terms`)."""
    return W.FOLDED_WITH_TYPED if word.accented else 1.0


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
                # as unquoted: syllables forming one word beat a straddle
                # (thị trường, not thành thị | trường học)
                clauses.append(Term("pairs", f"{x} {y}", boost=W.WORD_BOOST))
    return clauses


def _adjacent(x: str, y: str) -> list[Q.Query]:
    """``x`` next to ``y``, within one word of the document or across two."""
    return [Term(field, f"{x}{joint}{y}", boost=boost)
            for field, boost in (("pairs", W.PAIR_BOOST), ("lead", W.LEAD_PAIR_BOOST))
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
                    # a number in a title names the document (Điều 123, Nghị định 30)
                    number = W.NUMBER_TITLE_BOOST if word.folded.isdigit() else 0.0
                    clauses.append(Term("title_f", word.folded,
                                        boost=(W.TITLE_BOOST + number) * share))
                continue
            # A title with another word of the same letters (cần for cán) is
            # no title match: with an accented reading, title evidence is exact.
            for spelling in accented_spellings(form):  # kỹ is kĩ
                clauses.append(Term("title_a", spelling,
                                    boost=W.READING_BOOST * W.TITLE_BOOST * share))
            if unit.scope is None:  # (the spelling typed first, all else equal)
                clauses.append(Term("accents", form, boost=W.READING_BOOST * share))
    return clauses


def _source_evidence(unit: Unit) -> list[Q.Query]:
    """Query words in the document's source name (``source_f``): a code, a site or a
    product named in the query (``BLTTDS thời hạn kháng cáo``, ``Điều 35 BLLĐ``) ranks
    that source's documents first, without making it a filter (``source:`` is one). A
    synonym's forms count too (BLLĐ is *Bộ luật Lao động* in the source name)."""
    return [Term("source_f", word.folded, boost=W.SOURCE_BOOST * min(1.0, 2 * alt.weight))
            for alt in unit.leaves()
            for word in (alt.words[:-1] if alt.kind == "prefix" else alt.words)]


def build_query(parsed: ParsedQuery, reader=None) -> Q.Query | None:
    """Whoosh query for ``parsed``: any word may match, the evidence ranks.

    Returns None when nothing positive is left to search for.
    """
    limit = prefix_limit(parsed)
    units = parsed.positive
    if not units:
        return None
    required = [unit_query(u, reader, limit) for u in units if _required(u)]
    optional: list[Q.Query] = []
    evidence: list[Q.Query] = []
    for unit in units:
        if _synonymous(unit):  # the typed words one by one, the synonyms one more way
            optional.append(or_([unit_query(alt, reader, limit) for alt in unit.alternatives]))
    asking = {id(units[i]) for i in question_units(units)}
    for unit in _opened(units):
        if plain(unit):
            for clause in _word_terms(unit):
                if id(unit) in asking:  # a question word says little of the topic
                    clause.boost *= W.QUESTION_WEIGHT
                # Only the folded syllables make candidates: a document with a
                # word's pair or exact form holds its syllables too.
                (optional if clause.fieldname == MATCH_FIELD else evidence).append(clause)
        elif not _required(unit):
            optional.append(unit_query(unit, reader, limit))
    evidence += _pair_evidence(units)
    for unit in units:
        clauses = (_word_evidence(unit) if unit.scope != "source" else []) + (
            _source_evidence(unit) if unit.scope is None else [])
        if id(unit) in asking:
            for clause in clauses:
                clause.boost *= W.QUESTION_WEIGHT
        evidence += clauses
    if required:
        query = Q.AndMaybe(and_(required), or_(optional + evidence)) \
            if optional or evidence else and_(required)
    else:
        query = Q.AndMaybe(or_(optional), or_(evidence)) if evidence else or_(optional)
    return without(query, parsed, reader, limit)


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


