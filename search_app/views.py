"""HTML pages: the search page and the document page. Thin: parse, call the library, render."""

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

    @classmethod
    def of(cls, hit: indexer.Hit) -> HitView:
        return cls(hit.id, marked(hit.title_html), marked(hit.snippet), hit.source, hit.date,
                   hit.url)


@bp.get("/")
@bp.get("/search")
def search():
    """``/search?q=&page=&source=&from=&to=&sort=``: forgiving parameters (see params.py)."""
    index = get_index()
    params = parse_search_args(request.args, current_app.config, strict=False)
    results = run_search(index, params)
    hits = [HitView.of(hit) for hit in results.hits] if results else []
    return render_template("search.html", q=params.q, params=params, results=results,
                           hits=hits, sources=indexer.sources(index),
                           page_url=_page_urls(params))


_PAGE = 987654321


def _page_urls(params) -> Callable[[int], str]:
    """``page_url(n)``: this search's link to page ``n``, filters kept.

    Built by one ``url_for`` and a substitution: a results page has up to eleven
    page links, and URL building was a tenth of the page's rendering time.
    """
    template = url_for("views.search", q=params.q, page=_PAGE, **params.filters())
    return lambda n: template.replace(f"page={_PAGE}", f"page={int(n)}", 1)


@bp.get("/doc/<path:doc_id>")
def doc(doc_id: str):
    """One document, the matches of ``q`` marked, the first one ``#first-match``."""
    q = request.args.get("q", "").strip()[: current_app.config["MAX_QUERY_CHARS"]]
    view = indexer.document(get_index(), doc_id, q)
    if view is None:
        abort(404, description="Không có văn bản nào với mã này. Có thể nó đã bị xoá "
                               "khỏi kho hoặc đường dẫn bị sai.")
    body_html = mark_first(view.body_html)
    return render_template(
        "doc.html", q=q, doc=view, title_html=marked(view.title_html), body_html=body_html,
        has_match='id="first-match"' in body_html,
        link_url=(view.url or "").lower().startswith(("http://", "https://")),
    )
