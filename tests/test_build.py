"""Building and incrementally updating the index, as a user of `vnsearch reindex` sees it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime

import pytest
from whoosh.qparser import QueryParser

import indexer
from indexer import store
from indexer.lock import LOCK_NAME
from tests.conftest import ROOT, cp1258_style, write_jsonl

SEED1 = "news/000_098f74c0d94f660f.txt"
SEED2 = "news/003_4445158d6962ba22.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def test_seeds_index_with_their_fields(shipped):
    seed1 = indexer.document(shipped, SEED1)
    seed2 = indexer.document(shipped, SEED2)
    assert seed1.title == "Cán bộ, đảng viên có tinh thần trách nhiệm cao với công việc"
    assert seed1.date == datetime(2023, 12, 27, 9, 56)
    assert seed1.author == "T.SƠN"
    assert seed1.source == "HG"
    assert seed2.title.startswith("Tăng cường sự lãnh đạo của Đảng trong xây dựng đội ngũ")
    assert seed2.title.endswith("ngang tầm nhiệm vụ")
    assert seed2.date == datetime(2022, 7, 27, 8, 44, 11)
    assert seed2.author == "Huỳnh Diệu"
    assert seed2.source == "Cổng Thông Tin Điện Tử Phổ Biến Giáo Dục Pháp Luật Tỉnh Hậu Giang"
    for chrome in ("Viết bình luận mới", "Tin cùng chuyên mục", "Các tin khác", "Xem thêm >>"):
        assert chrome not in seed1.body
    for chrome in ("Đang online:", "Hôm nay:", "Đã truy cập:", "Lượt xem"):
        assert chrome not in seed2.body
    assert "Nghiêm Xuân Thành" in seed1.body and "Chỉ thị số 22- CT/TU" in seed2.body


def test_law_articles_keep_their_record_ids_and_metadata(shipped):
    doc = indexer.document(shipped, "bo-luat-hinh-su-2015/dieu-151")
    assert doc.title == "Điều 151. Tội mua bán người dưới 16 tuổi"
    assert doc.source == "Bộ luật hình sự 2015"
    assert doc.date == datetime(2015, 11, 27)
    assert indexer.stats(shipped).documents == 2681 + 2


@pytest.mark.parametrize("query, expected", [
    ("nghiem xuan thanh", {SEED1}),
    ("quy dinh so 08", {SEED1, SEED2}),
])
def test_unaccented_queries_find_the_seeds(shipped, shipped_index, query, expected):
    assert expected <= set(ids(indexer.search(shipped, query, per_page=10)))
    # The index itself answers unaccented queries: its own searcher over folded fields.
    generation, ix = store.open_generation(shipped_index)
    with ix.searcher() as searcher:
        parsed = QueryParser("all_f", ix.schema).parse(query)
        found = {hit["id"] for hit in searcher.search(parsed, limit=None)}
    ix.close()
    assert expected <= found


def test_identifiers_are_found_whole_and_by_parts(shipped):
    assert ids(indexer.search(shipped, "08-QĐi/TW")) == [SEED2]
    assert SEED2 in ids(indexer.search(shipped, "1972-QĐ/TU"))
    assert SEED2 in ids(indexer.search(shipped, "qdi tw"))


def test_incremental_reindex_updates_deletes_and_skips(law_corpus_copy, tmp_path, capsys):
    index_dir = tmp_path / "index"
    full = indexer.reindex(law_corpus_copy, index_dir)
    assert full.mode == "full" and full.added == 2683 and not full.problems

    again = indexer.reindex(law_corpus_copy, index_dir)
    assert (again.mode, again.added, again.updated, again.deleted) == ("incremental", 0, 0, 0)
    assert again.unchanged == 2683

    seed = law_corpus_copy / SEED1
    seed.write_text(seed.read_text("utf-8").replace("T.SƠN", "Hoàng Minh Anh"), "utf-8")
    changed = indexer.reindex(law_corpus_copy, index_dir)
    assert (changed.added, changed.updated, changed.deleted) == (0, 1, 0)
    assert changed.unchanged == 2682
    with capsys.disabled():
        print(f"\nfull build {full.seconds:.2f} s; incremental with 1 change "
              f"{changed.seconds:.2f} s")
    assert changed.seconds < full.seconds / 3

    (law_corpus_copy / SEED2).unlink()
    (law_corpus_copy / "bad").mkdir()
    (law_corpus_copy / "bad/invalid.txt").write_bytes(b"caf\xe9 \x81\x8d\x8f\x90 bad")
    (law_corpus_copy / "bad/empty.txt").write_bytes(b"")
    (law_corpus_copy / "bad/image.txt").write_bytes(PNG + bytes(range(256)))
    deleted = indexer.reindex(law_corpus_copy, index_dir)
    assert (deleted.added, deleted.updated, deleted.deleted) == (0, 0, 1)
    reasons = {p.path: p.reason for p in deleted.problems}
    assert set(reasons) == {"bad/invalid.txt", "bad/empty.txt", "bad/image.txt"}
    assert "empty" in reasons["bad/empty.txt"] and "binary" in reasons["bad/image.txt"]

    handle = indexer.open_index(index_dir)
    assert indexer.stats(handle).documents == 2682
    assert ids(indexer.search(handle, '"hoang minh anh"')) == [SEED1]  # the new byline
    assert SEED2 not in ids(indexer.search(handle, "08-QĐi/TW"))
    handle.close()


def test_cp1258_and_utf16_files_are_decoded(make_corpus, tmp_path):
    text = "Cán bộ đảng viên gương mẫu\n\nNội dung về trách nhiệm."
    corpus = make_corpus({
        "utf16.txt": text.encode("utf-16"),
        "legacy.txt": cp1258_style(text).encode("cp1258"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
    })
    report = indexer.reindex(corpus, tmp_path / "index")
    assert report.added == 3 and not report.problems
    handle = indexer.open_index(tmp_path / "index")
    assert len(indexer.search(handle, "trach nhiem").hits) == 3
    handle.close()


def test_duplicate_ids_are_reported_and_first_wins(make_corpus, tmp_path):
    corpus = make_corpus({
        "a.jsonl": [{"id": "x", "title": "Thứ nhất", "text": "một"}],
        "b.jsonl": [{"id": "x", "title": "Thứ hai", "text": "hai"},
                    {"id": "y", "title": "Khác", "text": "ba"}],
    })
    report = indexer.reindex(corpus, tmp_path / "index")
    assert report.added == 2
    assert [p.path for p in report.problems] == ["b.jsonl"]
    assert "duplicate id 'x'" in report.problems[0].reason
    handle = indexer.open_index(tmp_path / "index")
    assert indexer.document(handle, "x").title == "Thứ nhất"
    handle.close()


SEARCHER_SCRIPT = """
import sys, indexer
from indexer import store
generation, ix = store.open_generation(sys.argv[1])
searcher = ix.searcher()
def count():
    from whoosh.query import Term
    return len(searcher.search(Term("all_f", "vien"), limit=None))
