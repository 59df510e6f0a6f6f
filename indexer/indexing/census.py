"""What an index holds, counted by us: documents, documents per source, first and last date.

``vnsearch stats``, ``/healthz`` and the source filter used to ask Whoosh, and
Whoosh answered wrongly or not at all: ``doc_frequency`` counts deleted
documents until a merge, so a source whose documents were all deleted stayed
in the filter; ``MultiReader.column_reader`` mis-offsets its segments when the
first one has no value of a column (64 undated + 64 dated documents built with
``--procs 2``: ``struct.error`` on every call, for ever); and a 100k-document
index cost ~255 ms per call.

So the writer counts what it writes: a full build tallies every document it
feeds the writer, an incremental one adjusts the previous count by the
documents it deletes and writes. The census goes into the generation's
``meta.json`` next to the Whoosh commit (TOC generation) it describes; readers
use it only for that commit. Whenever it cannot be trusted (an index built by
an older version, a crash between the commit and ``meta.json``, a reader
that sees the commit before ``meta.json`` is replaced) it is recounted from
the segments themselves, one segment at a time: live documents only, no
multi-segment column reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from indexer.whoosh_ext.readers import numeric_column_values


@dataclass
class Census:
    documents: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    date_min: datetime | None = None
    date_max: datetime | None = None
    dates_stale: bool = False  # a document holding the first or last date was removed

    def add(self, source: str | None, date: datetime | None) -> None:
        self.documents += 1
        if source:
            self.sources[source] = self.sources.get(source, 0) + 1
        if date is not None:
            if self.date_min is None or date < self.date_min:
                self.date_min = date
            if self.date_max is None or date > self.date_max:
                self.date_max = date

    def remove(self, source: str | None, date: datetime | None) -> None:
        """Forget one document (its stored ``source`` and ``date``)."""
        self.documents -= 1
        if source and source in self.sources:
            self.sources[source] -= 1
            if self.sources[source] <= 0:
                del self.sources[source]
        if date is not None and date in (self.date_min, self.date_max):
            self.dates_stale = True  # the next first/last date is only known by a recount

    def counting(self, docs: Iterable) -> Iterator:
        """Pass ``docs`` (:class:`indexer.corpus.reader.Document`) through, counting each."""
        for doc in docs:
            self.add(doc.source, doc.date)
            yield doc

    def to_json(self) -> dict:
        return {
            "documents": self.documents, "sources": dict(sorted(self.sources.items())),
            "date_min": self.date_min.isoformat() if self.date_min else None,
            "date_max": self.date_max.isoformat() if self.date_max else None,
        }

    @classmethod
    def from_json(cls, data) -> Census | None:
        """The census stored in ``meta.json``, or None if it is missing or malformed."""
        try:
            sources = {str(k): int(v) for k, v in data["sources"].items() if int(v) > 0}
            dates = [datetime.fromisoformat(data[k]) if data[k] else None
                     for k in ("date_min", "date_max")]
            return cls(int(data["documents"]), sources, *dates)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def count_segments(reader, dates_only: Census | None = None) -> Census:
    """Recount from an open reader, segment by segment, live documents only.

    With ``dates_only``, keep its documents and sources and recount the dates.
    """
    census = Census() if dates_only is None else Census(
        dates_only.documents, dict(dates_only.sources))
    date_field = reader.schema["date"]
    first = last = None
    for leaf, _ in reader.leaf_readers():
        if not leaf.doc_count_all():  # Whoosh's EmptyReader (no segment) included
            continue
        deleted = set(leaf.segment().deleted_docs()) if leaf.has_deletions() else set()
        if dates_only is None:
            census.documents += leaf.doc_count()
            for name, count in _source_counts(leaf):
                census.sources[name] = census.sources.get(name, 0) + count
        values = _dates(leaf, date_field, deleted)
        if values:
            low, high = min(values), max(values)
            first = low if first is None else min(first, low)
            last = high if last is None else max(last, high)
    if first is not None:
        census.date_min = date_field.from_column_value(first)
        census.date_max = date_field.from_column_value(last)
    return census


def _source_counts(leaf) -> Iterator[tuple[str, int]]:
    for term in list(leaf.lexicon("source")):
        count = sum(1 for _ in leaf.postings("source", term).all_ids())  # live documents
        if count:
            yield (term.decode("utf-8") if isinstance(term, bytes) else term), count


def _dates(leaf, date_field, deleted: set[int]) -> list[int]:
    """The raw column values of this segment's live, dated documents."""
    if not leaf.has_column("date"):
        return []
    column = leaf.column_reader("date", translate=False)
    missing = date_field.column_type.default_value()
    values = numeric_column_values(column, leaf.doc_count_all())
    return [value for docnum, value in enumerate(values)
            if value != missing and docnum not in deleted]
