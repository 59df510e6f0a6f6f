"""Dates of every source in one convention: naive Vietnam time (+07), whatever the input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import indexer
from indexer.corpus.dates import LOCAL_TZ, aware, parse_date
from tests.helpers import write_jsonl


@pytest.mark.parametrize(("value", "expected"), [
    ("15/08/2024", datetime(2024, 8, 15)),
    ("15-08-2024", datetime(2024, 8, 15)),
    ("5/8/2024", datetime(2024, 8, 5)),
    ("15.08.2024", datetime(2024, 8, 15)),
    ("15/08/2024 09:30", datetime(2024, 8, 15, 9, 30)),
    ("15/08/2024 9h30", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-15", datetime(2024, 8, 15)),
    ("2024-08-15T09:30", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-15 09:30:15", datetime(2024, 8, 15, 9, 30, 15)),
    ("2024-08-15T02:30:00Z", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-15T02:30:00+00:00", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-15T09:30:00+07:00", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-15T09:30:00+0700", datetime(2024, 8, 15, 9, 30)),
    ("2024-08-14T22:30:00-05:00", datetime(2024, 8, 15, 10, 30)),
    (datetime(2024, 8, 15, 2, 30, tzinfo=UTC), datetime(2024, 8, 15, 9, 30)),
    (date(2024, 8, 15), datetime(2024, 8, 15)),
    ("31/02/2024", None), ("2024-13-01", None), ("15/08/24", None), ("hôm qua", None),
    ("", None), (None, None), (20240815, None), ("0001-01-01", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_aware_gives_plus_seven():
    value = aware(datetime(2024, 8, 15, 9, 30))
    assert value.utcoffset() == timedelta(hours=7) and value.tzinfo is LOCAL_TZ
    assert value == datetime(2024, 8, 15, 2, 30, tzinfo=UTC)
    assert aware(datetime(2024, 1, 1, tzinfo=UTC)).tzinfo is UTC


def test_same_instant_from_jsonl_and_html_is_stored_once(tmp_path):
    """JSONL offsets used to be dropped (09:00Z stored as 09:00) while HTML dates were
    converted to +07 (16:00): the same instant 7 hours apart."""
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [
        {"id": "utc", "title": "Bản ghi giờ UTC", "text": "x", "date": "2024-08-15T09:00:00Z"},
        {"id": "vn", "title": "Bản ghi ngày Việt", "text": "x", "date": "15/08/2024"},
    ])
    (corpus / "b.html").write_text(
        '<html><head><meta property="article:published_time" content="2024-08-15T09:00:00Z">'
        "</head><body><article><h1>Trang tin</h1><p>Nội dung của trang tin.</p></article>"
        "</body></html>", "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    assert report.problems == []  # "15/08/2024" used to be rejected: "date ignored"
    handle = indexer.open_index(tmp_path / "index")
    try:
        assert indexer.document(handle, "utc").date == datetime(2024, 8, 15, 16, 0)
        assert indexer.document(handle, "b.html").date == datetime(2024, 8, 15, 16, 0)
        assert indexer.document(handle, "vn").date == datetime(2024, 8, 15)
    finally:
        handle.close()


def test_dates_leave_the_library_with_their_offset(tmp_path):
    """Dates are stored as Vietnam time; the JSON answers said "2024-08-15T16:00:00" with no
    offset (a client could not tell it from UTC), and a filter bound given with an offset
    had it dropped (09:30Z taken as 09:30 in Vietnam, seven hours early)."""
    import json

    from click.testing import CliRunner

    from indexer.cli.commands import cli
    from search_app import create_app

    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [{"id": "utc", "title": "Bản ghi giờ UTC", "text": "lúa gạo",
                                      "date": "2024-08-15T09:00:00Z"}])
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/api/doc/utc").get_json()["date"] == "2024-08-15T16:00:00+07:00"
    (hit,) = client.get("/api/search?q=lua+gao").get_json()["hits"]
    assert hit["date"] == "2024-08-15T16:00:00+07:00"
    # a bound with a time and an offset (the README's promise) was a 400 in the API
    for bound, hits in (("2024-08-15T08:30:00%2B00:00", 1), ("2024-08-15T17:00:00%2B07:00", 0)):
        response = client.get(f"/api/search?q=lua+gao&from={bound}")
        assert response.status_code == 200 and len(response.get_json()["hits"]) == hits
    stats = json.loads(CliRunner().invoke(cli, ["stats", "--index", str(index_dir),
                                                "--json"]).output)
    assert stats["date_min"] == stats["date_max"] == "2024-08-15T16:00:00+07:00"
    handle = indexer.open_index(index_dir)
    try:
        def found(**bounds) -> bool:
            return [h.id for h in indexer.search(handle, "lua gao", **bounds).hits] == ["utc"]
        assert found(date_from="2024-08-15T08:30:00Z") and not found(
            date_from="2024-08-15T09:30:00Z")
        assert found(date_to="2024-08-15T16:30:00+07:00") and not found(
            date_to="2024-08-15T08:30:00+00:00")
        assert found(date_from=datetime(2024, 8, 15, 8, 30, tzinfo=UTC)) and not found(
            date_from=datetime(2024, 8, 15, 9, 30, tzinfo=UTC))
        # day first, as the page shows dates: the library (and so the CLI) took only ISO
        assert found(date_from="15/08/2024") and not found(date_to="14/08/2024")
        assert found(date_to="15-08-2024") and not found(date_from="16-08-2024")
    finally:
        handle.close()
