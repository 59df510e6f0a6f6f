"""Building and incrementally updating the index, as a user of `vnsearch reindex` sees it."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.formats import Frequency, Positions
from whoosh.qparser import QueryParser

import indexer
from indexer.accents.model import AccentModel
from indexer.corpus.reader import read_corpus
from indexer.indexing import fullbuild as bulkbuild
from indexer.indexing import generations as store
from indexer.indexing.lock import LOCK_NAME
from indexer.indexing.reindex import _fields
from indexer.indexing.schema import SCHEMA_VERSION, build_schema
from indexer.whoosh_ext import segment_writer as bulkwrite
from indexer.whoosh_ext.codec import open_writer
from indexer.whoosh_ext.fieldterms import counted, encode_positions, folded_positions
from tests.helpers import ROOT, cp1258_style, ids, write_jsonl

SEED1 = "news/000_098f74c0d94f660f.txt"
SEED2 = "news/003_4445158d6962ba22.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def test_seeds_index_with_their_fields(shipped):
    seed1 = indexer.document(shipped, SEED1)
    seed2 = indexer.document(shipped, SEED2)
    assert seed1.title == "Cán bộ, đảng viên có tinh thần trách nhiệm cao với công việc"
    assert seed1.date == datetime(2023, 12, 27, 9, 56)
    assert seed1.author == "T.SƠN"
    assert seed1.source == "Báo Hậu Giang"  # its "(HG) -" lead, named (indexer.corpus.sites)
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
    hits = indexer.search(handle, "trach nhiem").hits
    handle.close()
    # decoded to the same text: one result, the other two its identical copies
    assert len(hits) == 1 and hits[0].copy_count == 2
    assert {hits[0].id, *hits[0].copies} == {"utf16.txt", "legacy.txt", "bom.txt"}


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
from indexer.indexing import generations as store
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


# --- the bulk writer of full rebuilds --------------------------------------------------------

def bulk_records() -> list[dict]:
    """Documents exercising everything a field can hold: NFC, NFD and cp1258-style text,
    identifiers, numbers, junk tokens, missing metadata, empty bodies, long posting lists
    (several blocks), positions past 127 and 16384, repeated terms."""
    base = "Cán bộ, đảng viên phải gương mẫu; Quyết định số 08-QĐi/TW của Tỉnh uỷ TP.HCM"
    records = []
    for i in range(300):
        body = f"{base} ngày {i % 28 + 1}/{i % 12 + 1}/2023. " + "Hòa thuận hoà bình. " * (i % 5)
        if i % 3 == 1:
            body = unicodedata.normalize("NFD", body)
        elif i % 3 == 2:
            body = cp1258_style(body)
        record = {"id": f"doc-{i}", "title": f"Điều {i}. Trách nhiệm của cán bộ thứ {i % 17}",
                  "text": body}
        if i % 4:
            record["author"] = ["Nguyễn Văn A", "T.SƠN", "Huỳnh Diệu"][i % 3]
        if i % 5:
            record["source"] = ["Báo Nhân Dân", "Cổng Thông Tin Hậu Giang"][i % 2]
        if i % 7:
            record["date"] = f"20{10 + i % 14}-0{1 + i % 9}-1{i % 10}T0{i % 10}:30:00"
            record["url"] = f"https://example.org/{i}"
        records.append(record)
    records.append({"id": "long", "title": "Văn bản dài",
                    "text": " ".join(f"từ{n % 3000} đoạn" for n in range(9000)) + " cuối"})
    records.append({"id": "repeat", "title": "lặp", "text": "đảng " * 300 + "x" * 80 + " 12345"})
    records.append({"id": "title-only", "title": "Chỉ có tiêu đề", "text": ""})
    return records


def index_content(index_dir) -> dict:
    """Everything searches see, merged over segments by document id: each field's
    terms with their (doc id -> weight, value) postings, field lengths, stored
    fields, sortable columns, field length totals, and the accent model."""
    generation, ix = store.open_generation(index_dir)
    schema = ix.schema
    indexed = [name for name in schema.names() if schema[name].indexed]
    scorable = [name for name in indexed if schema[name].scorable]
    content: dict = {"postings": {}, "lengths": {}, "stored": {}, "columns": {}}
    with ix.reader() as reader:
        content["totals"] = {name: reader.field_length(name) for name in scorable}
        leaves = [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
        for leaf in leaves:
            ids = {docnum: stored["id"] for docnum, stored in leaf.iter_docs()}
            for docnum, stored in leaf.iter_docs():
                content["stored"][stored["id"]] = stored
                # 0 and None both mean "no length" (a segment may lack a length column)
                content["lengths"][stored["id"]] = [leaf.doc_field_length(docnum, name) or 0
                                                    for name in scorable]
            for name in ("id", "source", "date"):
                column = leaf.column_reader(name, translate=False)
                content["columns"].update({(name, ids[d]): column[d] for d in ids})
            for name in indexed:
                for btext in leaf.lexicon(name):
                    matcher = leaf.postings(name, btext)
                    postings = content["postings"].setdefault((name, btext), {})
                    while matcher.is_active():
                        # value-less postings read back as None from blocks, "" inlined
                        postings[ids[matcher.id()]] = (matcher.weight(), matcher.value() or None)
                        matcher.next()
    content["segments"] = len(leaves)
    ix.close()
    model = AccentModel.load(generation / store.MODEL)
    content["model"] = (model.words, model.counts.state())
    return content


def term_infos(index_dir) -> dict:
    """Each term's statistics (block min/max lengths, max weight...) of a one-segment index."""
    _, ix = store.open_generation(index_dir)
    with ix.reader() as reader:
        infos = {}
        for name, btext in reader.all_terms():
            info = reader.term_info(name, btext)
            infos[name, btext] = (info.weight(), info.doc_frequency(), info.min_length(),
                                  info.max_length(), info.max_weight(), info.min_id(),
                                  info.max_id())
    ix.close()
    return infos