print(count(), flush=True)
sys.stdin.readline()            # the parent runs `reindex --full` meanwhile
print(count(), flush=True)
"""


def test_full_reindex_swaps_atomically_under_an_open_searcher(make_corpus, tmp_path):
    corpus = make_corpus({"a.jsonl": [{"id": "1", "title": "Cán bộ", "text": "đảng viên"}]})
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    reader = subprocess.Popen([sys.executable, "-c", SEARCHER_SCRIPT, str(index_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert reader.stdout.readline().strip() == "1"
        write_jsonl(corpus / "b.jsonl", [{"id": "2", "title": "Viên chức", "text": "viên"}])
        report = indexer.reindex(corpus, index_dir, full=True)
        assert report.mode == "full" and report.added == 2
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # old searcher still answers
    finally:
        reader.communicate(timeout=30)
    fresh = indexer.open_index(index_dir)
    assert indexer.stats(fresh).documents == 2
    assert len(indexer.search(fresh, "vien").hits) == 2
    fresh.close()
    assert len(list(index_dir.glob("gen-*"))) == 2  # live + previous


def test_a_second_reindex_is_refused_while_one_runs(make_corpus, tmp_path):
    corpus = make_corpus({"a.jsonl": [{"id": "1", "title": "Cán bộ", "text": "x"}]})
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (index_dir / LOCK_NAME).write_text(f"{holder.pid} {os.uname().nodename}")
        with pytest.raises(indexer.ReindexLockedError, match="another reindex"):
            indexer.reindex(corpus, index_dir)
    finally:
        holder.kill()
        holder.wait()
    report = indexer.reindex(corpus, index_dir)  # owner is gone: stale lock cleared
    assert any("stale" in note for note in report.notes) and report.added == 1


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "indexer.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


def test_cli_reindex_exit_codes_and_report(make_corpus, tmp_path):
    corpus = make_corpus({"good.jsonl": [{"id": "1", "title": "Cán bộ", "text": "đảng viên"}],
                          "empty.txt": ""})
    index_dir = tmp_path / "index"
    done = run_cli("reindex", "--corpus", str(corpus), "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout and "1 skipped" in done.stdout
    assert "skipped: empty.txt: empty file" in done.stderr and "Traceback" not in done.stderr
    strict = run_cli("reindex", "--strict", env={"VNSEARCH_CORPUS": str(corpus),
                                                 "VNSEARCH_INDEX": str(index_dir)})
    assert strict.returncode == 1 and "0 added" in strict.stdout
    usage = run_cli("reindex", "--procs", "zero")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = run_cli("reindex", "--corpus", str(tmp_path / "nope"), "--index", str(index_dir))
    assert missing.returncode == 1 and "corpus folder not found" in missing.stderr
    stats = run_cli("stats", "--index", str(index_dir), "--json")
    assert json.loads(stats.stdout)["documents"] == 1
    no_index = run_cli("stats", "--index", str(tmp_path / "none"))
    assert no_index.returncode == 1 and "vnsearch reindex" in no_index.stderr
    assert "Traceback" not in no_index.stderr


def test_procs_2_builds_the_same_index(make_corpus, tmp_path):
    records = [{"id": str(i), "title": f"Điều {i}. Cán bộ", "text": "đảng viên " * (i % 7 + 1)}
               for i in range(600)]
    corpus = make_corpus({"many.jsonl": records})
    started = time.perf_counter()
    report = indexer.reindex(corpus, tmp_path / "index", procs=2)
    assert report.added == 600, time.perf_counter() - started
    handle = indexer.open_index(tmp_path / "index")
    assert indexer.search(handle, "can bo dang vien").total == 600
    handle.close()
