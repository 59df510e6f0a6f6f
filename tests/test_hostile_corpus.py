"""Hostile corpus files: each bad one is reported with a reason, the rest is indexed, and a
second reindex is a no-op.

Unreadable files: the suite runs as root, which reads a ``chmod 000`` file anyway, so
as root the permission error is simulated (``os.open`` / ``os.scandir`` raise
``PermissionError`` for those paths); as another user the real ``chmod 000`` is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import indexer
from tests.helpers import ROOT, cp1258_style, write_jsonl

TEXT = "Cán bộ đảng viên phải gương mẫu\n\nNội dung về trách nhiệm của cán bộ, đảng viên."
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")
AS_ROOT = os.geteuid() == 0
DEPTH = 80

# relative path -> substring of the reason it must be reported with
BAD = {
    "bad/invalid.txt": "not UTF-8, UTF-16 or cp1258",
    "bad/utf16-no-bom.txt": "binary file",
    "bad/empty.txt": "empty file",
    "bad/blank.txt": "empty file",
    "bad/huge.txt": "file too large",
    "bad/image.txt": "binary file",
    "bad/unreadable.txt": "cannot read (Permission denied)",
    "bad/unreadable-dir": "cannot read folder (Permission denied)",
    "bad/loop": "symlink loop",
    "bad/self-link.txt": "Too many levels of symbolic links",
    "bad/dangling.txt": "broken symlink",
    "bad/fifo.txt": "a FIFO, not a regular file",
    "records.jsonl:2": "invalid JSON",
    "records.jsonl:3": "not a JSON object",
    "records.jsonl:4": 'no "id"',
    "records.jsonl:5": "has control or invalid characters",
    "records.jsonl:6": "has control or invalid characters",
    "records.jsonl:7": "no title or text",
    "records.jsonl:9": "invalid date, date ignored",
    "dupes-b.jsonl": "duplicate id 'dup-1'",
    "notes.xyz": "unsupported format (.xyz), skipped",
    # indexed, with a warning
    "warn/damaged-utf8.txt": "1 invalid UTF-8 byte sequence(s) replaced",
    "warn/nul.txt": "2 NUL byte(s) removed",
}

WARNED = {"records.jsonl:9", "warn/damaged-utf8.txt", "warn/nul.txt"}  # indexed all the same
GOOD_RECORDS = ["rec-1", "rec-esc", "rec-surrogate", "rec-bad-date", "dup-1", "dup-2"]
GOOD_FILES = ["good/utf8.txt", "good/bom.txt", "good/utf16.txt", "good/cp1258.txt",
              "good/page.html", "tin tức/Cán bộ đảng viên ngày 1.txt", "odd/new\\nline.txt",
              "odd/esc\\x1b[2J.txt", "odd/tab\\x09name.txt", "odd/bad-\ufffd-byte.txt",
              "warn/damaged-utf8.txt", "warn/nul.txt", "notes.md",
              "/".join(f"d{i}" for i in range(10)) + "/shallow.txt"]


def nested(depth: int) -> str:
    return "/".join(f"d{i}" for i in range(depth))


def build_corpus(root: Path) -> Path:
    files: dict[str, bytes] = {
        "good/utf8.txt": TEXT.encode(),
        "good/bom.txt": b"\xef\xbb\xbf" + TEXT.replace("Cán bộ", "Cán bộ BOM").encode(),
        "good/utf16.txt": TEXT.replace("Cán bộ", "Cán bộ UTF16").encode("utf-16"),
        "good/cp1258.txt": cp1258_style(TEXT.replace("Cán bộ", "Cán bộ Windows"))
        .encode("cp1258"),
        "good/page.html": ("<html><head><title>Trang tin - Báo Mẫu</title></head><body>"
                           "<nav>Trang chủ</nav><article><h1>Cán bộ trong trang HTML</h1>"
                           "<p>Đảng viên <script>alert(1)</script> gương mẫu, trách nhiệm cao "
                           "với công việc hằng ngày.</p></article></body></html>").encode(),
        "tin tức/Cán bộ đảng viên ngày 1.txt": TEXT.encode(),
        "odd/new\nline.txt": TEXT.encode(),
        "odd/esc\x1b[2J.txt": TEXT.encode(),
        "odd/tab\tname.txt": TEXT.encode(),
        "warn/damaged-utf8.txt": TEXT.encode()[:20] + b"\xff" + TEXT.encode()[20:],
        "warn/nul.txt": TEXT.encode().replace(b"\n\n", b"\x00\n\n\x00"),
        nested(10) + "/shallow.txt": TEXT.encode(),
        nested(DEPTH) + "/deep.txt": TEXT.encode(),
        "bad/invalid.txt": b"caf\xe9 \x81\x8d\x8f\x90 bad bytes in no code page",
        "bad/utf16-no-bom.txt": TEXT.encode("utf-16-le"),
        "bad/empty.txt": b"",
        "bad/blank.txt": b" \n\t\r\n ",
        "bad/image.txt": PNG + bytes(range(256)),
        "bad/unreadable.txt": TEXT.encode(),
        "bad/unreadable-dir/inside.txt": TEXT.encode(),
        "notes.md": "# Ghi chú\n\nMarkdown is a corpus format now: trách nhiệm.".encode(),
        "notes.xyz": b"an unsupported format: reported, not silently ignored",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / os.fsdecode(b"odd/bad-\xff-byte.txt")).write_bytes(TEXT.encode())
    with open(root / "bad/huge.txt", "wb") as fh:  # sparse: 21 MB in no time
        fh.truncate(21 * 1024 * 1024)
    os.symlink("..", root / "bad/loop")
    os.symlink("self-link.txt", root / "bad/self-link.txt")
    os.symlink("nowhere.txt", root / "bad/dangling.txt")
    os.mkfifo(root / "bad/fifo.txt")  # never opened: reading it would block
    lines = [
        json.dumps({"id": "rec-1", "title": "Bản ghi tốt", "text": TEXT}, ensure_ascii=False),
        '{"id": "broken", "title": "thiếu ngoặc"',
        "[1, 2, 3]",
        json.dumps({"title": "không có id", "text": "x"}),
        json.dumps({"id": "id\u001b[31m", "title": "escape", "text": "x"}),
        json.dumps({"id": "id\ud800", "title": "surrogate", "text": "x"}),
        json.dumps({"id": "empty", "title": " ", "text": ""}),
        json.dumps({"id": "rec-esc", "title": "Tiêu đề \u001b]0;PWNED\u0007 \u009b31m lạ",
                    "text": "Nội dung \u0000 có \u001b[2J ký tự điều khiển"}),
        json.dumps({"id": "rec-bad-date", "title": "Ngày sai", "text": "x", "date": "31/02/20"}),
        json.dumps({"id": "rec-surrogate", "title": "Nửa cặp \ud800 thay thế",
                    "text": "cán bộ \udcff đảng viên \ud83d"}),
        "",
    ]
    (root / "records.jsonl").write_text("\n".join(lines), "utf-8")
    write_jsonl(root / "dupes-a.jsonl", [{"id": "dup-1", "title": "Bản đầu", "text": "một"}])
    write_jsonl(root / "dupes-b.jsonl", [{"id": "dup-1", "title": "Bản sau", "text": "hai"},
                                         {"id": "dup-2", "title": "Khác", "text": "ba"}])
    return root


@pytest.fixture
def unreadable(monkeypatch):
    """Make bad/unreadable.txt and bad/unreadable-dir unreadable, really or (as root) not."""
    paths: list[Path] = []

    def apply(root: Path) -> None:
        file, folder = root / "bad/unreadable.txt", root / "bad/unreadable-dir"
        paths[:] = [file, folder]
        if not AS_ROOT:
            file.chmod(0)
            folder.chmod(0)
            return
        real_open, scandir = os.open, os.scandir

        def fake_open(path, *args, **kwargs):
            if Path(path) == file:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        def fake_scandir(path="."):
            if Path(path) == folder:
                raise PermissionError(13, "Permission denied", str(path))
            return scandir(path)

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(os, "scandir", fake_scandir)

    def lift() -> None:
        monkeypatch.undo()
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)  # also bumps ctime, as a fix would

    yield apply, lift
    for path in paths:
        if path.exists():
            path.chmod(0o755 if path.is_dir() else 0o644)


def problems_by_path(report) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in report.problems:
        assert "\n" not in str(problem) and "\x1b" not in str(problem), str(problem)
        found[problem.path] = found.get(problem.path, "") + problem.reason
    return found


def test_bad_files_are_reported_and_the_rest_is_indexed(tmp_path, unreadable):
    corpus = build_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    apply, lift = unreadable
    apply(corpus)

    report = indexer.reindex(corpus, index_dir)
    problems = problems_by_path(report)
    deep = [path for path in problems if path.startswith(nested(60))]
    assert len(deep) == 1 and "nested too deep" in problems[deep[0]]
    for rel, reason in BAD.items():
        assert reason in problems.get(rel, ""), (rel, problems.get(rel))
    assert set(problems) == set(BAD) | set(deep), set(problems) ^ set(BAD)
    assert {p.path for p in report.warnings} == WARNED
    assert report.documents == report.added == len(GOOD_FILES) + len(GOOD_RECORDS)

    handle = indexer.open_index(index_dir)
    try:
        missing = [i for i in GOOD_FILES + GOOD_RECORDS if indexer.document(handle, i) is None]
        assert not missing
        hits = indexer.search(handle, "trach nhiem", per_page=100).hits
        found = {i for hit in hits for i in (hit.id, *hit.copies)}  # identical copies too
        assert set(GOOD_FILES) <= found, set(GOOD_FILES) - found
        # decoded correctly: found by the accented words of each encoding
        for word, rel in [("BOM", "good/bom.txt"), ("UTF16", "good/utf16.txt"),
                          ("Windows", "good/cp1258.txt"), ("HTML", "good/page.html")]:
            assert rel in {hit.id for hit in indexer.search(handle, f"cán bộ {word}").hits}
        damaged = indexer.document(handle, "warn/damaged-utf8.txt")
        assert "gương mẫu" in damaged.title and "\ufffd" in damaged.title + damaged.body
        assert "Ă" not in damaged.title + damaged.body  # no cp1258 mojibake
        assert "\x00" not in indexer.document(handle, "warn/nul.txt").body
        assert indexer.document(handle, "dup-1").title == "Bản đầu"
        odd = indexer.document(handle, "rec-esc")
        assert not any(c in odd.title + odd.body for c in "\x1b\x07\x9b\x00"), odd
        surrogate = indexer.document(handle, "rec-surrogate")
        assert "\ufffd" in surrogate.title and "đảng viên" in surrogate.body
        assert indexer.document(handle, "tin tức/Cán bộ đảng viên ngày 1.txt") is not None
        assert "<script" not in indexer.document(handle, "good/page.html").body
    finally:
        handle.close()

    again = indexer.reindex(corpus, index_dir)
    assert (again.added, again.updated, again.deleted) == (0, 0, 0), again.summary()
    assert again.unchanged == report.documents
    assert problems_by_path(again) == problems  # still reported, from the manifest

    lift()  # the administrator fixes the permissions: the files are read now
    fixed = indexer.reindex(corpus, index_dir)
    assert (fixed.added, fixed.updated, fixed.deleted) == (2, 0, 0), fixed.summary()
    assert "bad/unreadable.txt" not in problems_by_path(fixed)
    assert indexer.reindex(corpus, index_dir).changed is False


def _reindex_with_unreadable_folder(monkeypatch, folder: Path, corpus: Path, index: Path):
    """A reindex while ``folder`` cannot be listed: really, or (as root, who lists
    anything) by a ``PermissionError`` from ``os.scandir``; readable again after."""
    scandir = os.scandir

    def fake_scandir(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    if AS_ROOT:
        monkeypatch.setattr(os, "scandir", fake_scandir)
    else:
        folder.chmod(0)
    try:
        return indexer.reindex(corpus, index)
    finally:
        monkeypatch.undo()
        folder.chmod(0o755)


def test_a_folder_unreadable_now_keeps_what_was_indexed_from_it(tmp_path, monkeypatch):
    """Found by a QA pass: an unreadable file kept its documents, an unreadable folder's
    were deleted (its files never reached the manifest's keep rule)."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    (corpus / "sub").mkdir(parents=True)
    for name, word in [("sub/a.txt", "alpha"), ("sub/b.txt", "beta"), ("c.txt", "gamma")]:
        (corpus / name).write_text(f"Tiêu đề {word}\n\nnội dung {word}\n", "utf-8")
    assert indexer.reindex(corpus, index_dir).documents == 3
    folder = corpus / "sub"
    report = _reindex_with_unreadable_folder(monkeypatch, folder, corpus, index_dir)
    assert (report.deleted, report.documents) == (0, 3), report.summary()
    lines = [str(p) for p in report.problems]
    assert lines == ["sub: cannot read folder (Permission denied); the 2 document(s) indexed"
                     " from it before are kept"], lines
    handle = indexer.open_index(index_dir)
    try:
        assert indexer.search(handle, "alpha").total == 1
    finally:
        handle.close()
    (corpus / "sub/b.txt").unlink()  # readable again: what is gone now is deleted
    after = indexer.reindex(corpus, index_dir)
    assert (after.deleted, after.documents) == (1, 2), after.summary()


def test_an_id_passing_to_a_file_in_an_unreadable_folder_keeps_its_document(
        tmp_path, monkeypatch):
    """Found in review: when a duplicate id's owner went away and the other holder sat in
    a folder unreadable now, the incremental reindex failed with a KeyError."""
    from tests.helpers import write_jsonl

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write_jsonl(corpus / "a.jsonl", [{"id": "X", "title": "Bản A", "text": "alpha"}])
    write_jsonl(corpus / "sub" / "b.jsonl", [{"id": "X", "title": "Bản B", "text": "beta"}])
    assert indexer.reindex(corpus, index_dir).documents == 1
    (corpus / "a.jsonl").unlink()
    folder = corpus / "sub"
    report = _reindex_with_unreadable_folder(monkeypatch, folder, corpus, index_dir)
    assert report.documents == 1, report.summary()
    handle = indexer.open_index(index_dir)
    try:
        assert indexer.document(handle, "X") is not None  # kept as indexed, read later
    finally:
        handle.close()
    later = indexer.reindex(corpus, index_dir)  # readable again: B's version now
    handle = indexer.open_index(index_dir)
    try:
        assert later.documents == 1 and indexer.document(handle, "X").title == "Bản B"
    finally:
        handle.close()


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_cli_prints_one_line_per_problem_and_strict_exits_1(tmp_path):
    corpus = build_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    as_json = run_cli("reindex", "--corpus", str(corpus), "--index", str(index_dir), "--json")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["skipped"] == len(report["problems"]) >= len(BAD) - len(WARNED) - 2
    assert report["warned"] == len(report["warnings"]) == len(WARNED)

    done = run_cli("reindex", "--corpus", str(corpus), "--index", str(index_dir))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "0 added, 0 updated, 0 deleted" in done.stdout
    lines = done.stderr.splitlines()
    assert sorted(lines) == sorted([f"skipped: {problem}" for problem in report["problems"]]
                                   + [f"warning: {problem}" for problem in report["warnings"]])
    assert not any("\x1b" in line or "\r" in line for line in lines)

    strict = run_cli("reindex", "--strict", "--corpus", str(corpus), "--index", str(index_dir))
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert strict.stderr.splitlines() == lines


def test_a_clean_corpus_passes_strict(tmp_path):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "ok.jsonl", [{"id": "1", "title": "Cán bộ", "text": TEXT}])
    (corpus / "ok.txt").write_text(TEXT, "utf-8")
    done = run_cli("reindex", "--strict", "--corpus", str(corpus), "--index", str(tmp_path / "i"))
    assert done.returncode == 0 and not done.stderr, done.stderr


