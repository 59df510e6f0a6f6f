"""What an incremental reindex keeps of the files it could not reach this time.

A folder without read or search permission (or a file that cannot be looked at) is
not a folder whose files were deleted: :func:`indexer.corpus.sources.scan` lists such
places, and the plan (:func:`indexer.indexing.manifest.plan_incremental`) keeps their
manifest entries as unread, so their documents stay searchable until they can be read
again. A skip never deletes.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexer.corpus.problems import Problem


def keep_unreachable(old_files: dict[str, dict], entries: dict[str, dict],
                     unreachable: list[str], problems: list[Problem]) -> None:
    """Old entries of files inside an unreadable folder (or unreadable themselves),
    kept as unread, with one line per folder saying how many documents stay."""
    if not unreachable:
        return
    places = set(unreachable)
    kept: dict[str, int] = {}
    for rel, old in old_files.items():
        # the path itself or its nearest folder that could not be read ("." the corpus)
        place = next((p for p in _ancestors(rel) if p in places), None)
        if place is not None and rel not in entries:
            entries[rel] = {**old, "unread": True}
            kept[place] = kept.get(place, 0) + len(old["docs"])
    said = {p.path: i for i, p in enumerate(problems)}
    for place, count in kept.items():
        if not count:
            continue
        note = f"; the {count:,} document(s) indexed from it before are kept"
        at = said.get(place)  # said on the scan's own line for it: one line per problem
        if at is None:
            problems.append(Problem(place, f"not read{note}"))
        else:
            problems[at] = Problem(place, problems[at].reason + note, problems[at].kind)


def _ancestors(rel: str) -> Iterator[str]:
    """``a/b/c.txt`` -> ``a/b/c.txt``, ``a/b``, ``a``, ``.``."""
    while rel:
        yield rel
        rel = rel.rpartition("/")[0]
    yield "."
