"""Everything besides ranked search that readers ask of an index.

One document with its matches marked, the list of sources for the filter,
index statistics, autocomplete and accent restoration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from . import store
from .engine import SearchIndex
from .highlight import Terms, highlight_all
from .query import parse

MAX_SUGGEST = 8
MAX_PREFIX_CHARS = 100


@dataclass
class DocumentView:
    id: str
    title: str
    body: str
    title_html: str  # escaped, matches of the query marked
    body_html: str
    path: str = ""
    url: str | None = None
    source: str | None = None
    author: str | None = None
    date: datetime | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass
class Stats:
    documents: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    date_min: datetime | None = None
    date_max: datetime | None = None
    index_bytes: int = 0
    last_reindex: str | None = None
    generation: str = ""
    last_report: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("date_min", "date_max"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def document(index: SearchIndex, doc_id: str, query: str = "") -> DocumentView | None:
    """The stored document ``doc_id``, with the matches of ``query`` marked."""
    searcher = index.searcher()
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    terms = Terms(*parse(query or "").highlight_terms())
    title, body = stored.get("title", ""), stored.get("body", "")
    return DocumentView(
        id=stored["id"], title=title, body=body, title_html=highlight_all(title, terms),
        body_html=highlight_all(body, terms), path=stored.get("path", ""),
        url=stored.get("url"), source=stored.get("source"), author=stored.get("author"),
        date=stored.get("date"),
    )


def sources(index: SearchIndex) -> dict[str, int]:
    """Source name -> number of documents, for the filter control and stats."""
    reader = index.searcher().reader()
    counts: dict[str, int] = {}
    for term in reader.lexicon("source"):
        name = term.decode("utf-8") if isinstance(term, bytes) else term
        counts[name] = reader.doc_frequency("source", name)
    return dict(sorted(counts.items()))


def stats(index: SearchIndex) -> Stats:
    searcher = index.searcher()
    reader = searcher.reader()
    generation: Path = index.generation()
    meta = store.read_json(generation / store.META, {}) or {}
    result = Stats(
        documents=reader.doc_count(), sources=sources(index),
        index_bytes=store.generation_size(generation), last_reindex=meta.get("last_reindex"),
        generation=generation.name, last_report=meta.get("last_report", {}),
    )
    dates = [value for value in _column(reader, "date") if value]
    if dates:
        result.date_min, result.date_max = min(dates), max(dates)
    return result


def _column(reader, name: str):
    """Values of a sortable column, skipping documents without one."""
    if not reader.has_column(name):
        return []
    field = reader.schema[name]
    missing = field.column_type.default_value()
    column = reader.column_reader(name, translate=False)
    return (field.from_column_value(column[docnum]) for docnum in reader.all_doc_ids()
            if column[docnum] != missing)


def suggest(index: SearchIndex, prefix: str, limit: int = MAX_SUGGEST) -> list[str]:
    """Accented completions of what the user is typing (autocomplete)."""
    prefix = (prefix or "")[:MAX_PREFIX_CHARS]
    if not prefix.strip():
        return []
    try:
        return index.model().complete(prefix, limit=max(1, min(limit, MAX_SUGGEST)))
    except Exception:  # autocomplete is a nicety: an empty list, never an error
        return []


def restore(index: SearchIndex, text: str) -> str:
    """``can bo dang vien`` -> ``cán bộ đảng viên``, learnt from the indexed corpus."""
    return index.model().restore(text or "")
