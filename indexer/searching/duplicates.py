"""Identical copies of a document collapse to one result ("và N bản giống hệt").

Portals republish the same article under several addresses, and a folder often
holds the same file twice: ten identical copies would otherwise fill a page.
Each document gets a *copy key* at index time, a hash of its normalised title
and body; at search time hits sharing a key collapse into the best-ranked one,
which lists the others. Copies have the same text, so they score alike and
come together: collapsing only has to look a little past the page.

Normalisation: NFC (NFD and composed text are the same text), case folded,
every run of white space one space. Marks are kept: *đang* and *đảng* are
different text, and one changed word keeps two documents apart. Title and body
are normalised apart and joined by a separator no text keeps (U+001F), so
words moved from the title into the body make another document.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.searching.columns import TextColumn

MAX_LISTED = 100
"""Copies listed with a hit (the count says how many there are in all)."""


def copy_key(title: str, body: str) -> str:
    """The key identical documents share ("" for a document without text: never a copy)."""
    title, body = _normalise(title), _normalise(body)
    if not title and not body:
        return ""
    text = f"{title}\x1f{body}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _normalise(text: str) -> str:
    """NFC, case folded, white space collapsed (U+001F is white space to ``str.split``,
    so the separator never stays inside a text).

    Split and join rather than a regex substitution: the same white space (``\\s`` of
    ``re`` is ``str.isspace``) at half the cost, which every indexed document pays.
    """
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


@dataclass(frozen=True)
class Group:
    """One result of a collapsed ranking: the best-ranked copy and its score."""

    docnum: int
    score: float | None
    key: str


def collapse(items: Sequence[tuple[int, float | None]], key_of: Callable[[int], str]
             ) -> list[Group]:
    """``items`` (ranked docnums) with every document after the first of its key left out."""
    seen: set[str] = set()
    groups: list[Group] = []
    for docnum, score in items:
        key = key_of(docnum)
        if key:
            if key in seen:
                continue
            seen.add(key)
        groups.append(Group(docnum, score, key))
    return groups


class CopyIndex:
    """The copy keys of one searcher's documents: a key per docnum (from the
    ``copy_key`` column, read per document, not per segment), and the live
    documents of a key (from its postings)."""

    def __init__(self, searcher) -> None:
        self._searcher = searcher
        self.key_of = TextColumn(searcher, "copy_key")

    def copies(self, key: str, exclude: int, allowed: set[int] | None,
               deleted: set[int]) -> list[int]:
        """The live documents with ``key`` other than ``exclude``, in index order,
        within ``allowed`` (the search's filters) when given."""
        if not key:
            return []
        try:
            ids = self._searcher.postings("copy_key", key).all_ids()
        except Exception:  # noqa: BLE001 - Whoosh raises TermNotFound and friends
            return []
        return [d for d in ids if d != exclude and d not in deleted
                and (allowed is None or d in allowed)]
