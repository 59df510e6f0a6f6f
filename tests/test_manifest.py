"""The incremental plan (:func:`indexer.indexing.manifest.plan_incremental`) looks only at
the ids of the files that changed; applied to what was indexed, it must still give what a
full pass over the corpus indexes, whatever moved (repeated ids across files, vanished
files, records that moved from one file to another)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

import indexer
from indexer.corpus.reader import scan
from indexer.indexing import generations as store
from indexer.indexing.manifest import (
    Owners,
    full_documents,
    plan_incremental,
    read_manifest,
    write_manifest,
)
from tests.helpers import write_jsonl

FILES = [f"f{i}.jsonl" for i in range(5)]


def _mutate(root: Path, rng: random.Random, tick: list[int]) -> None:
    for rel in FILES:
        path = root / rel
        if path.exists() and rng.random() < 0.5:
            continue
        if path.exists() and rng.random() < 0.15:
            path.unlink()
            continue
        records = [{"id": str(rng.randrange(30)), "title": "t", "text": f"x{rng.randrange(3)}"}
                   for _ in range(rng.randrange(8))]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
        tick[0] += 1_000_000_000  # a distinct mtime for every write
        os.utime(path, ns=(tick[0], tick[0]))


def _full(root: Path) -> tuple[dict[str, str], list[list]]:
    problems: list = []
    docs = full_documents(scan(root, []), {}, problems, None, None)
    return {d.id: d.content_hash for d in docs}, [p.to_list() for p in problems]


@pytest.mark.parametrize("seed", range(40))
def test_applying_the_plan_gives_what_a_full_pass_indexes(tmp_path, seed):
    rng, tick = random.Random(seed), [1_700_000_000_000_000_000]
    indexed: dict[str, str] = {}
    old_files: dict[str, dict] = {}
    for _ in range(6):
        _mutate(tmp_path, rng, tick)
        problems: list = []
        plan = plan_incremental(scan(tmp_path, []), old_files, problems, None, None)
        for doc_id in plan.deletes:
            del indexed[doc_id]
        assert set(plan.replaced) <= indexed.keys()
        indexed.update((d.id, d.content_hash) for d in plan.writes)
        expected, expected_problems = _full(tmp_path)
        assert indexed == expected
        assert sorted(p.to_list() for p in problems) == sorted(expected_problems)
        assert plan.documents == len(expected)
        assert plan.added + plan.updated + plan.unchanged == len(expected)
        old_files = json.loads(json.dumps(plan.entries))  # as the manifest stores it


def test_owners_first_file_wins_and_losers_are_reported():
    files = {"b": {"docs": {"1": "h1b", "2": "h2"}}, "a": {"docs": {"1": "h1a"}},
             "c": {"docs": {"3": "h3", "1": "h1c"}}}
    problems: list = []
    owners = Owners(files, problems)
    assert owners.get("1") == ("h1a", "a") and owners.get("2") == ("h2", "b")
    assert owners.get("4") is None and len(owners) == 3
    assert [p.path for p in problems] == ["b", "c"]
    assert owners.in_order({"3", "1", "2"}) == ["1", "2", "3"]
    no_report: list = []
    Owners({"a": {"docs": {"1": "x"}}, "b": {"docs": {"2": "y"}}}, no_report)
    assert no_report == []


def _indexed(tmp_path: Path) -> tuple[Path, Path, Path]:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "a.jsonl", [{"id": "1", "title": "Hợp đồng", "text": "Điều 1."},
                                     {"id": "2", "title": "Bộ luật", "text": "Điều 2."}])
    write_jsonl(corpus / "b.jsonl", [{"id": "3", "title": "Dân sự", "text": "Điều 3."}])
    indexer.reindex(corpus, index_dir)
    return corpus, index_dir, store.current_generation(index_dir)


def test_an_index_with_a_json_manifest_is_updated_incrementally_and_migrated(tmp_path):
    """Indexes written before manifest.bin hold manifest.json: still read (no rebuild),
    and replaced by the binary one at the next reindex."""
    corpus, index_dir, generation = _indexed(tmp_path)
    files = read_manifest(generation)["files"]
    (generation / store.MANIFEST).unlink()
    (generation / store.LEGACY_MANIFEST).write_text(json.dumps({"files": files}), "utf-8")
    assert read_manifest(generation) == {"files": files}
    write_jsonl(corpus / "b.jsonl", [{"id": "3", "title": "Dân sự", "text": "Điều 4."}])
    report = indexer.reindex(corpus, index_dir)
    assert (report.mode, report.updated, report.unchanged) == ("incremental", 1, 2)
    assert store.current_generation(index_dir) == generation
    assert not (generation / store.LEGACY_MANIFEST).exists()
    assert read_manifest(generation)["files"].keys() == files.keys()


def test_a_damaged_manifest_means_a_full_rebuild(tmp_path):
    corpus, index_dir, generation = _indexed(tmp_path)
    (generation / store.MANIFEST).write_bytes(b"\x00garbage")
    assert read_manifest(generation) is None
    report = indexer.reindex(corpus, index_dir)
    assert (report.mode, report.added) == ("full", 3)


def test_the_manifest_round_trips(tmp_path):
    entries = {"a.jsonl": {"mtime_ns": 1, "size": 2, "docs": {"x": "h"}, "problems": [["a", "b"]]}}
    write_manifest(tmp_path, entries)
    assert read_manifest(tmp_path) == {"files": entries}
