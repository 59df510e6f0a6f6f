"""Compaction: which segments an incremental reindex merges, and ``vnsearch optimize``.

Each incremental reindex writes its documents as a new segment and marks the versions
they replace deleted in older ones. Without merging, small segments pile up (each one a
look-up per query term) and deleted documents stay on disk: a 100k index grew from 235
to 380 MB over ~45k updates. After the reindex's own commit, :func:`compact` applies a
size-tiered policy (Lucene's ``TieredMergePolicy`` idea, on live document counts):

* the *base* segments, those a full build (or ``optimize``) wrote, are never merged by
  tiers: they hold most of the index, and merging them would make a one-document
  reindex of a large index take minutes;
* every other segment has a tier: 0 under :data:`FLOOR_DOCS` live documents, then one
  more per :data:`TIER_FACTOR`-fold; when a tier holds :data:`TIER_FACTOR` segments,
  they are merged into one, which lands a tier higher (a document is rewritten about
  once per tier, and there are at most ``TIER_FACTOR - 1`` segments per tier);
* any segment, base or not, whose deleted share exceeds :data:`MAX_DELETED_SHARE` is
  rewritten without its deleted documents (a base segment alone, and stays a base one;
  another together with the other such segments of its tier), so dead documents never
  take more than about that share of the disk.

Merging repeats until nothing is due; each merge is its own commit. ``optimize`` merges
everything into one base segment. Both merge with
:class:`~indexer.whoosh_ext.merging.MergeWriter`: a live server goes on answering from
the commit it has, then from the merged one, and a crash leaves the last commit. Scores
do not depend on how segments are merged (:mod:`indexer.whoosh_ext.livestats` counts
live documents only).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexMissingError
from indexer.indexing import generations as store
from indexer.indexing.lock import ReindexLock
from indexer.whoosh_ext.readers import segment_counts

FLOOR_DOCS = 2_000
"""Segments with fewer live documents than this share tier 0."""
TIER_FACTOR = 4
"""Tiers grow fourfold; a tier holding this many segments is merged (FTS5's automerge
also merges 4). Small segments cost more per document than large ones (each repeats
the term entries of the terms its documents share), so they are merged soon; a
document is rewritten about once per tier (log4 of the non-base documents / 2,000)."""
MAX_MERGE_AT_ONCE = 10
"""Segments over the deleted limit merged together at most."""
MAX_DELETED_SHARE = 0.10
"""A segment with a larger share of deleted documents is rewritten without them. A fresh
build is ~1.12x FTS5's size at 100k: dead documents may add ~15% before the index passes
issue 16's 1.3x, and a segment holds at most 10/90 = 11% of them."""
BASE_KEY = "base_segments"
"""meta.json's list of the base segments' ids (see the module docstring)."""


@dataclass(frozen=True)
class SegmentSize:
    """What the policy knows of a segment."""

    id: str
    documents: int  # including deleted ones
    deleted: int
    base: bool = False

    @property
    def live(self) -> int:
        return self.documents - self.deleted

    @property
    def deleted_share(self) -> float:
        return self.deleted / self.documents if self.documents else 0.0


def tier(live: int) -> int:
    """0 under :data:`FLOOR_DOCS` live documents, then one more per :data:`TIER_FACTOR`."""
    if live < FLOOR_DOCS:
        return 0
    return 1 + int(math.log(live / FLOOR_DOCS, TIER_FACTOR) + 1e-9)


def plan_merge(segments: list[SegmentSize]) -> list[str] | None:
    """The ids of the segments to merge next, or None when nothing is due.

    The lowest full tier first (the cheapest merge, whose result may fill the next
    tier), then the segment with the largest deleted share over the limit.
    """
    by_tier: dict[int, list[SegmentSize]] = {}
    for segment in segments:
        if not segment.base:
            by_tier.setdefault(tier(segment.live), []).append(segment)
    for level in sorted(by_tier):
        members = by_tier[level]
        if len(members) >= TIER_FACTOR:
            chosen = sorted(members, key=lambda s: (s.live, s.id))[:TIER_FACTOR]
            return [s.id for s in chosen]
    dirty = sorted((s for s in segments if s.deleted_share > MAX_DELETED_SHARE),
                   key=lambda s: (-s.deleted_share, s.id))
    if not dirty:
        return None
    worst = dirty[0]
    if worst.base:
        return [worst.id]
    # the other dirty segments of its tier go with it: one merge instead of several
    level = tier(worst.live)
    return [s.id for s in dirty if not s.base and tier(s.live) == level][:MAX_MERGE_AT_ONCE]


