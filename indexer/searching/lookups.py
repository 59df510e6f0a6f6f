"""Everything besides ranked search that readers ask of an index.

One document with its matches marked, the list of sources for the filter,
index statistics and health, autocomplete and accent restoration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from indexer.corpus.dates import aware
from indexer.errors import IndexDamagedError
from indexer.indexing import generations as store
from indexer.indexing.census import Census, count_segments
from indexer.searching.engine import SearchIndex, reads_index
from indexer.searching.highlight import Terms, highlight_all
from indexer.searching.query import clean, parse
from indexer.searching.synonyms import expand_indexed
from indexer.text.collation import vn_key

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
        data["date"] = aware(self.date).isoformat() if self.date else None
        return data


@dataclass
class Stats:
    """What ``vnsearch stats`` and ``/api/stats`` show. Its first four fields are the
    figures of :class:`indexer.indexing.census.Census` on purpose (the census is the
    writer's tally stored beside a commit, this the public answer that adds the rest);
    not a second copy of the counting."""

    documents: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    date_min: datetime | None = None
    date_max: datetime | None = None
    index_bytes: int = 0
    last_reindex: str | None = None
    generation: str = ""
    commit: int = 0  # the TOC generation within it
    last_report: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("date_min", "date_max"):
            data[key] = aware(data[key]).isoformat() if data[key] else None
        return data


@reads_index
def document(index: SearchIndex, doc_id: str, query: str = "") -> DocumentView | None:
    """The stored document ``doc_id``, with the matches of ``query`` marked."""
    searcher = index.searcher()
    docnum = searcher.document_number(id=doc_id)
    if docnum is None and doc_id != doc_id.strip():  # ids are indexed trimmed ("r13 ")
        docnum = searcher.document_number(id=doc_id.strip())
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    parsed = parse(query or "")
    reader = searcher.reader()  # synonyms as the search has them: UBND marks Ủy ban nhân dân
    parsed.units = expand_indexed(parsed.units, index.synonyms(), reader)
    terms = Terms(*parsed.highlight_terms())
    title, body = stored.get("title", ""), stored.get("body", "")
    return DocumentView(
        id=stored["id"], title=title, body=body, title_html=highlight_all(title, terms),
        body_html=highlight_all(body, terms), path=stored.get("path", ""),
        url=stored.get("url"), source=stored.get("source"), author=stored.get("author"),
        date=stored.get("date"),
    )


@reads_index
def sources(index: SearchIndex) -> dict[str, int]:
    """Source name -> number of live documents, in Vietnamese alphabetical order."""
    return dict(sorted(_census(index).sources.items(), key=lambda item: vn_key(item[0])))


@reads_index
def stats(index: SearchIndex) -> Stats:
    """What the live commit holds, from the census the writer recorded for it
    (:mod:`indexer.indexing.census`): cheap, and no Whoosh multi-segment column reader."""
    commit = index.commit()
    census = _census(index)
    meta = store.read_json(commit.generation / store.META, {})
    meta = meta if isinstance(meta, dict) else {}
    current = meta.get("whoosh_generation") == commit.toc.generation
    index_bytes = meta.get("index_bytes") if current else None
    if not isinstance(index_bytes, int):
        index_bytes = commit.extras.get("index_bytes")
        if index_bytes is None:
            index_bytes = commit.extras["index_bytes"] = store.generation_size(commit.generation)
    report = meta.get("last_report")
    return Stats(
        documents=commit.documents, sources=sources(index),
        date_min=census.date_min, date_max=census.date_max, index_bytes=index_bytes,
        last_reindex=meta.get("last_reindex"), generation=commit.name,
        commit=commit.toc.generation, last_report=report if isinstance(report, dict) else {},
    )


def health(index: SearchIndex) -> dict:
    """``{"status": "ok", "documents", "generation", "commit"}`` of the live commit.

    Opens the latest commit if it is new (an index that cannot be opened raises
    :class:`indexer.IndexMissingError`); otherwise a file read and a folder listing.
    """
    commit = index.commit()
    return {"status": "ok", "documents": commit.documents, "generation": commit.name,
            "commit": commit.toc.generation}


def _census(index: SearchIndex) -> Census:
    """The census of the commit being read, worked out once per commit."""
    commit = index.commit()
    found = commit.extras.get("census")
    if found is None:
        meta = store.read_json(commit.generation / store.META, {})
        if isinstance(meta, dict) and meta.get("whoosh_generation") == commit.toc.generation:
            found = Census.from_json(meta.get("census"))
        if found is None or found.documents != commit.documents:
            # Built by an older version, or read between the commit and its meta.json.
            found = count_segments(index.searcher().reader())
        commit.extras["census"] = found
    return found


def suggest(index: SearchIndex, prefix: str, limit: int = MAX_SUGGEST) -> list[str]:
    """Accented completions of what the user is typing (autocomplete)."""
    # control characters (%00 in a URL) were completed as if they were letters
    prefix = clean(prefix or "")[:MAX_PREFIX_CHARS]
    if not prefix.strip():
        return []
    try:
        return index.model().complete(prefix, limit=max(1, min(limit, MAX_SUGGEST)))
    except Exception:  # autocomplete is a nicety (no index too): an empty list, never an error
        return []


def restore(index: SearchIndex, text: str) -> str:
    """``can bo dang vien`` -> ``cán bộ đảng viên``, learnt from the indexed corpus.

    Raises :class:`IndexDamagedError` when the index's accent model cannot be read:
    the text given back unchanged would look like a model that knows no better."""
    model, problem = index.model_state()
    if problem:
        raise IndexDamagedError(problem)
    return model.restore(text or "")
