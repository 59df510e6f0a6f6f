"""How a generation's manifest is stored: a base file plus a log of changed entries.

Why a log: at a million documents the manifest is ~50 MB, and writing it whole took
0.5-0.6 s of the 1.5 s an incremental reindex of one changed document takes (more
right after heavy writes). An incremental reindex changes the entries of a few
files, so it appends just those entries (``manifest.log``) and rewrites the base
(``manifest.bin``) only when the log has grown to a quarter of it.

* ``manifest.bin``: :data:`MAGIC`, a random 16-letter ``token`` (new at each base
  write), then ``marshal`` of ``files``. Format 2 (``marshal`` of ``(2, files)``, no
  log) is still read.
* ``manifest.log``: records, each ``<length, crc32>``, the base's ``token``, then
  ``marshal`` of ``{relpath: entry or None}`` (None: the file is gone). Only records
  carrying the base's token apply, in order: a base rewritten after them (crash
  before the log was removed) ignores them. A torn last record (crash while
  appending) is ignored when read, and the next write rewrites the base rather
  than appending after it. A log that cannot be read, or a bad record with more
  after it, makes the manifest unreadable: entries may be lost in the middle, so the
  reindex rebuilds in full (as for a damaged ``manifest.bin``).

Only the reindex reads the manifest (under the reindex lock), so there is one writer
and no concurrent reader.
"""

from __future__ import annotations

import marshal
import os
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

from indexer.atomicfile import write_atomic
from indexer.indexing import generations as store

MAGIC = b"vnsearch-manifest-3\n"
"""How ``manifest.bin`` starts (format 2, a bare marshal, and 1, ``manifest.json``, are read)."""
TOKEN = 16
LOG = "manifest.log"
LOG_SHARE = 4
"""The base is rewritten once the log would exceed 1/LOG_SHARE of its size."""
_HEAD = struct.Struct("<II")  # record length, crc32 of the record


def read_manifest(generation: Path) -> dict | None:
    """``{"files": {relpath: entry}}`` of ``generation``, None if it has none that can be
    read (a damaged manifest makes a full rebuild, as a missing one does)."""
    try:
        data = (generation / store.MANIFEST).read_bytes()
        if data.startswith(MAGIC):
            token = data[len(MAGIC):len(MAGIC) + TOKEN].decode("ascii")
            files = marshal.loads(memoryview(data)[len(MAGIC) + TOKEN:])
        else:  # format 2
            token, (version, files) = None, marshal.loads(data)
            if version != 2:
                return None
    except FileNotFoundError:
        return store.read_json(generation / store.LEGACY_MANIFEST)
    except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(files, dict):
        return None
    records, state = _log_records(generation) if token else ([], INTACT)
    if state == DAMAGED:  # entries lost in the middle: only a full rebuild is sure
        return None
    for record_token, payload in records:
        if record_token != token:
            continue
        try:
            changes = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None  # a record whose checksum holds but whose content does not
        if not isinstance(changes, dict):
            return None
        for path, described in changes.items():
            if described is None:
                files.pop(path, None)
            else:
                files[path] = described
    return {"files": files}


def write_manifest(generation: Path, entries: dict[str, dict],
                   previous: dict[str, dict] | None = None) -> None:
    """Store ``entries`` as the manifest of ``generation``.

    ``previous``: the files of the manifest read at the start of this reindex, whose
    unchanged entries ``entries`` shares (the same objects); the entries that differ
    are then appended to the log, if the log is intact and small enough. Otherwise the
    base is rewritten (atomically) and the log removed.
    """
    if previous is not None and _append(generation, entries, previous):
        return
    token = os.urandom(TOKEN // 2).hex().encode("ascii")
    write_atomic(generation / store.MANIFEST, MAGIC + token + marshal.dumps(entries))
    (generation / LOG).unlink(missing_ok=True)
    (generation / store.LEGACY_MANIFEST).unlink(missing_ok=True)


def changed_entries(entries: dict[str, dict], previous: dict[str, dict]) -> dict:
    """``{relpath: entry or None}``: what differs from ``previous`` (by identity: an
    unchanged file keeps the very entry object it was read with)."""
    return {path: entries.get(path) for path in _paths(entries, previous)
            if entries.get(path) is not previous.get(path)}


def _paths(entries: dict, previous: dict) -> Iterable[str]:
    yield from entries
    yield from (path for path in previous if path not in entries)


def _append(generation: Path, entries: dict[str, dict], previous: dict[str, dict]) -> bool:
    base = generation / store.MANIFEST
    try:
        with base.open("rb") as fh:
            head = fh.read(len(MAGIC) + TOKEN)
            base_size = os.fstat(fh.fileno()).st_size
    except OSError:
        return False
    if not head.startswith(MAGIC) or len(head) != len(MAGIC) + TOKEN:
        return False
    token = head[len(MAGIC):].decode("ascii", "replace")
    records, state = _log_records(generation)
    if state != INTACT or any(t != token for t, _ in records):
        return False
    changes = changed_entries(entries, previous)
    if not changes:
        return True
    payload = token.encode("ascii") + marshal.dumps(changes)
    log = generation / LOG
    size = log.stat().st_size if log.exists() else 0
    if size + _HEAD.size + len(payload) > base_size // LOG_SHARE:
        return False
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.fchmod(fd, 0o644)  # as write_atomic: a reindex run as another user reads it too
        record = memoryview(_HEAD.pack(len(payload), zlib.crc32(payload)) + payload)
        while record:
            record = record[os.write(fd, record):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


INTACT, TORN, DAMAGED = "intact", "torn", "damaged"
"""A log's state: whole records only; a last record cut short (a crash while appending:
its reindex never finished, and the entries before it hold); or unreadable, or a bad
record with more after it (entries lost in the middle)."""


def _log_records(generation: Path) -> tuple[list[tuple[str, memoryview]], str]:
    """The log's whole records up to the first bad one, as (token, marshalled changes),
    and the log's state. Only checksums are checked here: the changes are decoded by the
    reader alone (the writer, which needs the tokens only, read the log a second time)."""
    try:
        data = (generation / LOG).read_bytes()
    except FileNotFoundError:
        return [], INTACT
    except OSError:
        return [], DAMAGED
    records, at = [], 0
    while at < len(data):
        if at + _HEAD.size > len(data):
            return records, TORN
        length, crc = _HEAD.unpack_from(data, at)
        end = at + _HEAD.size + length
        payload = memoryview(data)[at + _HEAD.size:end]
        if len(payload) != length or length < TOKEN or zlib.crc32(payload) != crc:
            return records, TORN if end >= len(data) else DAMAGED
        records.append((bytes(payload[:TOKEN]).decode("ascii", "replace"), payload[TOKEN:]))
        at = end
    return records, INTACT
