"""Issue 15 on the server side: facets in the API and page, status page, Vietnamese text,
the document page's way back, and the CLI (closed pipe, busy port, request log)."""

from __future__ import annotations

import html
import io
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import indexer
import search_app
from search_app.serving import RequestLog
from tests.helpers import LAWS, NEWS

VNSEARCH = Path(sys.executable).parent / "vnsearch"


def api(client, **args):
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_api_facets_count_this_query_and_match_filtered_totals(client):
    data = api(client, q="phai")
    facets = data["facets"]
    assert [f["value"] for f in facets["source"]] == [NEWS, LAWS]
    assert sum(f["count"] for f in facets["source"]) == data["total"] == 32
    for facet in facets["source"]:
        assert api(client, q="phai", source=facet["value"])["total"] == facet["count"]
    for facet in facets["year"]:
        assert api(client, q="phai", year=facet["value"])["total"] == facet["count"]
    both = api(client, q="phai", source=[NEWS, LAWS], year=[2015, 2023])
    assert both["total"] == sum(api(client, q="phai", year=y)["total"] for y in (2015, 2023))
    assert api(client, q="phai", facets="0")["facets"] is None
    assert api(client, q="")["facets"] == {"source": [], "year": []}


def test_api_sort_oldest_and_no_sentinel(client):
    oldest = api(client, q="phai", sort="oldest", per_page=50)
    dates = [hit["date"] for hit in oldest["hits"]]
    assert dates == sorted(dates) and dates[0].startswith("2010")
    newest = api(client, q="phai", sort="newest", per_page=50)
    assert [hit["date"] for hit in newest["hits"]] == sorted(dates, reverse=True)
    assert all(hit["score"] is None for hit in newest["hits"])
    assert api(client, q="phai", sort="date")["hits"] == newest["hits"][:10]


@pytest.mark.parametrize("args, word", [
    ({"year": "hai nghìn"}, "year"), ({"sort": "random"}, "sort"), ({"from": "31/02/2020"}, "from"),
])
def test_api_rejects_bad_values_in_one_shape(client, args, word):
    response = client.get("/api/search", query_string={"q": "a", **args})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == 400 and word in error["message"]


def test_vietnamese_dates_are_accepted(client):
    iso = api(client, q="phai", **{"from": "2015-01-01", "to": "2016-12-31"})
    vn = api(client, q="phai", **{"from": "01/01/2015", "to": "31/12/2016"})
    assert vn["total"] == iso["total"] == 6


def test_api_stats_and_status_page(client):
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == 35 and stats["sources"] == {NEWS: 5, LAWS: 30}
    assert stats["generation"].startswith("gen-") and stats["last_reindex"]
    page = client.get("/trang-thai").get_data(as_text=True)
    assert "<h1>Trạng thái chỉ mục</h1>" in page
    assert "<dt>Văn bản</dt><dd>35</dd>" in page
    assert "<td>Luật Mẫu</td><td class=\"num\">30</td>" in page
    assert "Không có tệp nào bị bỏ qua" in page
    assert '<a href="/trang-thai">Trạng thái chỉ mục</a>' in page


def test_results_page_facets_chips_and_sorts(client):
    page = client.get("/search", query_string={"q": "phai", "source": NEWS, "year": "2023",
                                               "sort": "oldest"}).get_data(as_text=True)
    assert re.search(r'name="source" value="Báo Mẫu" checked>\s*<span class="facet-name">'
                     r'Báo Mẫu</span> <span class="facet-count">1</span>', page)
    assert 'aria-label="Bỏ lọc Nguồn: Báo Mẫu"' in page and "Năm 2023" in page
    chip = html.unescape(re.search(r'<a class="chip" href="([^"]+)" data-name="source"', page)[1])
    assert chip == "/search?q=phai&year=2023&sort=oldest"
    assert '<option value="oldest" selected>Cũ nhất</option>' in page
    assert "Khoảng 1 kết quả" in page


def test_document_links_carry_the_search_and_come_back(client):
    args = {"q": "trach nhiem", "source": LAWS, "sort": "oldest", "page": "2"}
    page = client.get("/search", query_string=args).get_data(as_text=True)
    link = html.unescape(re.search(r'<h2 class="result-title"><a href="([^"]+)"', page)[1])
    assert link.startswith("/doc/luat/") and "page=2" in link and "sort=oldest" in link
    doc = client.get(link).get_data(as_text=True)
    back = html.unescape(re.search(r'<p class="back">\s*<a href="([^"]+)"', doc)[1])
    assert back == ("/search?q=trach+nhiem&source=Lu%E1%BA%ADt+M%E1%BA%ABu&sort=oldest"
                    "&page=2")


def test_library_notes_are_shown_in_vietnamese(client):
    page = client.get("/search", query_string={"q": " ".join(f"w{i}" for i in range(40))})
    text = page.get_data(as_text=True)
    assert "<li>Chỉ dùng 32 từ đầu tiên" in text and "terms were used" not in text
    data = api(client, q=" ".join(f"w{i}" for i in range(40)))
    assert data["messages"] == ["chỉ dùng 32 từ đầu tiên của câu tìm kiếm"]


