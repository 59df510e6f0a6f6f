"""vnsearch's web front end: HTML pages and a JSON API over the ``indexer`` library.

``create_app`` follows the Flask tutorial's factory. Configuration comes in
layers, later ones winning: the defaults below, ``instance/config.py`` (if
present), ``VNSEARCH_*`` environment variables (``VNSEARCH_INDEX_DIR``,
``VNSEARCH_QUERY_BUDGET_MS``; the CLI's ``VNSEARCH_INDEX`` is honoured too),
then ``test_config``.

The index is opened lazily, once per app, and kept in
``app.extensions["vnsearch"]``; each library call leases a searcher over
exactly the live commit (:mod:`indexer.searching.searchers`), so a reindex is seen by
the next request.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

import indexer

DEFAULTS = {
    "INDEX_DIR": "index",
    "PER_PAGE": 10,
    "MAX_PER_PAGE": 50,
    "MAX_QUERY_CHARS": 500,
    # Time budget of one search in ms (None: the library's default, 2000 or
    # VNSEARCH_QUERY_BUDGET_MS; 0: no limit). Past it, the best results so far.
    "QUERY_BUDGET_MS": None,
    "SITE_TITLE": "vnsearch",
    # A bug must never show a traceback: the 500 handler answers instead.
    "PROPAGATE_EXCEPTIONS": False,
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

_OPEN_LOCK = threading.Lock()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("VNSEARCH")
    if "VNSEARCH_INDEX_DIR" not in os.environ and os.environ.get("VNSEARCH_INDEX"):
        app.config["INDEX_DIR"] = os.environ["VNSEARCH_INDEX"]
    if test_config:
        app.config.update(test_config)
    app.config["INDEX_DIR"] = str(app.config["INDEX_DIR"])

    app.wsgi_app = _one_query_scope(app.wsgi_app)
    app.json.ensure_ascii = False  # Vietnamese stays readable in JSON
    app.json.sort_keys = False
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.extensions["vnsearch"] = None  # the SearchIndex, opened on first use

    from . import api, errors, formatting, views

    formatting.register(app)
    errors.register(app)
    app.add_template_global(views.doc_url)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _one_query_scope(wsgi_app):
    """Each request is one place at the library's query gate (``indexer.query_scope``):
    while it runs light, long searches in other threads wait, so a cheap request is not
    slowed by them from its first line to its last."""

    def app(environ, start_response):
        with indexer.query_scope():
            return wsgi_app(environ, start_response)

    return app


def get_index() -> indexer.SearchIndex:
    """This app's index handle, opened on first use (never at import time)."""
    app = current_app._get_current_object()
    handle = app.extensions.get("vnsearch")
    if handle is None:
        with _OPEN_LOCK:
            handle = app.extensions.get("vnsearch")
            if handle is None:
                handle = indexer.open_index(app.config["INDEX_DIR"],
                                            app.config.get("SYNONYMS") or None)
                app.extensions["vnsearch"] = handle
    return handle
