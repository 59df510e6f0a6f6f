"""Every corpus format: built with its own library, indexed, found by an unaccented query
with its title, date and author right; bad and unsupported files reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import indexer
from indexer.cli.commands import cli
from indexer.corpus import formats
from indexer.corpus.formats import pdf as pdf_format
from tests import formatfiles as ff

PARA = "Người dân tỉnh Hậu Giang tích cực tham gia xây dựng nông thôn mới trong năm qua."


def _files() -> dict[str, bytes]:
    return {
        "van-ban/quyet-dinh.docx": ff.docx_bytes(
            "Quyết định khen thưởng giáo viên", ["Ủy ban nhân dân tỉnh khen thưởng giáo viên "
                                                "dạy giỏi cấp tỉnh.", PARA],
            author="Sở Giáo dục", created=datetime(2024, 8, 15, 2, 0, tzinfo=UTC),
            table=[["Họ tên", "Trường"], ["Lê Thị Hoa", "Trường Tiểu học Vị Thanh"]]),
        "van-ban/heading.docx": ff.docx_bytes(None, ["Hướng dẫn phòng chống bão lũ."],
                                              heading="Công văn phòng chống thiên tai",
                                              created=datetime(2022, 3, 4, 17, 30, tzinfo=UTC)),
        "van-ban/thong-bao.odt": ff.odt_bytes(
            "Thông báo lịch tiếp công dân", None,
            ["Chủ tịch tiếp công dân định kỳ vào thứ năm hằng tuần.", PARA],
            author="Văn phòng UBND", created="2023-05-02T08:30:00"),
        "van-ban/heading.odt": ff.odt_bytes(None, "Kế hoạch trồng rừng phòng hộ",
                                            ["Trồng mới ba trăm héc-ta rừng ngập mặn."]),
        "van-ban/nghi-quyet.pdf": ff.pdf_bytes(
            "Nghị quyết về ngân sách địa phương",
            ["Hội đồng nhân dân thông qua dự toán thu chi ngân sách năm 2025.",
             "Trang hai: phân bổ vốn đầu tư công cho các huyện, thị xã."],
            author="HĐND tỉnh", created=datetime(2024, 12, 10, 3, 0, tzinfo=UTC)),
        "ghi-chu/hop.md": ("---\ntitle: Biên bản họp chi bộ\ndate: 15/08/2024\n"
                           "author: Bí thư chi bộ\n---\n\n# Tiêu đề trong bài\n\n"
                           "Chi bộ **đánh giá** kết quả [sinh hoạt](http://x.vn) tháng tám.\n\n"
                           "- Ý kiến thứ nhất\n- Ý kiến thứ hai\n").encode(),
        "ghi-chu/khong-front.md": "Lễ hội đua ghe ngo\n==========\n\nNăm nay tổ chức sớm.\n"
                                  .encode(),
        "bang/danh-sach.csv": ("id;tiêu đề;nội dung;ngày;tác giả\n"
                               "csv-1;Danh sách hộ nghèo;Xã Hỏa Tiến có mười hộ thoát nghèo;"
                               "2024-01-31T10:00:00+00:00;UBND xã\n"
                               "csv-2;Kết quả thi đua;Huyện Long Mỹ dẫn đầu phong trào;;\n"
                               ).encode(),
        "bang/khong-header.csv": ("Tên công trình,Địa điểm\n"
                                  "Cầu Cái Tắc,Huyện Châu Thành A\n").encode(),
        "du-lieu/ban-ghi.json": ff.json_bytes([
            {"id": "json-1", "title": "Thông tin đấu thầu", "text": "Gói thầu xây trường học",
             "date": "20/11/2024"},
            {"title": "Không có mã", "text": "Bản ghi thứ hai không có id"},
            {"id": "json-bad", "title": "Ngày sai", "text": "x", "date": "32/13/2024"},
            "không phải đối tượng",
        ]),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    corpus = root / "corpus"
    for rel, data in _files().items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (corpus / "khac").mkdir()
    (corpus / "khac/bang-tinh.xyz").write_bytes(b"unsupported")
    (corpus / "khac/scan.pdf").write_bytes(ff.scanned_pdf_bytes())
    (corpus / "khac/hong.docx").write_bytes(b"PK\x03\x04 not really a zip")
    report = indexer.reindex(corpus, root / "index")
    handle = indexer.open_index(root / "index")
    yield report, handle, corpus
    handle.close()


@pytest.mark.parametrize(("query", "doc_id", "title", "date", "author"), [
    ("khen thuong giao vien day gioi", "van-ban/quyet-dinh.docx",
     "Quyết định khen thưởng giáo viên", datetime(2024, 8, 15, 9, 0), "Sở Giáo dục"),
    ("truong tieu hoc vi thanh", "van-ban/quyet-dinh.docx", None, None, None),  # a table cell
    ("phong chong bao lu", "van-ban/heading.docx", "Công văn phòng chống thiên tai",
     datetime(2022, 3, 5, 0, 30), None),  # 17:30 UTC is past midnight in Vietnam
    ("tiep cong dan dinh ky", "van-ban/thong-bao.odt", "Thông báo lịch tiếp công dân",
     datetime(2023, 5, 2, 8, 30), "Văn phòng UBND"),
    ("rung ngap man", "van-ban/heading.odt", "Kế hoạch trồng rừng phòng hộ", None, None),
    ("du toan thu chi ngan sach", "van-ban/nghi-quyet.pdf", "Nghị quyết về ngân sách địa phương",
     datetime(2024, 12, 10, 10, 0), "HĐND tỉnh"),
    ("phan bo von dau tu cong", "van-ban/nghi-quyet.pdf", None, None, None),  # page two
    ("danh gia ket qua sinh hoat", "ghi-chu/hop.md", "Biên bản họp chi bộ",
     datetime(2024, 8, 15), "Bí thư chi bộ"),
    ("y kien thu hai", "ghi-chu/hop.md", None, None, None),
    ("to chuc som", "ghi-chu/khong-front.md", "Lễ hội đua ghe ngo", None, None),
    ("muoi ho thoat ngheo", "csv-1", "Danh sách hộ nghèo", datetime(2024, 1, 31, 17, 0),
     "UBND xã"),
    ("long my dan dau", "csv-2", "Kết quả thi đua", None, None),
    ("cau cai tac chau thanh", "bang/khong-header.csv#1", "Cầu Cái Tắc", None, None),
    ("goi thau xay truong", "json-1", "Thông tin đấu thầu", datetime(2024, 11, 20), None),
    ("ban ghi thu hai", "du-lieu/ban-ghi.json#2", "Không có mã", None, None),
])
def test_each_format_is_found_unaccented_with_its_fields(built, query, doc_id, title, date,
                                                         author):
    _, handle, _ = built
    assert doc_id in [hit.id for hit in indexer.search(handle, query).hits][:3]
    doc = indexer.document(handle, doc_id)
    if title is not None:
        assert doc.title == title
        assert doc.date == date
        assert doc.author == author


def test_title_is_not_repeated_as_body(built):
    _, handle, _ = built
    assert "Công văn phòng chống thiên tai" not in indexer.document(
        handle, "van-ban/heading.docx").body
    assert "Tiêu đề trong bài" in indexer.document(handle, "ghi-chu/hop.md").body
    assert "**" not in indexer.document(handle, "ghi-chu/hop.md").body
    assert "http://x.vn" not in indexer.document(handle, "ghi-chu/hop.md").body


def test_bad_and_unsupported_files_are_reported_once(built):
    report, _, _ = built
    problems = {p.path: p.reason for p in report.problems}
    assert len(report.problems) == len(problems)  # each once
    assert problems["khac/bang-tinh.xyz"] == "unsupported format (.xyz), skipped"
    assert "no text layer" in problems["khac/scan.pdf"] and "OCR" in problems["khac/scan.pdf"]
    assert "not a readable .docx file" in problems["khac/hong.docx"]
    assert "invalid date" in problems["du-lieu/ban-ghi.json#3"]
    assert "not a JSON object" in problems["du-lieu/ban-ghi.json#4"]
    assert report.documents == 13  # 2 docx, 2 odt, 1 pdf, 2 md, 3 csv rows, 3 json records


def test_unsupported_file_fails_strict_and_is_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Tiêu đề bài\n\n{PARA}", "utf-8")
    (corpus / "bang.xyz").write_bytes(b"x")
    result = CliRunner().invoke(cli, ["reindex", "--corpus", str(corpus), "--index",
                                       str(tmp_path / "index"), "--strict"])
    assert result.exit_code == 1
    assert "bang.xyz: unsupported format (.xyz), skipped" in result.output


def test_doc_without_converter_is_reported_unsupported(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cu.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    report = indexer.reindex(corpus, tmp_path / "index")
    assert [str(p) for p in report.problems] == [
        "cu.doc: unsupported format .doc (install Debian's antiword or catdoc), skipped"]


def test_password_protected_pdf_is_reported(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="chu", user_password="khach")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="secret")
    with pytest.raises(formats.Unreadable, match="password"):
        pdf_format.read(bytes(pdf.output()), "x.pdf")


@pytest.mark.parametrize(("value", "expected"), [
    ("D:20240815090000+07'00'", datetime(2024, 8, 15, 9, 0)),
    ("D:20240815020000Z", datetime(2024, 8, 15, 9, 0)),
    ("D:20240815", datetime(2024, 8, 15)),
    ("D:20241315", None), ("", None), (None, None),
])
def test_pdf_dates(value, expected):
    assert pdf_format.parse_pdf_date(value) == expected


def test_registry_lists_every_suffix_once():
    suffixes = [s for f in formats.FORMATS for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes)) == len(formats.SUFFIXES)
    assert {".docx", ".pdf", ".odt", ".md", ".csv", ".json", ".doc", ".txt", ".html",
            ".jsonl"} <= formats.SUFFIXES


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_zip_bomb_is_refused_without_unpacking(tmp_path, suffix):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml" if suffix == ".docx" else "content.xml",
                          "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros: a 300 KB zip
                member.write(chunk)
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(formats.Unreadable, match="unpacks to 314,572,800 bytes"):
        formats.read(suffix, out.getvalue(), f"bom{suffix}")


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".pdf"])
def test_damaged_binary_files_are_unreadable_not_crashes(suffix):
    good = {".docx": ff.docx_bytes("Tiêu đề", [PARA]),
            ".odt": ff.odt_bytes("Tiêu đề", None, [PARA]),
            ".pdf": ff.pdf_bytes("Tiêu đề", [PARA])}[suffix]
    for data in (b"garbage", good[: len(good) // 2], bytes(range(256)) * 10):
        with pytest.raises(formats.Unreadable):
            formats.read(suffix, data, f"x{suffix}")


def test_python_docx_template_stamps_are_not_the_documents_date_or_author():
    (record,) = formats.read(".docx", ff.docx_bytes("Tiêu đề", [PARA]), "x.docx").records
    assert record.date is None and record.author is None  # not 2013-12-24, "python-docx"


def test_a_jsonl_corpus_loads_no_format_library(tmp_path):
    """New formats cost only when present: a fresh process indexing JSONL and .txt imports
    none of trafilatura, lxml, python-docx, PDFium or odfpy."""
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text('{"id": "1", "title": "Tiêu đề", "text": "Nội dung"}\n',
                                    "utf-8")
    (corpus / "b.txt").write_text(f"Tiêu đề bài\n\n{PARA}", "utf-8")
    code = ("import sys, indexer; from pathlib import Path; "
            f"r = indexer.reindex(Path({str(corpus)!r}), Path({str(tmp_path / 'index')!r})); "
            "assert r.documents == 2, r; "
            "print(sorted(m for m in ('trafilatura', 'lxml', 'docx', 'pypdfium2', 'odf') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_doc_goes_through_the_installed_converter(monkeypatch):
    """The .doc plumbing with a stand-in converter (``cat`` prints the file as it is)."""
    from indexer.corpus.formats import worddoc

    monkeypatch.setattr(worddoc, "converter", lambda: ["cat"])
    text = f"Công văn số 12\n\n{PARA}\n\nNơi nhận: như trên."
    (record,) = formats.read(".doc", text.encode(), "cu.doc").records
    assert record.title == "Công văn số 12"
    assert record.body.split("\n\n") == [PARA, "Nơi nhận: như trên."]
    monkeypatch.setattr(worddoc, "converter", lambda: ["false"])
    with pytest.raises(formats.Unreadable, match="not a readable .doc file"):
        formats.read(".doc", b"x", "cu.doc")


def test_changed_readers_rebuild_instead_of_keeping_old_fields(tmp_path):
    """An index from before the readers changed: its unchanged pages would keep their old
    fields (source 'HG') under an incremental reindex, so it rebuilds once."""
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Tiêu đề bài\n\n(HG) - {PARA}", "utf-8")
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    assert indexer.reindex(corpus, index_dir).mode == "incremental"
    meta_path = next(index_dir.glob("gen-*/meta.json"))
    meta = json.loads(meta_path.read_text("utf-8"))
    del meta["readers_version"]  # as written before formats.READERS_VERSION existed
    meta_path.write_text(json.dumps(meta), "utf-8")
    report = indexer.reindex(corpus, index_dir)
    assert report.mode == "full"
    assert any("file readers changed" in note for note in report.notes)
    assert indexer.reindex(corpus, index_dir).mode == "incremental"


def test_a_deeply_nested_json_file_is_one_skipped_line_not_a_crash(tmp_path):
    """``[[[[…]]]]`` in a .json raised RecursionError out of every reindex (the .jsonl
    reader already caught it), so no other change of the corpus could be indexed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "deep.json").write_text("[" * 5000 + "]" * 5000, "utf-8")
    (corpus / "ok.json").write_text('[{"id": "a", "title": "Tốt", "text": "cán bộ"}]', "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert [(p.path, p.reason) for p in report.skipped] == [
        ("deep.json", "invalid JSON (nested too deeply), skipped")]
    handle = indexer.open_index(tmp_path / "index")
    try:
        assert [h.id for h in indexer.search(handle, "cán bộ").hits] == ["a"]
    finally:
        handle.close()