def whoosh_built(corpus, index_dir):
    """The same corpus indexed by Whoosh's own writer (the reference the bulk writer must equal)."""
    generation = store.new_generation(index_dir)
    ix = whoosh_index.create_in(str(generation), build_schema(), indexname=store.INDEX_NAME)
    writer = open_writer(ix)
    docs = list(read_corpus(corpus))
    for doc in docs:
        writer.add_document(**_fields(doc))
    writer.commit()
    ix.close()
    AccentModel.train(t for doc in docs for t in (doc.title, doc.body)).save(
        generation / store.MODEL)
    store.write_json(generation / store.META, {"schema_version": SCHEMA_VERSION})
    store.publish(index_dir, generation)
    return index_dir


@pytest.mark.parametrize("procs, limit_mb", [(1, 256), (1, 0.5), (2, 0.5)])
def test_bulk_build_equals_whoosh_writer(make_corpus, tmp_path, monkeypatch, procs, limit_mb):
    corpus = make_corpus({"a.jsonl": bulk_records()[:200], "b/c.jsonl": bulk_records()[200:]})
    reference = whoosh_built(corpus, tmp_path / "reference")
    monkeypatch.setattr(bulkbuild, "LIMIT_MB", limit_mb)
    report = indexer.reindex(corpus, tmp_path / "bulk", full=True, procs=procs)
    assert report.added == 303
    expected, built = index_content(reference), index_content(tmp_path / "bulk")
    assert expected.pop("segments") == 1
    segments = built.pop("segments")
    assert segments == 1 if limit_mb == 256 else segments > procs
    for key in expected:
        assert built[key] == expected[key], key
    if segments == 1:
        assert term_infos(tmp_path / "bulk") == term_infos(reference)


def assert_same_live_content(updated: dict, fresh: dict) -> None:
    """Same documents, lengths and postings; deleted documents may linger in the
    statistics of segments not merged yet, but never in what a search returns."""
    live = set(fresh["stored"])
    assert set(updated["stored"]) == live
    assert {d: updated["stored"][d] for d in live} == fresh["stored"]
    assert {d: updated["lengths"][d] for d in live} == fresh["lengths"]
    for key, postings in fresh["postings"].items():
        assert {d: p for d, p in updated["postings"].get(key, {}).items() if d in live} == postings


def change_corpus(corpus, records) -> None:
    changed = [dict(r, text=r["text"] + " sửa đổi") if i % 10 == 0 else r
               for i, r in enumerate(records[150:])]
    write_jsonl(corpus / "b.jsonl", changed[:-5])


@pytest.mark.parametrize("limit_mb", [
    256,  # two segments (one per worker), the incremental commit adds a third
    0.05,  # dozens of tiny segments: the incremental commit merges the smallest
])
def test_incremental_update_after_bulk_build(make_corpus, tmp_path, monkeypatch, limit_mb):
    records = bulk_records()
    corpus = make_corpus({"a.jsonl": records[:150], "b.jsonl": records[150:]})
    monkeypatch.setattr(bulkbuild, "LIMIT_MB", limit_mb)
    indexer.reindex(corpus, tmp_path / "index", full=True, procs=2)
    built = index_content(tmp_path / "index").pop("segments")
    change_corpus(corpus, records)
    # Merging (limit_mb=0.05) used to fail: Whoosh read inlined value-less postings
    # back with the value "" and its merge rejected it (see postings._InlineMatcher).
    report = indexer.reindex(corpus, tmp_path / "index")
    assert (report.mode, report.updated, report.deleted) == ("incremental", 15, 5)
    monkeypatch.setattr(bulkbuild, "LIMIT_MB", 256)
    indexer.reindex(corpus, tmp_path / "fresh", full=True)
    updated, fresh = index_content(tmp_path / "index"), index_content(tmp_path / "fresh")
    segments = updated.pop("segments")
    assert fresh.pop("segments") == 1
    assert segments == built + 1 if limit_mb == 256 else segments < built
    assert_same_live_content(updated, fresh)


