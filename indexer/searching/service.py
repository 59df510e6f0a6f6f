"""Query -> ranked, highlighted :class:`Results`: the one search API for CLI and web.

Every search runs within a time budget (:mod:`indexer.searching.budget`): ranking or
sorting stops at :data:`~indexer.searching.budget.SEARCH_SHARE` of it, snippets at the
end of it, and the answer is then the best found so far, ``timed_out``.
"""

from __future__ import annotations

import time
from dataclasses import replace

from whoosh import query as Q
from whoosh.util.times import datetime_to_long

from indexer.searching import didyoumean, forgiving
from indexer.searching import facets as F
from indexer.searching.arguments import (
    MAX_PAGE,
    MAX_PER_PAGE,
    SORT_ALIASES,
    SORTS,
    as_datetime,
    as_list,
    clamp,
)
from indexer.searching.budget import (
    SEARCH_SHARE,
    Deadline,
    default_budget,
    query_scope,
    seconds_or_none,
)
from indexer.searching.duplicates import MAX_LISTED, CopyIndex
from indexer.searching.engine import SearchIndex, reads_index
from indexer.searching.highlight import Terms, highlight_all, lead, mark, snippet
from indexer.searching.matching import every_word_query, prefix_notes
from indexer.searching.paging import Every, Scope, collapsed, filter_query
from indexer.searching.planner import build_query
from indexer.searching.query import ParsedQuery, add_predictions, parse
from indexer.searching.references import references
from indexer.searching.rescore import query_words
from indexer.searching.results import Hit, Results, ResultsDraft
from indexer.searching.sourcenames import query_runs
from indexer.searching.synonyms import Synonyms, expand_indexed
from indexer.searching.topdocs import matches
from indexer.text.numbers import vn_number
from indexer.text.words import lexicon


@reads_index
def search(index: SearchIndex, query: str, page: int = 1, per_page: int = 10,
           source: str | list[str] | None = None, date_from=None, date_to=None,
           sort: str = "relevance", suggest: bool = True, years: list[int] | None = None,
           facets: bool = False, budget: float | None = None, exact: bool = False) -> Results:
    """Search ``index``; any input is accepted and answered, never raised on.

    ``source``: one source name or several (any of them); ``years``: any of these
    years; ``sort``: relevance, newest or oldest (undated documents last in both);
    ``facets``: also count the matches by source and year (:mod:`indexer.searching.facets`);
    ``budget``: seconds this search may take (None: ``VNSEARCH_QUERY_BUDGET_MS`` or
    2 s; 0: no limit), past which the answer is the best found so far, with
    ``timed_out`` set and a message. Unless ``exact``, Telex/VNI typing and typos are
    forgiven (:mod:`indexer.searching.forgiving`: the corrected query is searched instead).
    """
    options = dict(page=page, per_page=per_page, source=source, date_from=date_from,
                   date_to=date_to, sort=sort, suggest=suggest, years=years, facets=facets,
                   budget=budget)
    results = _typed(index, query, **options) if exact else forgiving.search(
        _typed, index, query, **options)
    if not results.hits and results.candidates and results.page > results.pages:
        # past the last page (an old link, a typed number): the last page, said so
        last = search(index, query, **{**options, "page": results.pages}, exact=exact)
        return replace(last, hits=list(last.hits), messages=[
            f"chỉ có {vn_number(results.pages)} trang kết quả; đây là trang cuối",
            *last.messages])
    return results


def _typed(index: SearchIndex, query: str, page: int = 1, per_page: int = 10,
           source: str | list[str] | None = None, date_from=None, date_to=None,
           sort: str = "relevance", suggest: bool = True, years: list[int] | None = None,
           facets: bool = False, budget: float | None = None) -> Results:
    """The query as typed (synonyms and spelling variants are part of matching)."""
    started = time.perf_counter()
    budget = default_budget() if budget is None else seconds_or_none(budget)
    page = clamp(page, 1, MAX_PAGE, 1)
    per_page = clamp(per_page, 1, MAX_PER_PAGE, 10)
    sort = SORT_ALIASES.get(sort, sort)
    sort = sort if sort in SORTS else "relevance"
    sources = tuple(sorted({str(name) for name in as_list(source)}))
    year_list = tuple(sorted({y for y in (clamp(v, 1, 9999, 0) for v in as_list(years)) if y}))
    start, end = as_datetime(date_from), as_datetime(date_to, end=True)
    synonyms = index.synonyms()  # once: the key and the expansion use the same table
    key = (index.data_version(), synonyms.version, query, page, per_page, sources,
           year_list, start, end, sort, suggest, facets, date_from if start is None else None,
           date_to if end is None else None, budget)
    cached = index.results_cache.get(key)
    if cached is not None:
        return cached
    # One-time loads are not this query's work: the word list (once per process) and the
    # commit's accent model (once per commit) took 0.5-2 s, and inside the budget a cold
    # process's first query timed out with no hits at all.
    lexicon()
    index.model()
    results = ResultsDraft(query=query or "", page=page, per_page=per_page,
                           facets=F.Facets() if facets else None)
    if (date_from and start is None) or (date_to and end is None):
        results.messages.append("ngày không hợp lệ đã bị bỏ qua (dùng dạng YYYY-MM-DD)")
    if start and end and start > end:
        start, end = end, start
        results.messages.append("khoảng ngày bị đảo ngược đã được sửa lại")
    selection = F.Selection(frozenset(sources), frozenset(year_list),
                            datetime_to_long(start) if start else None,
                            datetime_to_long(end) if end else None)
    with query_scope() as ticket:
        deadline = Deadline.after(budget * SEARCH_SHARE if budget else None, ticket)
        final = Deadline.after(budget, ticket)
        _search(index, results, filter_query(sources, year_list, start, end), selection,
                sort, suggest, deadline, final, synonyms)
    results.timed_out = deadline.hit or final.hit
    if ticket.busy:
        results.messages.append(
            "Máy chủ đang bận với các tìm kiếm nặng khác nên đã dừng sớm: đây là những kết "
            "quả tìm được đến lúc đó; hãy thử lại sau.")
    elif results.timed_out:
        results.messages.append(
            f"Tìm kiếm đã dừng ở giới hạn thời gian ({budget:g} giây): đây là những kết quả "
            "tốt nhất tìm được đến lúc đó; tổng số và thứ tự có thể chưa đầy đủ.")
    results.took_ms = (time.perf_counter() - started) * 1000
    answer = results.freeze()
    if not answer.timed_out:  # a retry, on a less busy server, may do better
        index.results_cache.put(key, answer)
    return answer


