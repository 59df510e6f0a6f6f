"""HTML pages as a user (or a browser without JavaScript) sees them."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import indexer
import search_app
from indexer.cli import commands
from search_app import create_app
from search_app.formatting import page_window, vn_date, vn_number, vn_seconds
from tests.helpers import SPECIAL_ID, XSS, web_records, write_corpus

DATA_ID = re.compile(r'<li class="result" data-id="([^"]*)"')
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def get(client, url: str, status: int = 200, **args) -> str:
    response = client.get(url, query_string=args or None)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def ids(page: str) -> list[str]:
    return [html.unescape(i) for i in DATA_ID.findall(page)]


def test_home_page(client):
    page = get(client, "/")
    assert '<html lang="vi">' in page
    assert "<h1>Tìm kiếm</h1>" in page and ">Tìm kiếm</button>" in page
    assert '<label for="q"' in page
    # tip examples are links (issue 15); the status page is linked in the footer
    assert '<a class="example" href="/search?q=can+bo+dang+vien">' in page
    assert '<a href="/trang-thai">Trạng thái chỉ mục</a>' in page
    for syntax in ('"cụm từ"', "-loại trừ", "OR", "title:", "source:", "tiền tố*"):
        assert syntax in page
    assert "Tìm không dấu vẫn được" in page and "dấu ngoặc kép" in page


def test_results_page(client):
    page = get(client, "/search", q="can bo dang vien")
    assert re.search(r'Khoảng 3 kết quả <span class="took">\((dưới )?\d+,\d\d giây\)', page)
    # the three documents with every word first; others holding some of them follow
    assert set(ids(page)[:3]) == {"tin/can-bo-guong-mau", "tin/hoi-nghi", "tin/sai-chinh-ta"}
    assert '<a href="/doc/tin/hoi-nghi?q=can+bo+dang+vien">' in page
    assert "<mark>cán bộ đảng viên</mark>" in page  # a run of query words: one mark
    assert '<time datetime="2022-01-15">15/01/2022</time>' in page
    assert "Báo Mẫu" in page


def test_did_you_mean(client):
    with client.application.app_context():
        expected = indexer.search(search_app.get_index(), "can bo dang vien").suggestion
    assert expected == "cán bộ đảng viên"
    page = get(client, "/search", q="can bo dang vien")
    link = ('Có phải bạn muốn tìm: <a href="/search?q=c%C3%A1n+b%E1%BB%99+%C4%91%E1%BA%A3ng'
            '+vi%C3%AAn">cán bộ đảng viên</a>')
    assert link in page
    assert "Có phải bạn muốn tìm" not in get(client, "/search", q="cán bộ đảng viên")


def test_suggestion_and_messages_are_escaped(client, monkeypatch):
    def fake_search(index, query, **kwargs):
        return indexer.Results(query=query, total=0, suggestion=XSS, partial=True,
                               messages=[f"note {XSS}"])

    monkeypatch.setattr(indexer, "search", fake_search)
    page = get(client, "/search", q="x")
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "đây là các kết quả gần đúng" in page


def test_partial_results_note(client):
    page = get(client, "/search", q="cán bộ xyzabc")
    assert "Không có kết quả chứa tất cả các từ; đây là các kết quả gần đúng" in page
    assert ids(page)


def test_no_results_state(client):
    page = get(client, "/search", q="zzzqqq")
    assert "Không tìm thấy kết quả nào" in page and "dấu ngoặc kép" in page
    assert not ids(page)


def test_pagination(client):
    first = get(client, "/search", q="trach nhiem")
    second = get(client, "/search", q="trach nhiem", page="2")
    third = get(client, "/search", q="trach nhiem", page="3")
    assert "Trang trước" not in first and 'rel="next"' in first and "Trang sau" in first
    assert "Trang trước" in second and "Trang sau" in second
    assert "Trang trước" in third and "Trang sau" not in third
    assert '<a aria-current="page" href="/search?q=trach+nhiem&amp;page=2">2</a>' in second
    pages = [ids(first), ids(second), ids(third)]
    assert [len(p) for p in pages] == [10, 10, 10]
    assert len(set().union(*pages)) == 30
    assert '<ol class="results" start="11">' in second


def test_filters_are_kept_in_links(client):
    page = get(client, "/search", q="trach nhiem", source="Luật Mẫu", sort="date")
    assert 'name="source" value="Luật Mẫu" checked>' in page
    assert '<option value="newest" selected>' in page  # the old name "date" still works
    assert "source=Lu%E1%BA%ADt+M%E1%BA%ABu&amp;sort=newest" in page  # pagination links
    dated = ids(page)
    assert dated != ids(get(client, "/search", q="trach nhiem", source="Luật Mẫu"))


@pytest.mark.parametrize("args, note", [
    ({"page": "-1"}, "Số trang -1 nằm ngoài khoảng"),
    ({"page": "abc"}, None),
    ({"per_page": "10000"}, None),
    ({"from": "hôm qua"}, "không hợp lệ"),
    ({"sort": "random"}, None),
    ({"year": "²"}, "không hợp lệ"),  # was a 500: "²".isdigit() but int("²") fails
])
def test_forgiving_parameters(client, args, note):
    page = get(client, "/search", q="trach nhiem", **args)
    if note:
        assert note in page
    assert 1 <= len(ids(page)) <= 50


def test_page_past_the_end(client):
    page = get(client, "/search", q="trach nhiem", page="5000")
    assert "Số trang 5000" in page and "đây là trang cuối" in page  # the last page, said
    assert page.count('class="result"') >= 1
    assert "Trang trước" in page and "Trang sau" not in page


def test_long_query_is_truncated_with_a_note(client):
    page = get(client, "/search", q="trách nhiệm " + "x" * 600)
    assert "dài quá 500 ký tự" in page


def test_script_is_escaped(client):
    page = get(client, "/search", q=XSS)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = get(client, "/search", q="alert")
    assert ids(page) == ["tin/xss"]
    assert "<script>alert" not in page and "&lt;script&gt;<mark>alert</mark>(1)" in page
    doc = get(client, "/doc/tin/xss", q=XSS)
    assert "<script>alert" not in doc and "&lt;script&gt;" in doc


def test_templates_never_use_safe():
    templates = Path(search_app.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        assert "|safe" not in template.read_text("utf-8").replace(" ", ""), template.name


def test_document_page(client):
    page = get(client, "/doc/tin/can-bo-guong-mau", q="can bo dang vien")
    assert '<mark id="first-match">Cán bộ đảng viên</mark>' in page  # the phrase, whole
    assert page.count("<mark") > 4
    assert '<a href="/search?q=can+bo+dang+vien">' in page
    assert "01/05/2023" in page and "Báo Mẫu" in page
    assert '<a href="https://example.vn/tin/can-bo" rel="noopener noreferrer nofollow">' in page
    assert "Đoạn 1:" in page and "\nĐoạn 2:" in page  # paragraph breaks kept (pre-line)
    assert '<script src="/static/app.js" defer></script>' in page


def test_document_with_unsafe_url_is_not_a_link(client):
    page = get(client, "/doc/tin/sai-chinh-ta")
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


def test_document_id_with_special_characters(client):
    page = get(client, "/search", q="đường dẫn kỳ lạ")
    assert ids(page)[0] == SPECIAL_ID
    href = html.unescape(re.search(r'<h2 class="result-title"><a href="([^"]+)"', page)[1])
    assert "%23" in href and "%3F" in href
    assert "Mã có ký tự đặc biệt" in get(client, href)


def test_unknown_document_is_a_friendly_404(client):
    page = get(client, "/doc/khong/co/van-ban-nay", status=404)
    assert "Không có văn bản nào với mã này" in page and 'lang="vi"' in page
    assert "Trang bạn tìm không tồn tại" in get(client, "/khong-co-trang", status=404)


def test_missing_index_page_is_503(empty_app):
    client = empty_app.test_client()
    for url in ("/", "/search?q=a", "/doc/x"):
        page = get(client, url, status=503)
        assert "Chưa có chỉ mục: hãy chạy `vnsearch reindex`" in page
    assert empty_app.extensions["vnsearch"] is not None


def test_500_page_has_no_traceback(web_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(web_index)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    page = get(app.test_client(), "/boom", status=500)
    assert "Lỗi máy chủ" in page and "secret" not in page and "Traceback" not in page


@pytest.mark.parametrize("code, title", [
    (400, "Yêu cầu không hợp lệ"), (404, "Không tìm thấy"),
    (405, "Phương thức không được hỗ trợ"), (500, "Lỗi máy chủ"),
    (503, "Dịch vụ tạm thời chưa sẵn sàng"),
])
def test_error_pages_are_vietnamese(web_index, code, title):
    from flask import abort

    app = create_app({"TESTING": True, "INDEX_DIR": str(web_index)})

    @app.route("/fail", methods=["GET"])
    def fail():
        abort(code)

    client = app.test_client()
    response = client.post("/fail") if code == 405 else client.get("/fail")
    page = response.get_data(as_text=True)
    assert response.status_code == code and response.mimetype == "text/html"
    assert f"Lỗi {code}" in page and title in page and 'lang="vi"' in page
    assert "Về trang tìm kiếm" in page


@pytest.mark.parametrize("url", [
    "/search?q=%ED%A0%80", "/search?q=%ff", "/search?q=%00", "/search?q=a&page=%ff",
    "/search?source=%ff&q=a", "/doc/%ff", "/doc/%ED%A0%80", "/%ff",
])
def test_bad_unicode_never_500(client, url):
    assert client.get(url).status_code in (200, 404)


@pytest.mark.parametrize("url", ["/", "/search?q=a", "/doc/tin/xss", "/static/app.css",
                                 "/static/app.js", "/nope", "/api/search?q=a"])
def test_security_headers(client, url):
    response = client.get(url)
    for name, value in HEADERS.items():
        assert response.headers[name] == value, (url, name)
    response.close()


def test_number_and_date_formats():
    assert vn_number(0) == "0"
    assert vn_number(1234) == "1.234"
    assert vn_number(1234567) == "1.234.567"
    assert vn_number(1234.5, 2) == "1.234,50"
    assert vn_seconds(31.2) == "0,03"
    assert vn_seconds(1500) == "1,50"
    assert vn_date(indexer.Hit("a", "", None, None, None, 0, "", "").date) == ""
    from datetime import date
    assert vn_date(date(2015, 11, 4)) == "04/11/2015"
    assert page_window(1, 3) == [1, 2, 3]
    assert page_window(50, 100) == list(range(46, 55))
    assert page_window(100, 100) == list(range(92, 101))


def test_count_uses_vietnamese_thousands(client, monkeypatch):
    def fake_search(index, query, **kwargs):
        return indexer.Results(query=query, total=1234, took_ms=31.2)

    monkeypatch.setattr(indexer, "search", fake_search)
    assert ('Khoảng 1.234 kết quả <span class="took">(0,03 giây)</span>'
            in get(client, "/search", q="x"))


def test_config_layers(monkeypatch, tmp_path):
    monkeypatch.delenv("VNSEARCH_INDEX_DIR", raising=False)
    monkeypatch.setenv("VNSEARCH_INDEX", str(tmp_path / "from-cli-env"))
    monkeypatch.setenv("VNSEARCH_PER_PAGE", "20")
    app = create_app()
    assert app.config["INDEX_DIR"] == str(tmp_path / "from-cli-env")
    assert app.config["PER_PAGE"] == 20 and app.config["MAX_PER_PAGE"] == 50
    assert app.config["PROPAGATE_EXCEPTIONS"] is False
    assert app.extensions["vnsearch"] is None  # nothing opened before the first request
    monkeypatch.setenv("VNSEARCH_INDEX_DIR", str(tmp_path / "explicit"))
    assert create_app().config["INDEX_DIR"] == str(tmp_path / "explicit")
    assert create_app({"INDEX_DIR": "t"}).config["INDEX_DIR"] == "t"


def test_running_app_sees_a_reindex(tmp_path):
    records = web_records()
    corpus = write_corpus(tmp_path / "corpus", {"tin/tin.jsonl": records["tin/tin.jsonl"]})
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    client = app.test_client()
    try:
        assert ids(get(client, "/search", q="ngoạilai")) == []
        write_corpus(corpus, {"moi/moi.jsonl": [{
            "id": "moi/1", "title": "Tin mới", "text": "Từ hiếm ngoạilai xuất hiện.",
            "date": "2024-01-02", "source": "Mới", "url": ""}]})
        indexer.reindex(corpus, index_dir)
        time.sleep(0.6)
        assert ids(get(client, "/search", q="ngoạilai")) == ["moi/1"]
        assert client.get("/api/search?q=ngoailai").get_json()["total"] == 1
    finally:
        app.extensions["vnsearch"].close()


@pytest.mark.parametrize("doc_id", ["/leading", "..", "a/../b", "../../etc/passwd", "a//b",
                                    "x/%2e%2e/y", "plain/ok"])
def test_every_document_id_has_a_working_link(tmp_path, doc_id):
    """Ids with a leading /, doubled / or . and .. segments linked to pages a browser never
    asks for (it resolves the dots) or that redirect to a 404 (merged slashes)."""
    from urllib.parse import urlsplit

    from tests.helpers import write_jsonl

    write_jsonl(tmp_path / "corpus" / "a.jsonl",
                [{"id": doc_id, "title": "Văn bản lạ", "text": "nội dung đặc biệt"}])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index")
    client = search_app.create_app({"TESTING": True,
                                    "INDEX_DIR": str(tmp_path / "index")}).test_client()
    page = client.get("/search", query_string={"q": "nội dung"}).get_data(as_text=True)
    href = html.unescape(re.search(r'class="result-title"><a href="([^"]+)"', page)[1])
    path = urlsplit(href).path
    assert not any(segment in (".", "..") for segment in path.split("/")), href
    response = client.get(href)
    assert response.status_code == 200, href
    assert "Văn bản lạ" in response.get_data(as_text=True)
    api = client.get("/api/doc", query_string={"id": doc_id})
    assert api.status_code == 200 and api.get_json()["id"] == doc_id


def test_an_id_written_with_blanks_finds_its_document(tmp_path):
    """Ids are indexed trimmed ("r13 " -> r13): asked for as written, it was a 404."""
    from tests.helpers import write_jsonl

    write_jsonl(tmp_path / "corpus" / "a.jsonl",
                [{"id": "r13 ", "title": "Bản ghi", "text": "nội dung"}])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index")
    client = search_app.create_app({"TESTING": True,
                                    "INDEX_DIR": str(tmp_path / "index")}).test_client()
    for url in ("/api/doc/r13%20", "/api/doc/r13", "/api/doc?id=r13%20"):
        response = client.get(url)
        assert response.status_code == 200 and response.get_json()["id"] == "r13", url


def test_links_keep_the_page_size_and_the_exact_search(client):
    """Page links dropped per_page (5 a page, then page 2 showed 10 from result 11: 6-10
    never shown), and document links and their way back dropped exact=1 (the corrected
    results came back instead of the exact ones)."""
    page = get(client, "/search", q="trach nhiem", per_page="5")
    nexts = re.findall(r'href="(/search\?[^"]*page=2[^"]*)"', page)
    assert nexts and all("per_page=5" in html.unescape(u) for u in nexts)
    exact = get(client, "/search", q="trach nhiem", exact="1")
    doc_links = [html.unescape(u) for u in re.findall(r'href="(/doc[^"]+)"', exact)]
    assert doc_links and all("exact=1" in u for u in doc_links)
    back = get(client, doc_links[0])
    assert re.search(r'href="/search\?[^"]*exact=1', back)
    assert "per_page" not in html.unescape(get(client, "/search", q="trach nhiem"))


def test_the_count_says_partial_matches_follow(client):
    """"Khoảng 444 kết quả" over 162 pages: the pages after the full matches hold partial
    ones, which the count left out; it says how many follow."""
    data = client.get("/api/search", query_string={"q": "trach nhiem xyzkhong"}).get_json()
    for query in ("can bo dang vien", "trach nhiem hinh su", "phap luat doanh nghiep",
                  "can bo", "trach nhiem dan su", "hop dong lao dong"):
        api = client.get("/api/search", query_string={"q": query}).get_json()
        if api["candidates"] > api["total"] > 0:
            break
    assert api["candidates"] > api["total"] > 0
    page = get(client, "/search", q=query)
    more = f"{api['candidates'] - api['total']:,}".replace(",", ".")
    assert f"(và {more} kết quả gần đúng, chỉ chứa một phần các từ)" in page
    partial = [hit["id"] for hit in api["hits"] if not hit["complete"]]
    assert page.count('class="partial-hit"') == len(partial)  # each one says so
    assert data["total"] == 0  # no full match: the page says "Kết quả gần đúng" as before


def test_control_characters_of_a_query_are_blanks_on_the_page(client):
    """Found by a QA pass: they were echoed raw into the title and the search box, which
    showed 'hopdong' while 'hop dong' was searched."""
    page = get(client, "/search", q="\x00\x01hop\x1bdong\x7f")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", page)
    assert 'value="hop dong"' in page
    page = get(client, "/search", q="hop\u200bdong \u202eluat")  # zero-width, bidi
    assert "\u200b" not in page and "\u202e" not in page


def test_a_page_past_the_last_shows_the_last_page(client):
    """Found by a QA pass: page=9999 said 'Trang 1.000 không có kết quả' for a search of a
    few pages."""
    api = client.get("/api/search", query_string={"q": "trach nhiem"}).get_json()
    assert 1 < api["pages"] < 1000
    page = get(client, "/search", q="trach nhiem", page="9999")
    assert f"hỉ có {api['pages']} trang kết quả; đây là trang cuối" in page  # (C on the page)
    assert page.count('class="result"') >= 1
    assert "trang cuối" not in get(client, "/search", q="zzzqqqxx", page="5")
    cli = CliRunner().invoke(commands.cli, ["search", "trach nhiem", "--page", "999",
                                            "--index", str(client.application.config[
                                                "INDEX_DIR"])])
    assert "trang cuối" in cli.output and cli.exit_code == 0  # the CLI says so too
