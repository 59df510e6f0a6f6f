"""vnsearch's library: every piece of logic the CLI and the web app use.

Data flows one way: corpus -> documents -> analysis -> index -> searcher ->
results. Callers import from here only.
"""

from indexer.corpus.reader import Document, Limits, Problem, read_corpus
from indexer.indexing.reindex import ReindexReport, reindex
from indexer.searching.budget import limit_heavy_queries, query_scope
from indexer.searching.engine import SearchIndex, open_index
from indexer.searching.facets import Facets
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
from indexer.searching.service import Hit, Results, search

from .errors import (
    CorpusMissingError,
    IndexMissingError,
    IndexOutdatedError,
    ReindexLockedError,
    VnsearchError,
)

__all__ = [
    "CorpusMissingError", "Document", "DocumentView", "Facets", "Hit", "IndexMissingError",
    "IndexOutdatedError", "Limits", "Problem", "ReindexLockedError", "ReindexReport", "Results",
    "SearchIndex", "Stats", "VnsearchError", "document", "health", "limit_heavy_queries",
    "open_index", "query_scope", "read_corpus", "reindex", "restore", "search", "sources",
    "stats", "suggest",
]