def test_missing_index_message_has_no_english_tail(empty_app):
    body = empty_app.test_client().get("/search?q=a").get_data(as_text=True)
    assert "Chưa có chỉ mục" in body and "no index in" not in body


def test_request_log_line():
    stream = io.StringIO()
    app = RequestLog(search_app.create_app({"INDEX_DIR": "/nonexistent"}), stream)
    from werkzeug.test import Client

    response = Client(app).get("/api/search?q=a&page=x")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == 400
    response.close()
    assert re.fullmatch(r"GET /api/search\?q=a&page=x 400 \d+\.\d ms\n", stream.getvalue())


def test_request_log_lines_cannot_be_forged():
    """A decoded path with a newline wrote a second, made-up request line (and ESC or NUL
    went raw to the terminal): each request is one line, its path re-encoded."""
    stream = io.StringIO()
    app = RequestLog(search_app.create_app({"INDEX_DIR": "/nonexistent"}), stream)
    from werkzeug.test import Client

    Client(app).get("/api/doc/x%0aGET%20/forged%20200%201.0%20ms%1b%00").close()
    line = stream.getvalue()
    assert line.count("\n") == 1 and "\x1b" not in line and "\x00" not in line
    assert line.startswith("GET /api/doc/x%0AGET%20/forged%20200%201.0%20ms%1B%00 404 ")


def run_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(VNSEARCH), *args], capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_cli_closed_pipe_ends_quietly(web_index):
    """``vnsearch search … | head -1``: the reader is gone before we write."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([str(VNSEARCH), "search", "trach nhiem", "--index",
                               str(web_index), "--limit", "50"], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 0 and done.stderr == ""


def test_cli_plain_snippets_have_no_raw_line_breaks():
    """A snippet without a match (a title-only hit) kept the text's line breaks, which
    broke the indented layout of the terminal results."""
    from indexer.cli.render import marked_to_terminal
    from indexer.searching.highlight import Terms, snippet

    lead = snippet("dòng một\ndòng hai\r\ndòng ba", Terms({"khong": {None}}))
    assert lead == "dòng một dòng hai dòng ba"
    assert marked_to_terminal("Đoạn 1\nĐoạn <mark>2</mark>", color=False) == "Đoạn 1 Đoạn 2"


def test_serve_on_a_busy_port_is_one_line_before_anything(web_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_cli("serve", "--port", str(port), "--index", str(web_index))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "already in use" in done.stderr
    assert "serving on" not in done.stderr


def test_the_port_suggested_instead_of_a_busy_one_is_free():
    """It was always port + 1, busy or not."""
    from search_app.serving import _free_port

    with socket.socket() as busy, socket.socket() as next_one:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            next_one.bind(("127.0.0.1", port + 1))
            next_one.listen()
        except OSError:
            pytest.skip("the port after a free one is taken already")
        suggested = _free_port("127.0.0.1", socket.AF_INET, port)
    assert suggested is not None and suggested > port + 1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", suggested))


def test_cli_numbers_are_vietnamese_like_the_page(web_index):
    """The results line is Vietnamese words with English digits ("1,661 … 0.054 giây")
    while the page says "1.661 … 0,05 giây": one format per surface."""
    from click.testing import CliRunner

    from indexer.cli.commands import cli
    from indexer.cli.render import vn_number

    assert vn_number(1661) == "1.661" and vn_number(0.0541, 3) == "0,054"
    result = CliRunner().invoke(cli, ["search", "trach nhiem", "--index", str(web_index)])
    assert result.exit_code == 0
    assert re.search(r"^30 kết quả \(\d+,\d{3} giây\)$", result.output, re.M), result.output


def test_serve_says_where_the_cli_is_when_it_is_not_on_path(monkeypatch, tmp_path):
    """``make run`` runs .venv/bin/vnsearch without activating the venv: `vnsearch …`
    then gives "command not found", so serve prints how to reach it."""
    from indexer.cli import building as cli_module
    program = tmp_path / ".venv" / "bin" / "vnsearch"
    program.parent.mkdir(parents=True)
    program.write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(program), "serve"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cli_module._cli_hint() == ("other commands: .venv/bin/vnsearch --help (or `source "
                                      ".venv/bin/activate`, then `vnsearch --help`)")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(program.parent))
    assert cli_module._cli_hint() is None  # on PATH: nothing to say


def test_status_page_lists_skipped_files_with_reasons(make_corpus, tmp_path):
    corpus = make_corpus({"good.jsonl": [{"id": "a", "title": "Tiêu đề", "text": "nội dung"}],
                          "bad.jsonl": "{not json\n", "empty.txt": ""})
    indexer.reindex(corpus, tmp_path / "index")
    app = search_app.create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    page = app.test_client().get("/trang-thai").get_data(as_text=True)
    assert "<h3>Tệp bị bỏ qua (" in page
    assert "<code>bad.jsonl" in page and "<code>empty.txt</code>:" in page
    stats = app.test_client().get("/api/stats").get_json()
    assert any(path.startswith("bad.jsonl") for path, _ in stats["last_report"]["problems"])


def test_elapsed_time_is_never_zero_seconds():
    from search_app.formatting import vn_seconds

    assert vn_seconds(0.4) == "dưới 0,01" and vn_seconds(31.2) == "0,03"
    assert vn_seconds(1234.5) == "1,23"
