"""HTML pages: search, document and status. Thin: parse, call the library, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

import indexer

from . import get_index
from .formatting import mark_first, marked
from .params import parse_search_args, run_search

bp = Blueprint("views", __name__)


@dataclass(frozen=True)
class HitView:
    """A hit as the template sees it: library fragments already wrapped as ``Markup``."""

    id: str
    title_html: Markup
    snippet: Markup
    source: str | None
    date: datetime | None
    url: str | None
    copies: tuple[str, ...] = ()  # ids of identical copies collapsed into this hit
    copy_count: int = 0
    complete: bool = True  # False: holds only some of the query's words

    @classmethod
    def of(cls, hit: indexer.Hit) -> HitView:
        return cls(hit.id, marked(hit.title_html), marked(hit.snippet), hit.source, hit.date,
                   hit.url, tuple(hit.copies), hit.copy_count, hit.complete)


@bp.get("/")
@bp.get("/search")
def search():
    """``/search?q=&page=&source=&from=&to=&sort=``: forgiving parameters (see params.py)."""
    index = get_index()
    index.generation()  # no index yet: the 503 page says how to build one
    params = parse_search_args(request.args, current_app.config, strict=False)
    results = run_search(index, params)
    if results and results.page != params.page:  # past the last: the library's last page
        params.page = results.page
    hits = [HitView.of(hit) for hit in results.hits] if results else []
    notes = params.notes + (results.messages if results else [])
    state = params.state()
    if results and results.corrected_query:
        # the correction is shown with its link (p.corrected), not as a note, and a
        # document opened from here marks what was searched
        notes = [n for n in notes if not n.startswith("Đang hiển thị kết quả cho")]
        state["hl"] = results.corrected_query
    return render_template("search.html", q=params.q, params=params, results=results,
                           hits=hits, notes=notes, facets=results.facets if results else None,
                           state=state, page_url=_page_urls(params),
                           without=_without(params))


_PAGE = 987654321


def _page_urls(params) -> Callable[[int], str]:
    """``page_url(n)``: this search's link to page ``n``, filters kept.

    Built by one ``url_for`` and a substitution: a results page has up to eleven
    page links, and URL building was a tenth of the page's rendering time.
    """
    template = url_for("views.search", q=params.q, page=_PAGE, **params.view())
    return lambda n: template.replace(f"page={_PAGE}", f"page={int(n)}", 1)


def _without(params) -> Callable[[str, object], str]:
    """``without(name, value)``: this search's URL with one filter value removed (a chip's
    link), back to page 1."""
    def url(name: str, value) -> str:
        args = params.view()
        if isinstance(args.get(name), list):
            args[name] = [v for v in args[name] if str(v) != str(value)]
        else:
            args.pop(name, None)
        return url_for("views.search", q=params.q, **args)
    return url


def doc_url(doc_id: str, **args) -> str:
    """The page of a document: ``/doc/<id>``, or ``/doc?id=`` for an id a path cannot
    carry (a leading or doubled ``/`` is merged away, and browsers resolve ``.`` and
    ``..`` segments, even percent-encoded, before asking)."""
    segments = doc_id.split("/")
    if doc_id.startswith("/") or "" in segments or {".", ".."} & {
            s.lower().replace("%2e", ".") for s in segments}:
        return url_for("views.doc_by_id", id=doc_id, **args)
    return url_for("views.doc", doc_id=doc_id, **args)


@bp.get("/doc")
def doc_by_id():
    """:func:`doc` for the ids :func:`doc_url` puts in the query string."""
    return doc(request.args.get("id", ""))


@bp.get("/doc/<path:doc_id>")
def doc(doc_id: str):
    """One document, the matches of ``q`` marked, the first one ``#first-match``; the
    search's other arguments (page, filters, sort) ride along for the way back."""
    params = parse_search_args(request.args, current_app.config, strict=False)
    q = params.q
    # hl: the query the results page searched for q (Telex decoded, a typo fixed)
    view = indexer.document(get_index(), doc_id, request.args.get("hl", "")[:1000] or q)
    if view is None:
        abort(404, description="Không có văn bản nào với mã này. Có thể nó đã bị xoá "
                               "khỏi kho hoặc đường dẫn bị sai.")
    body_html = mark_first(view.body_html)
    return render_template(
        "doc.html", q=q, doc=view, title_html=marked(view.title_html), body_html=body_html,
        has_match='id="first-match"' in body_html, back_args=params.state(),
        link_url=(view.url or "").lower().startswith(("http://", "https://")),
    )


@bp.get("/trang-thai")
def status():
    """The index itself: documents, sources, size, last reindex and what it skipped."""
    stats = indexer.stats(get_index())
    report = stats.last_report or {}
    return render_template("status.html", stats=stats, report=report,
                           problems=report.get("problems") or [])
