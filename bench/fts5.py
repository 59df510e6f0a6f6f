"""The baseline: the same documents in an SQLite FTS5 table, searched the same way.

One table, ``unicode61 remove_diacritics 2`` (folds case and marks except đ),
filled in a single transaction; a search is the top 10 by ``bm25`` with a
snippet of the body, plus a ``count(*)`` for the total, as our results page shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = ('CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, '
          'tokenize="unicode61 remove_diacritics 2")')
TOP = ("SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', 24), bm25(docs) "
       "FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?")
COUNT = "SELECT count(*) FROM docs WHERE docs MATCH ?"


@dataclass
class FtsResults:
    total: int = 0
    hits: list[tuple[str, str, float]] = field(default_factory=list)  # id, snippet, bm25
    error: str | None = None


def build(db_path: Path, records: Iterable[dict]) -> int:
    """Create ``db_path`` afresh from JSONL-style records; return the row count."""
    db_path = Path(db_path)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(SCHEMA)
        with conn:  # one transaction
            conn.executemany(
                "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
                ((r["id"], r.get("title", ""), r.get("text", "")) for r in records))
        return conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    finally:
        conn.close()


def connect(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)


def search(conn: sqlite3.Connection, match: str | None, limit: int = 10) -> FtsResults:
    """Top ``limit`` hits with snippets and the total count; FTS5 syntax errors are kept."""
    if not match:
        return FtsResults()
    try:
        hits = conn.execute(TOP, (match, limit)).fetchall()
        total = conn.execute(COUNT, (match,)).fetchone()[0]
    except sqlite3.OperationalError as exc:
        return FtsResults(error=str(exc))
    return FtsResults(total=total, hits=hits)
