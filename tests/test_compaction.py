"""An index kept up to date by incremental reindexes answers as a fresh build of the same
documents would, and stays about its size (issue 16: compaction and statistics).

The corpus is the benchmark's generator (sentences of the shipped laws and news), small;
the queries are the benchmark's fixed ones.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

import indexer
from bench import corpus_gen
from bench.queries import FIXED
from indexer.cli.commands import cli
from indexer.indexing import compaction
from indexer.indexing import generations as store
from indexer.whoosh_ext.codec import read_postings
from tests.helpers import write_jsonl
from tests.test_live_index import open_fds

FILES = 4


def _records(count: int, seed: int, prefix: str) -> list[dict]:
    records = list(corpus_gen.generate(count, seed=seed, pool=_pool()))
    for record in records:
        record["id"] = record["id"].replace("gen-", prefix)
    return records


_POOL: list = []


def _pool() -> corpus_gen.Pool:
    if not _POOL:
        _POOL.append(corpus_gen.load_pool())
    return _POOL[0]


def _write(corpus: Path, records: list[dict]) -> None:
    """Each record in the same file every time (its id says which)."""
    for n in range(FILES):
        write_jsonl(corpus / f"part-{n}.jsonl",
                    [r for r in records if zlib.crc32(r["id"].encode()) % FILES == n])


def _churn(corpus: Path, index_dir: Path, records: list[dict], rounds: int, seed: int = 7):
    """``rounds`` incremental reindexes, each changing, deleting and adding documents."""
    rng = random.Random(seed)
    for round_no in range(rounds):
        for record in rng.sample(records, len(records) // 5):
            record["text"] += f"\nSửa đổi lần {round_no}: điều khoản được cập nhật, bổ sung."
        for record in rng.sample(records, len(records) // 20):
            records.remove(record)
        records += _records(len(records) // 20, seed=100 + round_no, prefix=f"new{round_no}-")
        _write(corpus, records)
        report = indexer.reindex(corpus, index_dir)
        assert report.updated and report.deleted and report.added
    return records


def _top10(index_dir: Path) -> dict[str, list[tuple[str, float]]]:
    handle = indexer.open_index(index_dir)
    try:
        return {query: [(hit.id, hit.score) for hit in indexer.search(
                    handle, query, suggest=False, budget=0).hits]
                for query in FIXED}
    finally:
        handle.close()


def _segments(index_dir: Path) -> list[tuple[int, int]]:
    """(documents, deleted) of each segment of the live commit."""
    ix = whoosh_index.open_dir(str(store.current_generation(index_dir)),
                               indexname=store.INDEX_NAME)
    try:
        with ix.reader() as reader:
            return [(leaf.segment().doc_count_all(), leaf.segment().deleted_count())
                    for leaf, _ in reader.leaf_readers()]
    finally:
        ix.close()


@pytest.fixture(scope="module")
def churned(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(corpus, incrementally updated index, fresh build of the final corpus)."""
    base = tmp_path_factory.mktemp("churn")
    corpus, index_dir, fresh = base / "corpus", base / "index", base / "fresh"
    records = _records(400, seed=42, prefix="doc-")
    _write(corpus, records)
    indexer.reindex(corpus, index_dir, full=True)
    _churn(corpus, index_dir, records, rounds=6)
    indexer.reindex(corpus, fresh, full=True)
    return corpus, index_dir, fresh


def test_top10_after_many_updates_equals_a_fresh_builds(churned):
    """Six rounds of updates, deletions and additions: every bench query's top 10 (ids in
    order, and scores) is the fresh build's. Before: N, df and average lengths counted the
    deleted versions, and 8 of 50 bench queries ranked differently at 100k."""
    _, index_dir, fresh = churned
    ours, theirs = _top10(index_dir), _top10(fresh)
    assert sum(bool(hits) for hits in theirs.values()) >= len(FIXED) - 5
    for query in FIXED:
        assert [i for i, _ in ours[query]] == [i for i, _ in theirs[query]], query
        assert [s for _, s in ours[query]] == pytest.approx([s for _, s in theirs[query]],
                                                            rel=1e-9), query


def test_updates_leave_no_segment_with_more_than_a_tenth_deleted(churned):
    """Deleted versions are purged from disk as reindexes go: no segment keeps more than
    10% of its documents deleted (before: the first segment kept every replaced and
    removed version, 60% of it after these rounds), and at most 3 segments share a tier."""
    _, index_dir, _ = churned
    segments = _segments(index_dir)
    assert all(deleted <= 0.1 * documents for documents, deleted in segments), segments
    assert len(segments) < compaction.TIER_FACTOR + 1


