"""The manifest's log (:mod:`indexer.indexing.manifestfile`): an incremental reindex appends
the entries of the files that changed instead of rewriting the whole manifest, and what is
read back is always the manifest last written, whatever a crash left in the log."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import indexer
from indexer.indexing import generations as store
from indexer.indexing import manifestfile
from indexer.indexing.manifestfile import LOG, read_manifest, write_manifest
from tests.helpers import write_jsonl


def _entry(n: int) -> dict:
    return {"mtime_ns": n, "size": n, "docs": {f"d{n}": f"h{n}"}, "problems": []}


def _base(n_files: int = 40) -> dict[str, dict]:
    return {f"f{i:02}.jsonl": _entry(i) for i in range(n_files)}


def test_changed_entries_are_appended_and_read_back(tmp_path):
    files = _base()
    write_manifest(tmp_path, files)
    base_bytes = (tmp_path / store.MANIFEST).read_bytes()
    previous = read_manifest(tmp_path)["files"]
    entries = dict(previous)
    entries["f03.jsonl"] = _entry(103)  # changed
    entries["new.jsonl"] = _entry(200)  # new
    del entries["f07.jsonl"]  # gone
    write_manifest(tmp_path, entries, previous)
    assert (tmp_path / store.MANIFEST).read_bytes() == base_bytes  # not rewritten
    assert (tmp_path / LOG).stat().st_size < len(base_bytes) // 4
    assert read_manifest(tmp_path) == {"files": entries}
    # and again, on top of the log
    previous = read_manifest(tmp_path)["files"]
    later = dict(previous)
    later["f03.jsonl"] = _entry(303)
    write_manifest(tmp_path, later, previous)
    assert read_manifest(tmp_path) == {"files": later}


def test_a_log_past_its_share_of_the_base_makes_a_new_base(tmp_path):
    write_manifest(tmp_path, _base())
    bases = {(tmp_path / store.MANIFEST).read_bytes()}
    for round_ in range(30):
        previous = read_manifest(tmp_path)["files"]
        entries = dict(previous)
        for i in range(5):
            entries[f"f{i:02}.jsonl"] = _entry(1000 * round_ + i)
        write_manifest(tmp_path, entries, previous)
        assert read_manifest(tmp_path) == {"files": entries}
        log = tmp_path / LOG
        assert not log.exists() or log.stat().st_size <= (
            (tmp_path / store.MANIFEST).stat().st_size // manifestfile.LOG_SHARE)
        bases.add((tmp_path / store.MANIFEST).read_bytes())
    assert 2 <= len(bases) < 30  # rewritten now and then, not every time


def test_a_torn_record_is_ignored_and_the_next_write_rewrites_the_base(tmp_path):
    write_manifest(tmp_path, _base())
    previous = read_manifest(tmp_path)["files"]
    entries = {**previous, "f01.jsonl": _entry(101)}
    write_manifest(tmp_path, entries, previous)
    with open(tmp_path / LOG, "ab") as fh:  # a crash halfway through the next append
        fh.write(b"\x40\x00\x00\x00\x01\x02\x03\x04half a rec")
    assert read_manifest(tmp_path) == {"files": entries}
    previous = read_manifest(tmp_path)["files"]
    newer = {**previous, "f02.jsonl": _entry(102)}
    write_manifest(tmp_path, newer, previous)
    assert not (tmp_path / LOG).exists()  # base rewritten, log gone
    assert read_manifest(tmp_path) == {"files": newer}


def test_records_of_an_older_base_are_ignored(tmp_path):
    """A crash after a new base was written but before the log was removed leaves records
    made for the previous base: they must not be applied on top of the newer one."""
    write_manifest(tmp_path, _base())
    previous = read_manifest(tmp_path)["files"]
    write_manifest(tmp_path, {**previous, "f01.jsonl": _entry(101)}, previous)
    stale_log = (tmp_path / LOG).read_bytes()
    newest = {**_base(), "f01.jsonl": _entry(555)}
    write_manifest(tmp_path, newest)  # a full write: new token
    (tmp_path / LOG).write_bytes(stale_log)  # as if the unlink never happened
    assert read_manifest(tmp_path) == {"files": newest}


def test_a_version_2_manifest_is_read_and_replaced(tmp_path):
    files = _base(3)
    (tmp_path / store.MANIFEST).write_bytes(marshal.dumps((2, files)))
    assert read_manifest(tmp_path) == {"files": files}
    previous = read_manifest(tmp_path)["files"]
    entries = {**previous, "f00.jsonl": _entry(9)}
    write_manifest(tmp_path, entries, previous)  # no token to log against: a new base
    assert (tmp_path / store.MANIFEST).read_bytes().startswith(manifestfile.MAGIC)
    assert read_manifest(tmp_path) == {"files": entries}


def test_an_incremental_reindex_of_one_file_appends_to_the_log(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for n in range(30):
        write_jsonl(corpus / f"p{n:02}.jsonl",
                    [{"id": f"{n}-{i}", "title": f"Điều {i}", "text": f"văn bản số {n} {i}"}
                     for i in range(20)])
    indexer.reindex(corpus, index_dir)
    generation = store.current_generation(index_dir)
    base = (generation / store.MANIFEST).read_bytes()
    write_jsonl(corpus / "p05.jsonl", [{"id": "5-0", "title": "Điều 0", "text": "sửa đổi"}])
    (corpus / "p06.jsonl").unlink()
    report = indexer.reindex(corpus, index_dir)
    assert (report.mode, report.updated, report.deleted) == ("incremental", 1, 39)
    assert (generation / store.MANIFEST).read_bytes() == base
    assert (generation / LOG).exists()
    files = read_manifest(generation)["files"]
    assert "p06.jsonl" not in files and files["p05.jsonl"]["docs"].keys() == {"5-0"}
    again = indexer.reindex(corpus, index_dir)  # nothing changed: nothing to write
    assert (again.mode, again.updated, again.added, again.deleted) == ("incremental", 0, 0, 0)
    hits = indexer.search(indexer.open_index(index_dir), "sửa đổi").hits
    assert [h.id for h in hits] == ["5-0"]


def test_the_log_is_kept_out_of_a_full_rebuild(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [{"id": "1", "title": "a", "text": "một"}])
    indexer.reindex(corpus, index_dir)
    report = indexer.reindex(corpus, index_dir, full=True)
    generation = store.current_generation(index_dir)
    assert report.mode == "full" and not (generation / LOG).exists()
    assert Path(generation / store.MANIFEST).read_bytes().startswith(manifestfile.MAGIC)


def test_a_bad_record_with_more_after_it_makes_the_manifest_unreadable(tmp_path):
    """Entries lost in the middle of the log cannot be told from a complete manifest
    (a file added, then deleted, would keep its documents for ever): rebuild instead."""
    write_manifest(tmp_path, _base())
    for n in (101, 102):
        previous = read_manifest(tmp_path)["files"]
        write_manifest(tmp_path, {**previous, f"f{n - 100:02}.jsonl": _entry(n)}, previous)
    log = bytearray((tmp_path / LOG).read_bytes())
    log[12] ^= 0xFF  # inside the first record's payload
    (tmp_path / LOG).write_bytes(bytes(log))
    assert read_manifest(tmp_path) is None


def test_the_log_is_readable_by_another_user(tmp_path):
    write_manifest(tmp_path, _base())
    previous = read_manifest(tmp_path)["files"]
    old = os.umask(0o077)
    try:
        write_manifest(tmp_path, {**previous, "f01.jsonl": _entry(101)}, previous)
    finally:
        os.umask(old)
    assert (tmp_path / LOG).stat().st_mode & 0o777 == 0o644


def test_documents_of_a_reindex_stopped_before_its_manifest_are_deleted_later(
        tmp_path, monkeypatch):
    """A reindex that committed its documents but stopped before writing the manifest
    leaves the manifest unaware of a new file; once that file is deleted, its documents
    must still go (they used to stay searchable for ever)."""

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [{"id": "1", "title": "Hợp đồng", "text": "Điều 1."}])
    indexer.reindex(corpus, index_dir)
    write_jsonl(corpus / "b.jsonl", [{"id": "9", "title": "Thừa kế", "text": "di chúc"}])

    _stopped_after_its_commit(monkeypatch, corpus, index_dir)
    handle = indexer.open_index(index_dir)
    assert [h.id for h in indexer.search(handle, "di chúc").hits] == ["9"]  # committed
    handle.close()
    (corpus / "b.jsonl").unlink()
    report = indexer.reindex(corpus, index_dir)
    assert (report.mode, report.deleted, report.documents) == ("incremental", 1, 1)
    handle = indexer.open_index(index_dir)
    assert indexer.search(handle, "di chúc").hits == []
    assert [h.id for h in indexer.search(handle, "hợp đồng").hits] == ["1"]
    handle.close()


def test_documents_a_stopped_reindex_committed_are_counted_once_by_the_accent_model(
        tmp_path, monkeypatch):
    """Found by a QA pass (kill -9 right after the commit): the next reindex rebuilt the
    model from the index, which held the stopped run's documents, then added them again
    and counted them twice (restore: 'cang bien' -> cảng biện), until a --full rebuild."""

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [{"id": "1", "title": "Hợp đồng", "text": "Điều 1."}])
    indexer.reindex(corpus, index_dir)
    write_jsonl(corpus / "b.jsonl", [{"id": str(n), "title": "Cảng biển",
                                      "text": f"Tàu vào cảng biển số {n}."} for n in range(5)])

    _stopped_after_its_commit(monkeypatch, corpus, index_dir)
    report = indexer.reindex(corpus, index_dir)
    assert "accent model was out of date; rebuilt from the index" in report.notes
    indexer.reindex(corpus, tmp_path / "fresh", full=True)
    counted = {}
    for name in ("index", "fresh"):
        handle = indexer.open_index(tmp_path / name)
        try:
            counts = handle.model().counts
            counted[name] = sorted(counts.tri.values())
        finally:
            handle.close()
    assert counted["index"] == counted["fresh"]


def test_a_line_broken_since_the_last_reindex_keeps_its_document(tmp_path):
    """An invalid JSON line deleted what was indexed from it (1 deleted), although a skip
    never deletes (a record too large already kept its indexed version)."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    records = [{"id": f"m{n}", "title": f"Điều {n}", "text": f"nội dung số {n}"}
               for n in range(1, 5)]
    write_jsonl(corpus / "a.jsonl", records)
    indexer.reindex(corpus, index_dir)
    lines = (corpus / "a.jsonl").read_text("utf-8").splitlines()
    lines[1] = '{"id": "m2", oops, "title": "Điều 2"}'
    lines[2] = lines[2].replace("nội dung số 3", "nội dung mới")
    (corpus / "a.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    report = indexer.reindex(corpus, index_dir)
    assert (report.deleted, report.updated, report.documents) == (0, 1, 4)
    assert any("'m2' keeps what was indexed" in p.reason for p in report.skipped)
    handle = indexer.open_index(index_dir)
    try:
        assert [h.id for h in indexer.search(handle, "nội dung số 2").hits][:1] == ["m2"]
        assert [h.id for h in indexer.search(handle, "nội dung mới").hits][:1] == ["m3"]
    finally:
        handle.close()


def _stopped_after_its_commit(monkeypatch, corpus, index_dir) -> None:
    """A reindex of ``corpus`` stopped right after its index commit, before its manifest
    (as a kill -9 there would)."""
    from indexer.indexing import manifest as manifests

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(manifests, "write_manifest", stopped)
        try:
            indexer.reindex(corpus, index_dir)
        except KeyboardInterrupt:
            pass
