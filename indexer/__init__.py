"""vnsearch's library: every piece of logic the CLI and the web app use.

Data flows one way: corpus -> documents -> analysis -> index -> searcher ->
results. Callers import from here only.
"""

from .budget import limit_heavy_queries, query_scope
from .build import ReindexReport, reindex
from .corpus import Document, Limits, Problem, read_corpus
from .engine import SearchIndex, open_index
from .errors import (
    CorpusMissingError,
    IndexMissingError,
    IndexOutdatedError,
    ReindexLockedError,
    VnsearchError,
)
from .facets import Facets
from .info import DocumentView, Stats, document, health, restore, sources, stats, suggest
from .search import Hit, Results, search

__all__ = [
    "CorpusMissingError", "Document", "DocumentView", "Facets", "Hit", "IndexMissingError",
    "IndexOutdatedError", "Limits", "Problem", "ReindexLockedError", "ReindexReport", "Results",
    "SearchIndex", "Stats", "VnsearchError", "document", "health", "limit_heavy_queries",
    "open_index", "query_scope", "read_corpus", "reindex", "restore", "search", "sources",
    "stats", "suggest",
]