def test_optimize_writes_what_a_fresh_build_holds(churned, tmp_path):
    """``optimize``: one segment whose postings (weights, positions), one-byte lengths,
    stored fields and columns are a fresh build's, document for document; the top 10s
    stay the fresh build's; the next reindex finds meta.json current (no note)."""
    corpus, churned_index, fresh = churned
    index_dir = tmp_path / "index"
    shutil.copytree(churned_index, index_dir)
    result = CliRunner().invoke(cli, ["optimize", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"optimize: \d+ segments merged into 1, \d+ deleted documents purged;"
                        r" [\d.]+ MB, [\d.]+ s\n", result.output), result.output
    assert [deleted for _, deleted in _segments(index_dir)] == [0]
    assert _contents(index_dir) == _contents(fresh)
    assert _top10(index_dir) == _top10(fresh)
    again = indexer.reindex(corpus, index_dir)
    assert not again.changed and not again.notes and not again.merges
    handle = indexer.open_index(index_dir)
    stats = indexer.stats(handle)
    handle.close()
    size = store.generation_size(store.current_generation(index_dir))
    assert stats.index_bytes == pytest.approx(size, rel=0.01)  # meta.json's own size aside
    result = CliRunner().invoke(cli, ["optimize", "--index", str(index_dir)])
    assert result.output.startswith("optimize: nothing to do"), result.output


def test_optimize_without_an_index_says_so_and_creates_nothing(tmp_path):
    result = CliRunner().invoke(cli, ["optimize", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == (f"Error: no index in {tmp_path / 'none'}: run `vnsearch reindex`"
                             " first\n")
    assert not (tmp_path / "none").exists()


def _contents(index_dir: Path) -> dict:
    """Everything a segment holds, keyed by document id instead of docnum."""
    ix = whoosh_index.open_dir(str(store.current_generation(index_dir)),
                               indexname=store.INDEX_NAME)
    found: dict = {}
    try:
        with ix.reader() as reader:
            ids = {d: fields["id"] for d, fields in reader.iter_docs()}
            found["stored"] = {fields["id"]: fields for _, fields in reader.iter_docs()}
            for name, field in reader.schema.items():
                if field.scorable:
                    found[f"length {name}"] = {ids[d]: reader.doc_field_length(d, name)
                                               for d in ids}
                if field.column_type:
                    column = reader.column_reader(name)
                    found[f"column {name}"] = {ids[d]: column[d] for d in ids}
            for name, btext in reader.all_terms():
                docnums, weights, values = read_postings(reader, name, btext, True)
                found[name, btext] = {ids[d]: (w, v) for d, w, v in
                                      zip(docnums, weights, values, strict=True) if d in ids}
    finally:
        ix.close()
    return found


# --- the merge policy ---------------------------------------------------------------------


def _sized(*specs: tuple[int, int] | tuple[int, int, bool]) -> list[compaction.SegmentSize]:
    return [compaction.SegmentSize(f"s{n}", *spec) for n, spec in enumerate(specs)]


def test_tiers_are_fourfold_above_the_floor():
    assert [compaction.tier(n) for n in (0, 1_999, 2_000, 7_999, 8_000, 32_000)] == [
        0, 0, 1, 1, 2, 3]


def test_a_tier_is_merged_when_it_holds_four_segments_smallest_first():
    three = _sized(*[(100 + n, 0) for n in range(3)], (5_000, 0), (6_000, 0), (7_000, 0))
    assert compaction.plan_merge(three) is None
    five = _sized((104, 0), *[(100 + n, 0) for n in range(4)], (5_000, 0))
    assert compaction.plan_merge(five) == ["s1", "s2", "s3", "s4"]


def test_the_base_segments_of_a_build_are_never_merged_by_tiers():
    """A full build of a million documents writes tens of segments of one size: merging
    them would make the next one-document reindex take minutes."""
    build = _sized(*[(30_000, 0, True)] * 30, (1, 0))
    assert compaction.plan_merge(build) is None


def test_a_segment_over_a_tenth_deleted_is_purged_base_alone_others_by_tier():
    """The largest deleted share first; a base segment alone, another with the other
    segments over the limit in its tier."""
    others = [(500, 60), (600, 70), (700, 10), (9_000, 1_000)]  # 12%, 11.7%, 1.4%, 11.1%
    assert compaction.plan_merge(_sized((30_000, 4_000, True), *others)) == ["s0"]
    assert compaction.plan_merge(_sized((30_000, 2_900, True), *others)) == ["s1", "s2"]
    assert compaction.plan_merge(_sized((30_000, 3_000, True), (9_000, 900))) is None


def test_a_server_answers_throughout_an_optimize(churned, tmp_path):
    """A handle searching in a loop while ``optimize`` merges: every answer is the same,
    none fails, and afterwards it holds no file of the merged-away segments."""
    _, churned_index, _ = churned
    index_dir = tmp_path / "index"
    shutil.copytree(churned_index, index_dir)
    handle = indexer.open_index(index_dir)

    def answer():  # scores to 9 digits: one segment may sum a document's terms in
        hits = indexer.search(handle, "hợp đồng lao động", budget=0).hits  # another order
        return [(h.id, float(f"{h.score:.9g}")) for h in hits]

    expected = answer()
    seen, failures, done = [], [], threading.Event()

    def searching():
        while not done.is_set():
            try:
                seen.append(answer())
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                failures.append(repr(exc))

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        report = indexer.optimize(index_dir)
        time.sleep(0.2)
    finally:
        done.set()
        thread.join()
    assert report.segments == 1 and report.merges == 1
    assert not failures, failures[:3]
    different = [hits for hits in seen if hits != expected]
    assert seen and not different, (len(different), len(seen), different[:1], expected)
    assert answer() == expected
    stale = [t for t in open_fds() if t.startswith(str(index_dir)) and t.endswith("(deleted)")]
    handle.close()
    assert not stale, stale


def test_an_incremental_reindex_that_merges_nothing_never_imports_numpy(tmp_path):
    """Merging needs numpy (0.2 s to import, 15% of a one-document reindex at 100k);
    a reindex whose compaction finds nothing to merge must not pay for it."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "a.jsonl", [{"id": "1", "title": "Hợp đồng", "text": "Điều 1."}])
    indexer.reindex(corpus, index_dir)
    write_jsonl(corpus / "b.jsonl", [{"id": "2", "title": "Bộ luật", "text": "Điều 2."}])
    probe = ("import sys; from pathlib import Path; import indexer;"
             f"r = indexer.reindex(Path({str(corpus)!r}), Path({str(index_dir)!r}));"
             "print(r.added, r.merges, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert out == ["1", "0", "False"]
