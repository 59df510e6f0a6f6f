"""Ingestion that never drops data (issue 10, findings 4-8 and 10; 9 is in test_workers.py).

Each test reproduces what a user saw: documents that vanished, a reindex that
died on one line, records cut in two, the wrong copy of a repeated id, a crash
on a small corpus, a file from outside the corpus being served.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import indexer
from indexer.corpus.reader import SourceFile, read_file
from search_app import create_app
from tests.helpers import ROOT, write_jsonl

TEXT = "Cán bộ đảng viên phải gương mẫu trong công việc hằng ngày."
MB = 1024 * 1024


def record(doc_id: str, title: str = "Cán bộ", text: str = TEXT, **more) -> dict:
    return {"id": doc_id, "title": title, "text": text, **more}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def titles(index_dir: Path, *ids: str) -> dict[str, str | None]:
    handle = indexer.open_index(index_dir)
    try:
        return {i: (doc.title if (doc := indexer.document(handle, i)) else None) for i in ids}
    finally:
        handle.close()


def total(index_dir: Path, query: str = "can bo", **kwargs) -> int:
    handle = indexer.open_index(index_dir)
    try:
        return indexer.search(handle, query, **kwargs).total
    finally:
        handle.close()


def reasons(report) -> dict[str, str]:
    return {p.path: p.reason for p in report.problems}


# --- finding 4: no file-size limit for JSONL; a skipped file keeps its documents ------------

def test_a_jsonl_file_over_20_mb_is_indexed_record_by_record(tmp_path):
    """21 MB of JSONL (two blank lines of 10.5 MB spaces between records): every record."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "big.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(record("a"), ensure_ascii=False) + "\n")
        for name in ("b", "c"):
            fh.write(" " * (21 * MB // 2) + "\n")
            fh.write(json.dumps(record(name), ensure_ascii=False) + "\n")
    assert (corpus / "big.jsonl").stat().st_size > 21 * MB
    report = indexer.reindex(corpus, tmp_path / "index")
    assert (report.documents, report.problems) == (3, [])
    assert total(tmp_path / "index") == 3


def test_a_record_over_its_limit_is_skipped_alone(tmp_path):
    from indexer.corpus.reader import Limits

    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "c.jsonl", [record("a"), record("long", text="x " * 5000),
                                     record("b")])
    report = indexer.reindex(corpus, tmp_path / "index", limits=Limits(max_record=4000))
    assert report.documents == 2
    assert list(reasons(report)) == ["c.jsonl:2"]
    assert "record too large (10," in reasons(report)["c.jsonl:2"]


def test_a_record_that_grows_over_its_limit_keeps_its_indexed_version(tmp_path):
    """Never delete on a skip, record by record too: the oversized record's id is read
    from its beginning and what was indexed from it stays; its neighbours still update."""
    from indexer.corpus.reader import Limits

    corpus, index_dir, limits = tmp_path / "corpus", tmp_path / "index", Limits(max_record=4000)
    path = write_jsonl(corpus / "c.jsonl", [record("a"), record("long", title="Cán bộ cũ"),
                                            record("b")])
    indexer.reindex(corpus, index_dir, limits=limits)
    write_jsonl(path, [record("a", title="Cán bộ mới"), record("long", text="x " * 5000),
                       record("b")])
    report = indexer.reindex(corpus, index_dir, limits=limits)
    assert (report.updated, report.deleted) == (1, 0), report.summary()
    assert titles(index_dir, "a", "long") == {"a": "Cán bộ mới", "long": "Cán bộ cũ"}
    assert "keeps what was indexed" in reasons(report)["c.jsonl:2"]
    write_jsonl(path, [record("a", title="Cán bộ mới"), record("b")])  # really removed
    assert indexer.reindex(corpus, index_dir, limits=limits).deleted == 1


def test_a_growing_collection_keeps_its_documents_and_gains_new_ones(tmp_path):
    """19 MB -> 21.6 MB used to delete the whole collection from the live index."""
    corpus = tmp_path / "corpus"
    path = write_jsonl(corpus / "news.jsonl", [record(f"n{i}") for i in range(3)])
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write((" " * (11 * MB) + "\n") * 2 + json.dumps(record("n3"), ensure_ascii=False)
                 + "\n")
    report = indexer.reindex(corpus, index_dir)
    assert (report.added, report.deleted, report.unchanged) == (1, 0, 3), report.summary()
    assert total(index_dir) == 4


def test_a_page_over_the_limit_keeps_what_was_indexed(tmp_path):
    """A page that grows past the limit, or turns unreadable, is skipped: never deleted."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = corpus / "page.txt"
    page.write_text(f"{TEXT}\n\nĐoạn hai.", "utf-8")
    write_jsonl(corpus / "c.jsonl", [record("r1")])
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    with open(page, "r+b") as fh:  # sparse: 21 MB in no time
        fh.truncate(21 * MB)
    grown = indexer.reindex(corpus, index_dir)
    assert (grown.added, grown.updated, grown.deleted) == (0, 0, 0), grown.summary()
    assert "file too large (22,020,096 bytes > limit of 20,971,520" in reasons(grown)["page.txt"]
    assert "the 1 document(s) indexed from it before are kept" in reasons(grown)["page.txt"]
    assert titles(index_dir, "page.txt")["page.txt"] is not None
    again = indexer.reindex(corpus, index_dir)  # still skipped, still reported, still kept
    assert (again.deleted, again.documents) == (0, 2) and "page.txt" in reasons(again)

    page.write_text(f"{TEXT}\n\nĐoạn ba." + " x" * 2000, "utf-8")  # 4 KB, over a 1 KB limit
    done = run_cli("reindex", "--corpus", str(corpus), "--index", str(index_dir),
                   "--max-page-size", "1KB")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "skipped: page.txt: file too large (4," in done.stderr
    assert "bytes > limit of 1,024, see --max-page-size)" in done.stderr
    raised = indexer.reindex(corpus, index_dir, limits=indexer.Limits(max_page=MB))
    assert (raised.updated, raised.deleted, raised.problems) == (1, 0, [])


def test_an_unreadable_collection_keeps_its_documents(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    path = write_jsonl(corpus / "c.jsonl", [record("r1"), record("r2")])
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    write_jsonl(path, [record("r1", title="Sửa"), record("r2")])
    real_open = os.open

    def denied(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    report = indexer.reindex(corpus, index_dir)
    assert (report.deleted, report.documents) == (0, 2), report.summary()
    assert reasons(report)["c.jsonl"].startswith("cannot read (Permission denied), skipped")
    monkeypatch.undo()
    fixed = indexer.reindex(corpus, index_dir)
    assert (fixed.updated, fixed.deleted) == (1, 0)
    assert titles(index_dir, "r1") == {"r1": "Sửa"}


# --- finding 5: a bad line is one problem, never the end of the reindex ---------------------

def test_hostile_json_lines_are_skipped_one_line_each(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [json.dumps(record("ok-1")), "[" * 1000, '{"id": "n", "x": ' + "9" * 4400 + "}",
             '{"id": "deep", "title": ' + "[" * 950 + "]" * 950 + "}",
             "{" * 100_000, json.dumps(record("ok-2"))]
    (corpus / "c.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    index_dir = tmp_path / "index"
    for _ in range(2):  # the incremental run too (it used to fail on every run)
        done = run_cli("reindex", "--corpus", str(corpus), "--index", str(index_dir))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped:")]
        assert [line.split(":")[1:3] for line in skipped] == [
            [" c.jsonl", "2"], [" c.jsonl", "3"], [" c.jsonl", "4"], [" c.jsonl", "5"]
        ], done.stderr
        assert "nested too deeply" in skipped[0] and "too many digits" in skipped[1]
        # 950 deep is legal JSON, but a title of nested lists is no text (it was indexed
        # as the repr "[[[[…": cadd8a6): the record has no title or text
        assert "record 'deep' has no title or text" in skipped[2]
    assert total(index_dir) == 2


# --- finding 6: records are split at \n only -----------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_unicode_line_separators_inside_strings_keep_records_whole(tmp_path, encoding):
    corpus = tmp_path / "corpus"
    path = write_jsonl(corpus / "c.jsonl", [
        record("a", title="Một\u2028hai", text="ba\u2029bốn\x85năm " + TEXT),
        record("b"),
        {"id": "c"},  # line 3: no title or text
    ])
    assert "\u2028" in path.read_text("utf-8")  # written raw
    path.write_bytes(path.read_text("utf-8").encode(encoding))
    report = indexer.reindex(corpus, tmp_path / "index")
    assert report.documents == 2
    assert list(reasons(report)) == ["c.jsonl:3"]
    assert titles(tmp_path / "index", "a")["a"] == "Một\u2028hai"


# --- finding 7: one rule for repeated ids, on every run -------------------------------------

def test_a_repeated_id_first_wins_everywhere_and_edits_apply(tmp_path):
    corpus = tmp_path / "corpus"
    path = write_jsonl(corpus / "c.jsonl", [record("x", title="Bản đầu"), record("y"),
                                            record("x", title="Bản sau")])
    write_jsonl(corpus / "d.jsonl", [record("y", title="Bản khác")])
    index_dir = tmp_path / "index"
    expected = {"c.jsonl:3": "duplicate id 'x' (first in c.jsonl:1), skipped",
                "d.jsonl": "duplicate id 'y' (first in c.jsonl), skipped"}

    full = indexer.reindex(corpus, index_dir, full=True)
    assert (reasons(full), full.documents) == (expected, 2)
    assert titles(index_dir, "x", "y") == {"x": "Bản đầu", "y": "Cán bộ"}
    unchanged = indexer.reindex(corpus, index_dir)
    assert reasons(unchanged) == expected and not unchanged.changed

    write_jsonl(path, [record("x", title="Bản đầu đã sửa"), record("y"),
                       record("x", title="Bản sau")])
    edited = indexer.reindex(corpus, index_dir)
    assert (edited.updated, reasons(edited)) == (1, expected)
    assert titles(index_dir, "x")["x"] == "Bản đầu đã sửa"
    write_jsonl(path, [record("x", title="Bản đầu đã sửa"), record("y"),
                       record("x", title="Bản sau đã sửa")])
    loser_edited = indexer.reindex(corpus, index_dir)
    assert (loser_edited.updated, loser_edited.unchanged) == (0, 2)
    assert titles(index_dir, "x")["x"] == "Bản đầu đã sửa"


def test_path_order_is_the_same_for_full_and_incremental(tmp_path):
    """``a.jsonl`` sorts before ``a/b.jsonl``; the walk used to visit the folder first."""
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [record("x", title="Trong a.jsonl")])
    write_jsonl(corpus / "a/b.jsonl", [record("x", title="Trong a/b.jsonl")])
    full = indexer.reindex(corpus, tmp_path / "index", full=True)
    assert list(reasons(full)) == ["a/b.jsonl"]
    assert titles(tmp_path / "index", "x") == {"x": "Trong a.jsonl"}
    (corpus / "a.jsonl").unlink()
    moved = indexer.reindex(corpus, tmp_path / "index")
    assert (moved.updated, moved.problems) == (1, [])
    assert titles(tmp_path / "index", "x") == {"x": "Trong a/b.jsonl"}


# --- finding 8: --procs N for any corpus size; an empty index answers 0 results -------------

@pytest.mark.parametrize("count", [0, 1, 64, 65])
def test_procs_2_builds_any_corpus_size(tmp_path, count):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if count:
        write_jsonl(corpus / "c.jsonl", [record(f"d{i}") for i in range(count)])
    done = run_cli("reindex", "--full", "--procs", "2", "--corpus", str(corpus),
                   "--index", str(tmp_path / "index"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{count} documents" in done.stdout
    found = run_cli("search", "can bo", "--index", str(tmp_path / "index"), "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == count


def test_an_empty_index_answers_no_results_everywhere(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    indexer.reindex(corpus, tmp_path / "index", full=True, procs=2)
    for sort in ("relevance", "date"):
        for query in ("can bo", '"cán bộ"', "can*", "can -bo", "can OR bo"):
            assert total(tmp_path / "index", query, sort=sort) == 0
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    client = app.test_client()
    try:
        assert client.get("/search", query_string={"q": "can bo"}).status_code == 200
        answer = client.get("/api/search", query_string={"q": "can bo", "sort": "date"})
        assert answer.status_code == 200 and answer.get_json()["total"] == 0
    finally:
        if (handle := app.extensions.get("vnsearch")) is not None:
            handle.close()


# --- finding 10: confinement ----------------------------------------------------------------

def test_symlinks_out_of_the_corpus_and_special_files_are_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "c.jsonl", [record("r1")])
    secret = tmp_path / "secret.txt"
    secret.write_text("Mật khẩu: cán bộ đảng viên\n\nNội dung bí mật ngoài kho.", "utf-8")
    (tmp_path / "outside").mkdir()
    write_jsonl(tmp_path / "outside/more.jsonl", [record("outside")])
    os.symlink(secret, corpus / "passwd.txt")
    os.symlink("../secret.txt", corpus / "relative.txt")
    os.symlink(tmp_path / "outside", corpus / "outside-dir")
    os.symlink("/proc/self", corpus / "proc")
    os.symlink("c.jsonl", corpus / "inside.jsonl")  # inside the corpus: read
    os.mkfifo(corpus / "pipe.jsonl")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert reasons(report) == {
        "passwd.txt": "symlink to outside the corpus folder, skipped",
        "relative.txt": "symlink to outside the corpus folder, skipped",
        "outside-dir": "symlink to outside the corpus folder, skipped",
        "proc": "symlink to outside the corpus folder, skipped",
        "pipe.jsonl": "a FIFO, not a regular file, skipped",
        "inside.jsonl": "duplicate id 'r1' (first in c.jsonl), skipped",
    }
    assert report.documents == 1
    assert total(tmp_path / "index", "mat khau") == 0


def test_a_file_replaced_by_a_fifo_after_the_scan_does_not_block(tmp_path):
    fifo = tmp_path / "late.txt"
    os.mkfifo(fifo)
    problems: list = []
    source = SourceFile("late.txt", fifo, 0, 0)
    reader = threading.Thread(target=lambda: list(read_file(source, problems)), daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert [str(p) for p in problems] == ["late.txt: cannot read (a FIFO, not a regular file),"
                                          " skipped"]


# --- issue 13: warnings are not skips --------------------------------------------------------

def test_warnings_are_reported_apart_and_do_not_fail_strict(tmp_path):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "c.jsonl", [record("r1", date="31/02/2020")])
    (corpus / "nul.txt").write_bytes(TEXT.encode() + b"\x00\n\nhai")
    done = run_cli("reindex", "--strict", "--corpus", str(corpus),
                   "--index", str(tmp_path / "index"))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "warning: c.jsonl:1: record 'r1' has an invalid date, date ignored",
        "warning: nul.txt: 1 NUL byte(s) removed, file indexed"]
    assert "2 added" in done.stdout and "0 skipped, 2 warnings" in done.stdout
