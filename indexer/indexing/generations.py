"""On-disk layout of an index folder, shared by the writer and the readers.

::

    index/
      CURRENT            name of the live generation (replaced atomically)
      gen-<stamp>/       a complete Whoosh index plus our side files:
        manifest.bin       corpus file -> (mtime, size, {doc id: content hash})
                           (indexer.indexing.manifest; manifest.json before)
        manifest.log       entries changed since manifest.bin was written
                           (indexer.indexing.manifestfile)
        meta.json          schema version, last reindex time and report
        accents.model      accent-restoration statistics (indexer.accents.model)
      .reindex.lock      held by the one running reindex

A ``--full`` reindex builds a new generation and then replaces ``CURRENT``, so
readers switch from one complete index to another and never see a half-built
one. The previous generation is kept until the next full build, so a searcher
still holding it keeps answering.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.atomicfile import write_atomic
from indexer.errors import IndexMissingError, IndexOutdatedError
from indexer.indexing.schema import SCHEMA_VERSION

CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"
MANIFEST = "manifest.bin"
LEGACY_MANIFEST = "manifest.json"  # what indexes written before manifest.bin hold
META = "meta.json"
MODEL = "accents.model"
INDEX_NAME = "MAIN"


def write_json(path: Path, value) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return default


def current_generation(index_dir: Path, pointer: str = CURRENT) -> Path | None:
    """The live generation folder, or None when nothing was ever built."""
    try:
        name = (Path(index_dir) / pointer).read_text("utf-8").strip()
    except (OSError, ValueError):  # ValueError: not UTF-8 (a damaged pointer)
        return None
    if not name or not name.isprintable() or "/" in name or name.startswith("."):
        return None
    path = Path(index_dir) / name
    return path if path.is_dir() else None


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation folder (not yet live)."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    generation = Path(tempfile.mkdtemp(prefix=f"gen-{stamp}-", dir=index_dir))
    generation.chmod(0o755)  # mkdtemp's 0700: readable by a server running as another user
    return generation


def publish(index_dir: Path, generation: Path) -> None:
    """Make ``generation`` live, keep the one before it, delete older ones."""
    previous = current_generation(index_dir)
    if previous:
        write_atomic(Path(index_dir) / PREVIOUS, previous.name.encode("utf-8"))
    write_atomic(Path(index_dir) / CURRENT, generation.name.encode("utf-8"))
    remove_leftovers(index_dir)


def recover_current(index_dir: Path) -> Path | None:
    """With CURRENT missing or damaged, point it back at the newest finished generation
    (one whose meta.json, written last, reads as a report of its build) instead of
    deleting every generation as a leftover: an intact index is not rebuilt, and the
    documents of files unreadable now are not lost. None if there is none."""
    if current_generation(index_dir) is not None:
        return None
    finished = []
    for path in Path(index_dir).glob("gen-*"):
        meta = read_json(path / META, None) if path.is_dir() else None
        if not isinstance(meta, dict) or not isinstance(meta.get("whoosh_generation"), int):
            continue
        # its commit's files are there (not a meta.json left by an interrupted delete)
        toc = path / f"_{INDEX_NAME}_{meta['whoosh_generation']}.toc"
        if toc.is_file():
            finished.append((str(meta.get("last_reindex", "")), toc.stat().st_mtime_ns, path))
    if not finished:
        return None
    newest = max(finished)[2]  # by its build's time (two builds can share a second)
    write_atomic(Path(index_dir) / CURRENT, newest.name.encode("utf-8"))
    return newest


def remove_leftovers(index_dir: Path) -> list[str]:
    """Delete all but the live and the previous generation (call under the reindex lock).

    Inside those two, temporary files and folders of a writer that was killed go too:
    Whoosh's ``MAIN.tmp/`` pool and ``_MAIN_<n>.toc.<time>`` files, our ``*.tmp`` files.
    """
    live = current_generation(index_dir)
    previous = current_generation(index_dir, PREVIOUS)
    removed = remove_stale(index_dir, {p.name for p in (live, previous) if p})
    for generation in (live, previous):
        if generation is not None:
            removed += [f"{generation.name}/{name}" for name in remove_temporary(generation)]
    return removed


def remove_temporary(generation: Path) -> list[str]:
    """Delete what only an interrupted writer leaves in a generation (under the lock)."""
    removed = []
    for entry in Path(generation).iterdir():
        name = entry.name
        if not (name.endswith(".tmp") or (name.startswith("_") and ".toc." in name)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(name)
    return removed


def remove_stale(index_dir: Path, keep: set[str | None]) -> list[str]:
    """Delete generations and temp files that no reader can be using any more."""
    removed = []
    for entry in Path(index_dir).iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and entry.name.startswith("gen-"):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
        elif entry.is_file() and entry.name.startswith(".") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def generation_size(generation: Path) -> int:
    """Bytes of the files in ``generation``; files and folders a writer deletes meanwhile
    count 0 (``os.walk`` skips a folder gone before it is listed: Whoosh's ``MAIN.tmp``
    pool, which a merge creates and removes, made ``rglob`` raise under a stats reader)."""
    total = 0
    for root, _folders, files in os.walk(generation):
        for name in files:
            path = Path(root, name)
            try:
                if path.is_file():
                    total += path.stat().st_size
            except OSError:
                pass
    return total


def check_version(index_dir: Path, generation: Path) -> dict:
    """``generation``'s meta.json, if vnsearch of this version built it (else an error
    that tells the user what to do)."""
    meta = read_json(generation / META, {})
    if not isinstance(meta, dict) or meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexOutdatedError(
            f"the index in {index_dir} was built by another version of vnsearch:"
            " run `vnsearch reindex --full`"
        )
    return meta


def open_generation(index_dir: Path):
    """Open the live Whoosh index, or raise an error that tells the user what to do."""
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexMissingError(f"no index in {index_dir}: run `vnsearch reindex` first")
    check_version(index_dir, generation)
    try:
        ix = whoosh_index.open_dir(str(generation), indexname=INDEX_NAME)
        # Segments are only read when a reader opens them: a truncated or missing one
        # must be reported here, with the remedy, not as EOFError at the first search.
        ix.reader().close()
        return generation, ix
    except Exception as exc:  # whoosh raises many types for damaged files
        raise IndexMissingError(
            f"the index in {index_dir} cannot be opened ({type(exc).__name__}):"
            " run `vnsearch reindex --full`"
        ) from exc
