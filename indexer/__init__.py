"""vnsearch's library: every piece of logic the CLI and the web app use.

Data flows one way, one sub-package per stage: :mod:`indexer.corpus` (files ->
documents) -> :mod:`indexer.text` and :mod:`indexer.accents` (language, accent
model) -> :mod:`indexer.indexing` (the only writer, through
:mod:`indexer.whoosh_ext`) -> :mod:`indexer.searching` (query -> results);
:mod:`indexer.cli` is the command line. Callers import from here only.

The names below are loaded on first use (PEP 562 ``__getattr__``): ``import
indexer`` must stay cheap for a command that only prints help or a web worker
that never reindexes, so it does not load Whoosh or the build stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from indexer.errors import (
    CorpusMissingError,
    IndexDamagedError,
    IndexMissingError,
    IndexOutdatedError,
    ReindexLockedError,
    VnsearchError,
)

if TYPE_CHECKING:
    from indexer.corpus.reader import Document, Limits, Problem, read_corpus
    from indexer.indexing.compaction import CompactionReport, optimize
    from indexer.indexing.generations import current_generation
    from indexer.indexing.reindex import ReindexReport, reindex
    from indexer.searching.arguments import (
        MAX_PAGE,
        MAX_PER_PAGE,
        SORT_ALIASES,
        SORTS,
        date_bound,
    )
    from indexer.searching.budget import limit_heavy_queries, query_scope
    from indexer.searching.engine import SearchIndex, open_index
    from indexer.searching.facets import Facets
    from indexer.searching.heap import tune_server_heap
    from indexer.searching.lookups import (
        DocumentView,
        Stats,
        document,
        health,
        restore,
        sources,
        stats,
        suggest,
    )
    from indexer.searching.query import blank_controls
    from indexer.searching.results import Hit, Results
    from indexer.searching.service import search
    from indexer.text.folding import fold
    from indexer.text.numbers import vn_number

_HOMES = {
    "indexer.corpus.reader": ("Document", "Limits", "Problem", "read_corpus"),
    "indexer.indexing.compaction": ("CompactionReport", "optimize"),
    "indexer.indexing.generations": ("current_generation",),
    "indexer.indexing.reindex": ("ReindexReport", "reindex"),
    "indexer.searching.arguments": ("MAX_PAGE", "MAX_PER_PAGE", "SORT_ALIASES", "SORTS",
                                    "date_bound"),
    "indexer.searching.budget": ("limit_heavy_queries", "query_scope"),
    "indexer.searching.engine": ("SearchIndex", "open_index"),
    "indexer.searching.facets": ("Facets",),
    "indexer.searching.heap": ("tune_server_heap",),
    "indexer.searching.lookups": ("DocumentView", "Stats", "document", "health", "restore",
                                  "sources", "stats", "suggest"),
    "indexer.searching.results": ("Hit", "Results"),
    "indexer.searching.query": ("blank_controls",),
    "indexer.searching.service": ("search",),
    "indexer.text.folding": ("fold",),
    "indexer.text.numbers": ("vn_number",),
}
_LAZY = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "MAX_PAGE", "MAX_PER_PAGE", "SORTS", "SORT_ALIASES",
    "CompactionReport", "CorpusMissingError", "Document", "DocumentView", "Facets", "Hit",
    "IndexDamagedError", "IndexMissingError",
    "IndexOutdatedError", "Limits", "Problem", "ReindexLockedError", "ReindexReport", "Results",
    "SearchIndex", "Stats", "VnsearchError", "blank_controls", "current_generation",
    "date_bound", "document",
    "fold",
    "health", "limit_heavy_queries", "open_index", "optimize", "query_scope", "read_corpus",
    "reindex",
    "restore", "search", "sources", "stats", "suggest", "tune_server_heap", "vn_number",
]


def __getattr__(name: str):
    """Import a public name's module on first use, then keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
