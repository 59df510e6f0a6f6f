"""A :class:`ParsedQuery` -> a Whoosh query, and the scoring model.

Matching runs on one field, ``all_f`` (folded title + body): every unit of
the query is a plain term (or phrase) that must occur there, so Whoosh
intersects posting lists and skips, instead of unioning per-field lists.
Everything else is *evidence*, optional clauses that only add score to
documents that already match:

* title matches weigh more (``TITLE_BOOST``): ``title_a`` for a word with an
  accented reading (typed, or predicted), ``title_f`` for the others;
* ``pairs``: adjacent syllables of the query adjacent in the document
  (``can bo`` -> *cán bộ*, not *cán … bộ*);
* ``title_a``/``accents``: the exact accented form the user typed (``Đảng``
  beats *đang*), or, weaker, the form the accent model predicts for an
  unmarked word (``dang`` in ``can bo dang vien`` -> *đảng*).

The score is BM25 per field, summed (Whoosh's BM25F), with field lengths
read from a per-segment array instead of a column look-up per posting.
"""

from __future__ import annotations

from itertools import islice

from whoosh import matching
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

from .query import MAX_PREFIX_EXPANSION, MAX_PREFIX_TERMS, ParsedQuery, Unit, Word

MATCH_FIELD = "all_f"
TITLE_BOOST = 3.0
PAIR_BOOST = 0.6
ACCENT_BOOST = 2.0
PRIOR_BOOST = 1.5
FOLDED_WITH_READING = 0.5


_BYTE_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]


def _lengths(searcher, fieldname: str) -> list[int | None]:
    """Every document's length in ``fieldname`` (as Whoosh's ``doc_field_length``
    gives it), cached on the segment reader.

    Whoosh keeps lengths as one byte per document in a column: read the bytes
    in one go and decode them through a table, instead of a column look-up per
    document (a second or so per field for the first query on a 100k index).
    """
    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_vnsearch_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        count = reader.doc_count_all()
        column = _length_column(reader, fieldname)
        if column is not None:
            raw = column._dbfile.get(column._basepos, min(column._count, count))
            lengths = [_BYTE_LENGTHS[b] for b in raw] + [None] * (count - len(raw))
        else:
            dfl = reader.doc_field_length
            lengths = [dfl(docnum, fieldname, 1) for docnum in range(count)]
        cache[fieldname] = lengths
    return lengths


def _length_column(reader, fieldname: str):
    """The raw one-byte-per-document length column of a W3 segment, or None."""
    perdoc = getattr(reader, "_perdoc", None)
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except (AttributeError, KeyError, TypeError):
        return None
    if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", 0) != 1:
        return None
    return column


class _ArrayLengthScorer(BM25FScorer):
    def setup(self, searcher, fieldname, text):
        lengths = _lengths(searcher, fieldname)
        super().setup(searcher, fieldname, text)
        self.dfl = lengths.__getitem__

    def _score(self, weight, length):
        # qf carries the query term's boost (see Term below): scaling here
        # avoids a wrapping matcher around every posting list.
        return super()._score(weight, length) * self.qf