def _search(index: SearchIndex, results: ResultsDraft, filter_q: Q.Query | None,
            selection: F.Selection, sort: str, suggest: bool, deadline: Deadline,
            final: Deadline, synonyms: Synonyms) -> None:
    """Fill ``results``: ranking until ``deadline``, snippets until ``final``."""
    query = results.query
    parsed = parse(query)
    restored = didyoumean.restored_query(index, query, parsed)
    if restored:
        add_predictions(parsed, parse(restored))
    searcher = index.searcher()
    reader = searcher.reader()
    parsed.units = expand_indexed(parsed.units, synonyms, reader)
    whoosh_q = build_query(parsed, searcher.reader())
    results.messages[:0] = parsed.notes + prefix_notes(parsed, searcher.reader())
    if whoosh_q is None:
        if parsed.units:
            results.messages.append("hãy thêm một từ cần tìm (không chỉ từ bị loại trừ)")
        return
    if deadline.ticket is not None:
        deadline.ticket.expect(_postings(searcher, whoosh_q))
    scope = Scope.of(searcher, filter_q, selection, query_words(parsed), query_runs(parsed),
                     references(parsed))
    page, per_page = results.page, results.per_page
    copies = CopyIndex(searcher)
    hits = collapsed(copies, searcher, whoosh_q, page, per_page, scope, sort, deadline)
    results.candidates = results.total = hits.total
    results.copies_hidden = len(hits.hidden)
    every_q = every_word_query(parsed, searcher.reader())
    every: Every | None = None
    every_matched = None
    if every_q is not None and _one_unit(parsed):
        pass  # one word, phrase or prefix: holding it is matching it (total as counted)
    elif every_q is not None and not deadline.expired():
        # Candidates hold any word; the total counts those holding every word,
        # and so do the facets (each count is the total its filter gives).
        every_matched = matches(searcher, every_q, scope.deleted, deadline)
        every = Every(F.kept(every_matched, scope.selection))
        results.total = every.count
        results.partial = any(group.docnum not in every for group in hits.items)
    elif every_q is not None:  # out of time: which hits hold every word is not known
        results.partial = len(parsed.positive) > 1
    if results.facets is not None:
        # (no document holds every word: the partial matches shown are counted)
        counted = every_matched if every_matched is not None and results.total else hits.matched
        results.facets = F.count(counted, selection)
    terms = Terms(*parsed.highlight_terms())
    # a copy is listed only if it matches too: identical text may differ in line breaks,
    # which a phrase does not cross
    candidates = Every([(offset, docs) for _, offset, docs in hits.matched]) \
        if hits.matched else None
    for group in hits.items:
        docnum, score = group.docnum, group.score
        others = copies.copies(group.key, docnum, scope.allowed, scope.deleted)
        if candidates is not None:
            others = [d for d in others if d in candidates]
        stored = searcher.stored_fields(docnum)
        title, body = stored.get("title", ""), stored.get("body", "")
        if final.expired():  # out of time: the hit unmarked, its text's beginning
            title_html, snippet_html = mark(title, []), lead(body)
        else:
            title_html, snippet_html = highlight_all(title, terms), snippet(body, terms)
        results.hits.append(Hit(
            id=stored["id"], title=title, url=stored.get("url"), source=stored.get("source"),
            date=stored.get("date"), score=score, title_html=title_html, snippet=snippet_html,
            path=stored.get("path", ""), copy_count=len(others),
            copies=[searcher.stored_fields(d)["id"] for d in others[:MAX_LISTED]],
            complete=every is None or docnum in every,
        ))
    if deadline.hit or final.hit:
        return
    if suggest and restored:
        results.suggestion = didyoumean.suggestion(index, searcher, query, restored, results,
                                                   scope, final)


def _one_unit(parsed: ParsedQuery) -> bool:
    """A query of one single-syllable word, one phrase or one prefix (no operators, no
    synonyms): its candidates are exactly the documents holding all of it."""
    units = parsed.positive
    if len(units) != 1 or len(units) != len(parsed.units):
        return False
    unit = units[0]
    return (not unit.alternatives and unit.scope is None
            and (unit.kind in ("phrase", "prefix") or (unit.kind == "word" and len(unit.words) == 1
                                                       and not unit.words[0].parts)))



def _postings(searcher, query: Q.Query) -> int:
    """The size of a query's posting lists, phrase words four times (their positions
    are read): what its evaluation will cost, roughly, known before it starts."""
    if isinstance(query, Q.Phrase):
        return 4 * sum(searcher.doc_frequency(query.fieldname, w) for w in query.words)
    if isinstance(query, Q.Term):
        return searcher.doc_frequency(query.fieldname, query.text)
    return sum(_postings(searcher, child) for child in query.children())