def sizes(ix, base: set[str] = frozenset()) -> list[SegmentSize]:
    """The policy's view of ``ix``'s latest commit (``base``: the base segments' ids)."""
    return [SegmentSize(*counts, base=counts[0] in base) for counts in segment_counts(ix)]


def base_segments(ix, meta: dict) -> set[str]:
    """The base segments of ``ix`` as meta.json lists them. Without a list (an index
    built before there was one), the segments of :data:`FLOOR_DOCS` x
    :data:`TIER_FACTOR` live documents or more count as base."""
    listed = meta.get(BASE_KEY)
    if isinstance(listed, list):
        return set(listed)
    return {s.id for s in sizes(ix) if s.live >= FLOOR_DOCS * TIER_FACTOR}


@dataclass
class CompactionReport:
    """What :func:`compact` or :func:`optimize` did."""

    merges: int = 0
    merged_segments: int = 0
    purged: int = 0  # deleted documents removed from disk
    segments: int = 0  # segments left
    seconds: float = 0.0
    index_bytes: int = 0
    base: set[str] | None = None  # the base segments after it


def merge(ix, segment_ids: list[str]) -> tuple[int, str | None]:
    """Merge the segments named into one, as one commit: (deleted documents purged, the
    new segment's id, None if none of their documents was live)."""
    # Imported here: merging pulls in numpy (0.2 s), and most incremental runs merge nothing.
    from indexer.whoosh_ext.merging import MergeWriter

    named = set(segment_ids)
    purged = sum(s.deleted for s in sizes(ix) if s.id in named)
    writer = MergeWriter(ix)
    try:
        writer.write_merged(named)
    except BaseException:
        writer.cancel()
        raise
    return purged, writer.commit()


def compact(ix, base: set[str], full: bool = False) -> CompactionReport:
    """Merge what the tiered policy says is due, until nothing is (``full``: everything
    into one segment, purging every deletion). Call under the reindex lock."""
    report = CompactionReport(base=set(base))
    started = time.perf_counter()
    while True:
        current = sizes(ix, report.base)
        if full:
            due = ([s.id for s in current]
                   if len(current) > 1 or any(s.deleted for s in current) else None)
        else:
            due = plan_merge(current)
        if not due:
            break
        purged, merged = merge(ix, due)
        report.purged += purged
        report.merges += 1
        report.merged_segments += len(due)
        was_base = full or any(s.base for s in current if s.id in due)
        report.base -= set(due)
        if merged and was_base:
            report.base.add(merged)
        if full:
            break
    report.segments = len(segment_counts(ix))
    report.seconds = time.perf_counter() - started
    return report


def refresh_meta(generation: Path, ix, before: int, base: set[str],
                 report: dict | None = None) -> int:
    """After merges: meta.json describes the new commit if it described ``before``;
    returns the index size.

    Merges change no document, so the census, accent model and manifest written for
    ``before`` hold for the merged commit; only its number (which tells the next
    reindex that they are current), the base segments and the size change, and
    ``report`` updates the last reindex's report. A meta.json already stale (a crash)
    stays so, and the next reindex recounts.
    """
    size = store.generation_size(generation)
    meta = store.read_json(generation / store.META, {})
    if not isinstance(meta, dict) or meta.get("whoosh_generation") != before:
        return size
    meta["whoosh_generation"] = ix.latest_generation()
    meta[BASE_KEY] = sorted(base)
    meta["index_bytes"] = size
    if report and isinstance(meta.get("last_report"), dict):
        meta["last_report"].update(report, index_bytes=size)
    store.write_json(generation / store.META, meta)
    return size


def optimize(index_dir: Path) -> CompactionReport:
    """Merge the live index into one segment without deleted documents (``vnsearch
    optimize``). A server keeps answering meanwhile; a crash leaves the index as it was."""
    index_dir = Path(index_dir)
    if store.current_generation(index_dir) is None:  # before the lock, which makes the folder
        raise IndexMissingError(f"no index in {index_dir}: run `vnsearch reindex` first")
    with ReindexLock(index_dir):
        store.remove_leftovers(index_dir)
        generation, ix = store.open_generation(index_dir)
        try:
            before = ix.latest_generation()
            meta = store.read_json(generation / store.META, {})
            report = compact(ix, base_segments(ix, meta), full=True)
            report.index_bytes = refresh_meta(generation, ix, before, report.base)
        finally:
            ix.close()
        return report