def _stock_whoosh_terms(texts: list[str]) -> tuple[dict[str, list[int]], Counter[str]]:
    """What Whoosh's stock ``Positions`` and ``Frequency`` formats make of a field's texts
    through the schema's analyzers: term -> positions in ``all_f``, accented form ->
    count in ``accents``. Independent of :mod:`indexer.whoosh_ext.fieldterms` (the
    analyzers tokenise with ``syllables``, not the lean ``analyze`` pass). Each text
    starts one position after the previous one ends."""
    schema = build_schema()
    positions: dict[str, list[int]] = {}
    accented: Counter[str] = Counter()
    offset = 0
    for text in (t for t in texts if t):
        last = -1
        for term, _, _, value in Positions().word_values(text, schema["all_f"].analyzer,
                                                          start_pos=offset):
            found = Positions().decode_positions(value)
            positions.setdefault(term, []).extend(found)
            last = max(last, *found)
        offset = last + 2 if last >= 0 else offset + 1
        for term, freq, _, _ in Frequency().word_values(text, schema["accents"].analyzer):
            accented[term] += freq
    return {term: sorted(found) for term, found in positions.items()}, accented


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aáăđê bcnhtg,.-/\n0") + ["\u0301"]),
                        max_size=300), min_size=1, max_size=3),
       st.lists(st.integers(0, 70_000), max_size=40, unique=True))
def test_field_terms_equal_stock_whoosh_formats(texts, positions):
    """What both writers index for a document (the schema formats' ``word_values`` for
    Whoosh's writer, :mod:`~indexer.whoosh_ext.fieldterms` for the bulk writer) equals
    what stock Whoosh formats give over the fields' analyzers: the same terms, positions
    (decoded from our varints), frequencies and weights. (It compared the two writers'
    shared functions with themselves, so a mutant shifting every position passed.)"""
    schema = build_schema()
    value = texts[0] if len(texts) == 1 else tuple(texts)
    expected, accented = _stock_whoosh_terms(texts)
    fmt = schema["all_f"].format
    indexed = {term: (freq, weight, fmt.decode_positions(encoded))
               for term, freq, weight, encoded in fmt.word_values(value, None)}
    assert indexed == {term: (len(found), len(found) * fmt.field_boost, found)
                       for term, found in expected.items()}
    assert folded_positions(value) == expected
    assert counted(value, "accented") == accented
    assert {t: f for t, f, _, _ in schema["accents"].format.word_values(value, None)} == accented
    for name, component in (("pairs", "pairs"), ("lead", "lead")):
        assert counted(value, component) == {
            t: f for t, f, _, _ in schema[name].format.word_values(value, None)}
    positions.sort()
    encoded = encode_positions(positions)
    assert fmt.decode_positions(encoded) == positions
    assert fmt.decode_frequency(encoded) == len(positions)


@pytest.mark.parametrize("failure", ["raise", "die"])
def test_a_failing_worker_fails_the_full_build_cleanly(make_corpus, tmp_path, monkeypatch,
                                                       failure):
    corpus = make_corpus({"a.jsonl": bulk_records()[:200]})
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir, full=True)
    live = store.current_generation(index_dir)
    original = bulkwrite.BulkWriter.add_document

    def add_document(self, **fields):
        if fields["id"] == "doc-150":
            if failure == "die":
                os._exit(3)
            raise RuntimeError("boom")
        return original(self, **fields)

    monkeypatch.setattr(bulkwrite.BulkWriter, "add_document", add_document)
    monkeypatch.setattr(bulkbuild, "_context", lambda: multiprocessing.get_context("fork"))
    with pytest.raises(bulkbuild.WorkerError) as failed:
        indexer.reindex(corpus, index_dir, full=True, procs=2)
    # one line the CLI prints as it is (a VnsearchError), not a 50-line traceback
    assert isinstance(failed.value, indexer.VnsearchError)
    assert str(failed.value) == (
        "an indexing worker process failed: RuntimeError: boom while indexing 'doc-150';"
        " the live index is unchanged" if failure == "raise" else
        "an indexing worker process died (exit code 3); the live index is unchanged")
    assert store.current_generation(index_dir) == live
    assert [p.name for p in index_dir.glob("gen-*")] == [live.name]  # the half-built one is gone


def test_workers_also_start_without_fork(make_corpus, tmp_path, monkeypatch):
    """Threads make fork unsafe: the workers then come from a fork server."""
    corpus = make_corpus({"a.jsonl": bulk_records()[:100]})
    monkeypatch.setattr(bulkbuild, "_context", lambda: multiprocessing.get_context("forkserver"))
    indexer.reindex(corpus, tmp_path / "spawned", full=True, procs=2)
    indexer.reindex(corpus, tmp_path / "single", full=True)
    spawned, single = index_content(tmp_path / "spawned"), index_content(tmp_path / "single")
    assert spawned.pop("segments") == 2 and single.pop("segments") == 1
    assert spawned == single