class Bm25f(BM25F):
    """Whoosh's BM25F with array-backed field lengths (the hot path of scoring)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        B = self._field_B.get(fieldname, self.B)
        return _ArrayLengthScorer(searcher, fieldname, text, B, self.K1, qf=qf)


def deleted_docs(searcher) -> set[int]:
    """Deleted (updated or removed, not yet merged away) documents, as global numbers."""
    if searcher.is_atomic():
        return set(getattr(searcher.reader(), "deleted_docs_set", ()))
    return {offset + docnum for sub, offset in searcher.subsearchers
            for docnum in getattr(sub.reader(), "deleted_docs_set", ())}


def _postings(searcher, fieldname: str, btext: bytes, weighting, qf: float):
    """``Searcher.postings`` without its per-posting filter of deleted documents.

    After an incremental reindex a segment has deletions, and Whoosh then
    wraps every posting list in a Python filter: that doubled query time on
    a 100k index. Search drops deleted documents once, in the collector.
    """
    fmt = searcher.schema[fieldname].format
    if searcher.is_atomic():
        scorer = weighting.scorer(searcher, fieldname, btext, qf=qf)
        return searcher.reader()._terms.matcher(fieldname, btext, fmt, scorer=scorer)
    matchers, offsets = [], []
    for sub, offset in searcher.subsearchers:
        reader = sub.reader()
        if (fieldname, btext) in reader:
            scorer = weighting.scorer(sub, fieldname, btext, qf=qf)
            matchers.append(reader._terms.matcher(fieldname, btext, fmt, scorer=scorer))
            offsets.append(offset)
    return matching.MultiMatcher(matchers, offsets,
                                 weighting.scorer(searcher, fieldname, btext, qf=qf))


class Term(Q.Term):
    """A term query for :func:`indexer.search.search`'s collector.

    Its boost is applied by the scorer (``qf``), not by a ``WrappingMatcher``,
    and its postings are not filtered for deletions (see :func:`_postings`):
    on the hot path, where intersections skip through every posting list,
    each extra Python layer per call costs more than the scoring itself. Only
    valid with a collector that removes :func:`deleted_docs`.
    """

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        try:
            text = searcher.schema[self.fieldname].to_bytes(self.text)
        except ValueError:
            return matching.NullMatcher()
        if (self.fieldname, text) not in searcher.reader():
            return matching.NullMatcher()
        weighting = (context.weighting if context else None) or searcher.weighting
        return _postings(searcher, self.fieldname, text, weighting, self.boost)


class _AndNotMatcher(matching.AndNotMatcher):
    """Whoosh's AndNotMatcher, except that the first document is checked too.

    whoosh-reloaded 2.7.5 only skips the prohibited list to the first
    candidate when both lists start on the same document: a prohibited list
    starting earlier let the first candidate through (``thua ke -di chuc``
    returned an article saying "di chúc").
    """

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class AndNot(Q.AndNot):
    """``a`` without ``b``, with :class:`_AndNotMatcher` (also for sorting by date)."""

    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


WEIGHTING = Bm25f(B=0.75, K1=1.2, title_f_B=1.0, title_a_B=1.0)
"""Titles are fully length-normalised: a title that *is* the query beats a
longer title that merely contains it."""


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
    """The query language's compound units (see :mod:`indexer.querylang`).

    A dictionary word given as an operand (``hình sự`` in ``-hình sự``) matches as
    the phrase of its syllables; a group matches all its positive members and
    none of its negated ones.
    """
    if unit.kind != "group":
        return Q.Phrase(field, [w.folded for w in unit.words])
    wanted = [_unit_query(m, reader, prefix_limit) for m in unit.members if not m.negated]
    unwanted = [_unit_query(m, reader, prefix_limit) for m in unit.members if m.negated]
    if not wanted:
        return Q.NullQuery
    query = _and(wanted)
    return AndNot(query, _or(unwanted)) if unwanted else query


def _pair_evidence(units: list[Unit]) -> list[Q.Query]:
    clauses = []
    for a, b in zip(units, units[1:], strict=False):
        if a.kind == b.kind == "word" and a.scope is None and b.scope is None \
                and not (a.alternatives or b.alternatives):
            left, right = a.words[-1], b.words[0]
            if not (left.parts or right.parts):
                clauses.append(Term("pairs", f"{left.folded} {right.folded}", boost=PAIR_BOOST))
    for unit in units:
        if unit.kind == "group":  # brackets, or what a synonym was typed as
            clauses += _pair_evidence([m for m in unit.members if not m.negated])
        if unit.kind == "phrase" and unit.scope is None:
            folds = [w.folded for w in unit.words]
            clauses += [Term("pairs", f"{x} {y}", boost=PAIR_BOOST)
                        for x, y in zip(folds, folds[1:], strict=False)]
    return clauses


def _word_evidence(unit: Unit) -> list[Q.Query]:
    clauses: list[Q.Query] = []
    for alt in unit.leaves():  # groups opened up: their words are evidence too
        if alt.weight < 1.0:
            continue  # no evidence for what the user did not type (synonyms)
        for word in alt.words:
            form = word.accented or word.predicted
            if not form:
                if unit.scope is None and alt.kind != "prefix":
                    clauses.append(Term("title_f", word.folded, boost=TITLE_BOOST))
                continue
            # A title with another word of the same letters (cần for cán) is
            # no title match: with an accented reading, title evidence is exact.
            weight = ACCENT_BOOST if word.accented else PRIOR_BOOST
            clauses.append(Term("title_a", form, boost=weight * TITLE_BOOST))
            if unit.scope is None:
                clauses.append(Term("accents", form, boost=weight))
    return clauses


def _evidence(parsed: ParsedQuery) -> list[Q.Query]:
    """Optional clauses: title, adjacent pairs and accents add score, never filter."""
    units = parsed.positive
    clauses = _pair_evidence(units)
    for unit in units:
        if unit.scope != "source":
            clauses += _word_evidence(unit)
    return clauses


def build_query(parsed: ParsedQuery, reader=None, relaxed: bool = False) -> Q.Query | None:
    """Whoosh query for ``parsed``: all units required, or any of them if ``relaxed``.

    Returns None when nothing positive is left to search for.
    """
    limit = prefix_limit(parsed)
    positive = [_unit_query(u, reader, limit) for u in parsed.positive]
    if not positive:
        return None
    required = _or(positive) if relaxed else _and(positive)
    evidence = _evidence(parsed)
    query = Q.AndMaybe(required, _or(evidence)) if evidence else required
    negative = [_unit_query(u, reader, limit) for u in parsed.units if u.negated]
    if negative:
        query = AndNot(query, _or(negative))
    return query


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
