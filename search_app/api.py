"""The JSON twin of every page. Errors share one shape (see errors.py).

* ``GET /api/search?q=&page=&per_page=&source=&year=&from=&to=&sort=&facets=&exact=`` ->
  results ranked exactly as the HTML page (same parser, same library call), in the
  shape ``vnsearch search --json`` prints (``Results.to_json``: ``pages``, and per hit
  ``complete``: it holds every word);
  strict parameters: bad values are a 400 (see params.py). ``source`` and
  ``year`` repeat (any of them); ``facets`` holds this query's counts by source
  and year (``facets=0``: not counted, ``null``).
  ``partial``: no document had every word (best partial matches);
  ``timed_out``: the time budget ran out (the best results found by then;
  ``messages`` says so); ``corrected_query``: what was searched instead of the typed
  text (Telex decoded, a typo corrected), ``exact_query``: the typed text, searched as
  is with ``exact=1``.
* ``GET /api/suggest?q=`` -> ``{"query", "suggestions": [up to 8]}``
* ``GET /api/doc/<id>?q=`` (or ``/api/doc?id=<id>&q=``, for any id) -> one document,
  matches marked in ``*_html``.
* ``GET /api/stats`` -> what the status page shows (documents, sources, size, last reindex).
* ``GET /healthz`` -> ``{"status": "ok", "documents": N, "generation", "commit"}`` of the
  live commit, or a 503 error if the index cannot be opened.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

import indexer

from . import get_index
from .params import ParamError, parse_search_args, run_search

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    params = parse_search_args(request.args, current_app.config, strict=True)
    results = run_search(get_index(), params)
    if results is None:
        results = indexer.Results(query="", page=params.page, per_page=params.per_page,
                                  facets=indexer.Facets() if params.facets else None)
    data = results.to_json()  # the library's one shape, the CLI's --json too
    data["messages"] = params.notes + data["messages"]
    return data


@bp.get("/api/suggest")
def suggest():
    q = request.args.get("q", "")
    limit = current_app.config["MAX_QUERY_CHARS"]
    if len(q) > limit:
        raise ParamError(f"Câu tìm kiếm dài {len(q)} ký tự, vượt giới hạn {limit} ký tự")
    return {"query": q, "suggestions": indexer.suggest(get_index(), q)}


@bp.get("/api/doc")
def doc_by_id():
    """``/api/doc?id=``: any id, also those a path cannot carry (``/x``, ``a/../b``)."""
    return doc(request.args.get("id", ""))


@bp.get("/api/doc/<path:doc_id>")
def doc(doc_id: str):
    q = request.args.get("q", "")[: current_app.config["MAX_QUERY_CHARS"]]
    view = indexer.document(get_index(), doc_id, q)
    if view is None:
        abort(404, description=f"Không có văn bản nào với mã {doc_id!r}")
    return view.to_json()


@bp.get("/api/stats")
def stats():
    return indexer.stats(get_index()).to_json()


@bp.get("/healthz")
def healthz():
    return indexer.health(get_index())