@pytest.mark.parametrize("data, problem", [
    (TEXT.encode(), None),
    (TEXT.encode()[:9] + b"\xc3" + TEXT.encode()[9:], "invalid UTF-8"),  # damaged lead byte
    (TEXT.encode() + b"\xe1\xba", "invalid UTF-8"),  # cut in the middle of a character
    (b"\xef\xbb\xbf" + TEXT.encode() + b"\xff", "invalid UTF-8"),  # BOM: UTF-8 whatever
    (cp1258_style(TEXT).encode("cp1258"), None),
    (cp1258_style(TEXT).encode("cp1258") + b"\xc3\xa1", None),  # one accidental UTF-8 pair
    ("Hà Nội".encode() + b"\x00" * 9 + b" " * 200, "binary"),
    (b"\x00" + TEXT.encode(), "NUL"),
])
def test_decoding_keeps_utf8_and_cp1258_apart(tmp_path, data, problem):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "f.txt").write_bytes(data)
    report = indexer.reindex(corpus, tmp_path / "index")
    reasons = " ".join(p.reason for p in report.problems)
    if problem is None:
        assert not reasons
    else:
        assert problem in reasons
    if "binary" not in reasons:
        handle = indexer.open_index(tmp_path / "index")
        doc = indexer.document(handle, "f.txt")
        handle.close()
        assert "đảng viên" in doc.title and "Ă" not in doc.title


def test_an_index_inside_the_corpus_folder_is_not_read_as_documents(tmp_path):
    """Found by a QA pass: the second reindex reported the index's own files (.seg, .toc,
    meta.json) as skipped documents, so --strict failed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Tiêu đề\n\nnội dung\n", "utf-8")
    for full in (False, False, True):
        report = indexer.reindex(corpus, corpus / "index", full=full)
        assert report.problems == [] and report.documents == 1, report.summary()