def test_csv_headers_are_read_whatever_their_marks_and_the_id_column_stays_the_id():
    """A header in NFD (or cp1258 marks) was not recognised (its id became the title and
    the text read "tiêu đề: …"), and a table with an ``id`` column but no title/text
    column took the id column as the title and row numbers as ids."""
    import unicodedata

    from indexer.corpus.formats import table

    header = unicodedata.normalize("NFD", "id,Tiêu đề,Nội dung")
    out = table.read(header + "\nA1,Tiêu đề một,nội dung một\n", "t.csv")
    assert [(r.id, r.title, r.body) for r in out.records] == [
        ("A1", "Tiêu đề một", "nội dung một")]
    out = table.read("id,Mô tả\nSP-001,con gấu bông\nSP-002,xe đạp\n", "sp.csv")
    assert [(r.id, r.title) for r in out.records] == [("SP-001", "con gấu bông"),
                                                      ("SP-002", "xe đạp")]


def test_a_csv_cut_down_to_its_header_deletes_its_rows(tmp_path):
    """Found by a QA pass: a table emptied of its rows was 'unreadable', so its rows
    indexed before were kept (an emptied JSONL was deleted; a full build had none)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.csv").write_text("id,title,text\nr1,Một,nội dung csv một\n"
                                  "r2,Hai,nội dung csv hai\n", "utf-8")
    assert indexer.reindex(corpus, tmp_path / "index").documents == 2
    (corpus / "x.csv").write_text("id,title,text\n", "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert (report.deleted, report.documents) == (2, 0), report.summary()
    assert [str(p) for p in report.skipped] == [
        "x.csv: CSV has a header row but no data rows, skipped"]


def test_markdown_setext_title_and_a_bad_front_matter_date(tmp_path):
    """The ===== under a setext title began the body (and so the snippets); a front-matter
    date that is no date was dropped silently (.csv, .json and .jsonl warn)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("Tiêu đề bài\n=====\n\nNội dung bài viết.\n", "utf-8")
    (corpus / "b.md").write_text("---\ntitle: Bài B\ndate: 2024-13-45\n---\n\nThân bài.\n",
                                 "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert [(p.path, p.reason) for p in report.warnings] == [
        ("b.md", "invalid date ('2024-13-45'), date ignored")]
    handle = indexer.open_index(tmp_path / "index")
    try:
        view = indexer.document(handle, "a.md")
        assert view.title == "Tiêu đề bài" and view.body.startswith("Nội dung")
    finally:
        handle.close()


@pytest.mark.parametrize("name", ["a.jsonl", "a.json"])
def test_record_fields_that_are_not_text_are_never_a_python_repr(tmp_path, name):
    """``"title": ["danh", "sách"]`` became the title ``['danh', 'sách']`` and
    ``"source": {"a": 1}`` the source ``{'a': 1}`` (in stats and facets), silently."""
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"id": "r1", "title": ["danh", "sách"], "text": ["đoạn một", "đoạn hai"],
              "source": {"a": 1}, "author": True}
    data = json.dumps(record, ensure_ascii=False)
    (corpus / name).write_text(data + "\n" if name.endswith("l") else f"[{data}]", "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert [p.reason for p in report.warnings] == [
        "record 'r1': author, source not text (an object or true/false), ignored"]
    handle = indexer.open_index(tmp_path / "index")
    try:
        view = indexer.document(handle, "r1")
        assert view.title == "danh, sách" and view.body == "đoạn một\n\nđoạn hai"
        assert view.source in (None, "") and indexer.stats(handle).to_json()["sources"] == {}
    finally:
        handle.close()
