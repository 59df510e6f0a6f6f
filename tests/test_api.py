"""The JSON API: same ranking as the page, one error shape, strict parameters."""

from __future__ import annotations

import html
import re

import pytest

from search_app import create_app
from tests.helpers import SPECIAL_ID, XSS, web_records

DATA_ID = re.compile(r'<li class="result" data-id="([^"]*)"')
TOTAL_DOCS = sum(len(records) for records in web_records().values())

AGREEMENT = [
    {"q": "can bo dang vien"},
    {"q": "cán bộ đảng viên"},
    {"q": "trách nhiệm"},
    {"q": "trach nhiem", "page": "2"},
    {"q": "trach nhiem", "page": "3"},
    {"q": "trach nhiem", "sort": "date"},
    {"q": "trach nhiem", "source": "Luật Mẫu", "from": "2014-01-01", "to": "2016-12-31"},
    {"q": '"trách nhiệm hình sự"'},
    {"q": "trach nhiem -doanh"},
    {"q": "thuế OR gương"},
    {"q": "title:hội"},
    {"q": "source:báo"},
    {"q": "trách nhi*"},
    {"q": "cán bộ xyzabc"},
    {"q": "alert"},
    {"q": "không có từ này đâu"},
]


def page_ids(client, args: dict) -> list[str]:
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return [html.unescape(i) for i in DATA_ID.findall(response.get_data(as_text=True))]


@pytest.mark.parametrize("args", AGREEMENT, ids=lambda a: " ".join(a.values()))
def test_page_and_api_rank_the_same(client, args):
    data = client.get("/api/search", query_string=args).get_json()
    assert [hit["id"] for hit in data["hits"]] == page_ids(client, args)


def test_search_answer_shape(client):
    response = client.get("/api/search", query_string={"q": "trach nhiem"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    for key in ("query", "total", "page", "per_page", "took_ms", "suggestion", "hits"):
        assert key in data
    assert (data["query"], data["total"], data["page"], data["per_page"]) == (
        "trach nhiem", 30, 1, 10)
    assert data["pages"] == 3
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "url", "source", "date", "score", "snippet"}
    assert "<mark>" in hit["snippet"]
    assert hit["date"].startswith("20")


def test_empty_query_is_an_empty_answer(client):
    data = client.get("/api/search?q=").get_json()
    assert data["total"] == 0 and data["hits"] == []


def test_suggestion_for_unaccented_query(client):
    data = client.get("/api/search", query_string={"q": "can bo dang vien"}).get_json()
    assert data["suggestion"] == "cán bộ đảng viên"


def test_per_page_is_capped(client):
    data = client.get("/api/search?q=trach+nhiem&per_page=10000").get_json()
    assert data["per_page"] == 50
    assert len(data["hits"]) == 30
    data = client.get("/api/search?q=trach+nhiem&per_page=7").get_json()
    assert (data["per_page"], len(data["hits"])) == (7, 7)


def assert_error(response, code: int) -> str:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


@pytest.mark.parametrize("query, needle", [
    ("q=a&page=abc", "page"),
    ("q=a&page=-1", "page"),
    ("q=a&page=0", "page"),
    ("q=a&page=1001", "page"),
    ("q=a&per_page=abc", "per_page"),
    ("q=a&per_page=0", "per_page"),
    ("q=a&sort=random", "sort"),
    ("q=a&from=yesterday", "from"),
    ("q=a&to=2020-13-45", "to"),
    ("q=" + "a" * 501, "500"),
    ("q=a&year=%C2%B2", "year"),  # "²" is a digit to str.isdigit, not to int(): was a 500
    ("q=a&year=%D9%A1%D9%A2", "year"),  # Arabic-Indic digits
])
def test_bad_parameters_are_400(client, query, needle):
    assert needle in assert_error(client.get("/api/search?" + query), 400)


def test_suggest_too_long_is_400(client):
    assert_error(client.get("/api/suggest?q=" + "a" * 501), 400)


def test_not_found_is_404(client):
    assert_error(client.get("/api/nothing-here"), 404)
    assert "khong-co" in assert_error(client.get("/api/doc/tin/khong-co"), 404)


def test_wrong_method_is_405(client):
    response = client.post("/api/search?q=a")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error(client.delete("/healthz"), 405)


def test_missing_index_is_503(empty_app):
    client = empty_app.test_client()
    for url in ("/api/search?q=a", "/api/doc/x", "/healthz"):
        message = assert_error(client.get(url), 503)
        assert message.startswith("Chưa có chỉ mục: hãy chạy `vnsearch reindex`")
        assert "no index" not in message  # all Vietnamese: no English tail (issue 15)
    # autocomplete is a nicety: the library answers an empty list rather than an error
    assert client.get("/api/suggest?q=a").get_json()["suggestions"] == []


def test_unexpected_error_is_500_without_traceback(web_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(web_index)})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/boom")
    message = assert_error(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in message


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["documents"] == TOTAL_DOCS
    assert data["generation"].startswith("gen-") and data["commit"] >= 1


@pytest.mark.parametrize("q", ["\x00", "\x01trach", "trach\x00nhi"])
def test_suggest_never_completes_control_characters(client, q):
    """``/api/suggest?q=%00`` answered suggestions starting with a NUL."""
    data = client.get("/api/suggest", query_string={"q": q}).get_json()
    assert not any(ch < " " for s in data["suggestions"] for ch in s)


def test_suggest_completes_without_accents(client):
    data = client.get("/api/suggest", query_string={"q": "trach nhi"}).get_json()
    assert data["query"] == "trach nhi"
    assert 1 <= len(data["suggestions"]) <= 8
    assert data["suggestions"][0].startswith("trách nhiệm")
    assert client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}


def test_document(client):
    data = client.get("/api/doc/tin/xss?q=alert").get_json()
    assert data["id"] == "tin/xss"
    assert data["title"].startswith(XSS)  # data, not markup: JSON carries it as is
    assert "&lt;script&gt;" in data["title_html"] and "<script>" not in data["title_html"]
    assert "<mark>alert</mark>" in data["body_html"]
    special = client.get("/api/doc/tin/ký tự đặc biệt %231%3Fx=1").get_json()
    assert special["id"] == SPECIAL_ID


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%ff", "%00", "%C0%AF", "%E2%80%AE"])
def test_bad_unicode_never_500(client, raw):
    assert client.get(f"/api/search?q={raw}").status_code == 200
    assert client.get(f"/api/suggest?q={raw}").status_code == 200
    assert client.get(f"/api/doc/{raw}").status_code == 404


def test_headers_on_json(client):
    response = client.get("/api/search?q=a")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_cli_json_is_the_api_shape(client, web_index):
    """One JSON shape for a search: ``vnsearch search --json`` printed its own (no
    ``pages``), the API another (no ``path``, no ``complete``)."""
    import json

    from click.testing import CliRunner

    from indexer.cli.commands import cli

    api = client.get("/api/search", query_string={"q": "trach nhiem", "page": "2"}).get_json()
    printed = CliRunner().invoke(cli, ["search", "trach nhiem", "--page", "2", "--json",
                                       "--index", str(web_index)])
    assert printed.exit_code == 0, printed.output
    cli_json = json.loads(printed.output)
    assert list(cli_json) == list(api)
    assert [list(hit) for hit in cli_json["hits"]] == [list(hit) for hit in api["hits"]]
    assert cli_json["pages"] == api["pages"] == 3
    assert [hit["id"] for hit in cli_json["hits"]] == [hit["id"] for hit in api["hits"]]
