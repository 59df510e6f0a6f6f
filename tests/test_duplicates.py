"""Identical copies collapse to one result, "và N bản giống hệt", the others reachable."""

from __future__ import annotations

import re
import unicodedata

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import indexer
from indexer.cli.commands import cli
from indexer.searching.duplicates import copy_key
from search_app import create_app
from tests.helpers import write_jsonl

ARTICLE = {"title": "Giá lúa tăng mạnh",
           "text": "Giá lúa tại Hậu Giang tăng mạnh trong tuần qua, nông dân phấn khởi."}


def _records() -> list[dict]:
    copies = [{"id": f"copy{i}", **ARTICLE} for i in range(10)]
    near = {"id": "near", "title": ARTICLE["title"],
            "text": ARTICLE["text"].replace("Hậu Giang", "Cần Thơ")}
    others = [{"id": f"other{i}", "title": f"Thị trường lúa gạo {i}",
               "text": "Giá lúa hôm nay ổn định. " * (i + 1)} for i in range(12)]
    return copies + [near] + others


def _build(tmp_path, records):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "news.jsonl", records)
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir, full=True)
    return corpus, index_dir


def test_ten_identical_copies_are_one_result_listing_the_others(tmp_path):
    _, index_dir = _build(tmp_path, _records())
    index = indexer.open_index(index_dir)
    try:
            results = indexer.search(index, "gia lua", per_page=10)
    finally:
        index.close()
    ids = [hit.id for hit in results.hits]
    assert len(ids) == 10 and len(set(ids)) == 10  # the page stays full
    copies_on_page = [i for i in ids if i.startswith("copy")]
    assert copies_on_page == ["copy0"]
    first = results.hits[ids.index("copy0")]
    assert first.copy_count == 9
    assert sorted(first.copies) == [f"copy{i}" for i in range(1, 10)]
    assert "near" in ids  # one word different: not a copy
    assert results.hits[ids.index("near")].copy_count == 0
    assert results.total == 23  # documents, copies included
    assert results.copies_hidden == 9 and results.pages == 2  # every match was ranked


def test_the_next_page_continues_after_the_collapsed_copies(tmp_path):
    _, index_dir = _build(tmp_path, _records())
    index = indexer.open_index(index_dir)
    try:
            page1 = indexer.search(index, "gia lua", per_page=5)
            page2 = indexer.search(index, "gia lua", per_page=5, page=2)
            page3 = indexer.search(index, "gia lua", per_page=5, page=3)
    finally:
        index.close()
    seen = [h.id for p in (page1, page2, page3) for h in p.hits]
    assert len(seen) == len(set(seen)) == 14  # 23 documents, 10 copies shown once
    assert not any(i.startswith("copy") and i != "copy0" for i in seen)


def test_copies_collapse_in_date_order_too(tmp_path):
    records = _records()
    for i, record in enumerate(records):
        record["date"] = f"2024-01-{i % 28 + 1:02d}"
    _, index_dir = _build(tmp_path, records)
    index = indexer.open_index(index_dir)
    try:
            results = indexer.search(index, "gia lua", sort="newest", per_page=30)
    finally:
        index.close()
    ids = [hit.id for hit in results.hits]
    assert len([i for i in ids if i.startswith("copy")]) == 1
    assert len(ids) == 14


def test_editing_one_copy_separates_it(tmp_path):
    records = _records()
    corpus, index_dir = _build(tmp_path, records)
    records[3] = {**records[3], "text": records[3]["text"] + " Thêm một câu mới."}
    write_jsonl(corpus / "news.jsonl", records)
    indexer.reindex(corpus, index_dir)
    index = indexer.open_index(index_dir)
    try:
            results = indexer.search(index, "gia lua", per_page=20)
    finally:
        index.close()
    ids = [hit.id for hit in results.hits]
    assert "copy3" in ids and "copy0" in ids
    assert results.hits[ids.index("copy0")].copy_count == 8
    assert results.hits[ids.index("copy3")].copy_count == 0


def test_deleted_copies_are_not_counted(tmp_path):
    records = _records()
    corpus, index_dir = _build(tmp_path, records)
    write_jsonl(corpus / "news.jsonl", [r for r in records if r["id"] not in ("copy0", "copy5")])
    indexer.reindex(corpus, index_dir)
    index = indexer.open_index(index_dir)
    try:
            results = indexer.search(index, "gia lua")
    finally:
        index.close()
    hit = next(h for h in results.hits if h.id.startswith("copy"))
    assert hit.id == "copy1" and hit.copy_count == 7
    assert "copy0" not in hit.copies and "copy5" not in hit.copies


def test_the_key_ignores_form_not_words():
    text = "Giá lúa tăng"
    assert copy_key("T", text) == copy_key("T", unicodedata.normalize("NFD", text))
    assert copy_key("T", text) == copy_key("t", "giá  lúa\n tăng ")
    assert copy_key("T", text) != copy_key("T", "Giá lúa tang")  # marks are text
    assert copy_key("", "  ") == ""


def test_the_page_says_how_many_copies_and_links_to_them(tmp_path):
    _, index_dir = _build(tmp_path, _records())
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    client = app.test_client()
    page = client.get("/search?q=gia+lua").get_data(as_text=True)
    assert "và 9 bản giống hệt" in page
    links = re.findall(r'href="/doc/(copy\d)', page)
    assert sorted(set(links)) == [f"copy{i}" for i in range(10)]
    assert client.get("/doc/copy7").status_code == 200
    data = client.get("/api/search?q=gia+lua").get_json()
    hit = next(h for h in data["hits"] if h["id"] == "copy0")
    assert hit["copy_count"] == 9 and len(hit["copies"]) == 9


def test_the_cli_lists_the_copies(tmp_path):
    _, index_dir = _build(tmp_path, _records())
    result = CliRunner().invoke(cli, ["search", "--index", str(index_dir), "gia lua"])
    assert result.exit_code == 0, result.output
    assert "và 9 bản giống hệt: copy1, copy2, copy3, copy4, copy5, …" in result.output


def test_no_empty_last_page_when_copies_collapse(tmp_path):
    """23 documents, 10 of them copies: 14 results, two pages of 10 (pages counted from
    documents said 3 pages, the third empty)."""
    _, index_dir = _build(tmp_path, _records())
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    pages = [client.get(f"/api/search?q=gia+lua&page={n}").get_json() for n in (1, 2)]
    assert [(p["total"], p["copies_hidden"], p["pages"], len(p["hits"])) for p in pages] == [
        (23, 9, 2, 10), (23, 9, 2, 4)]
    html = client.get("/search?q=gia+lua").get_data(as_text=True)
    assert "page=2" in html and "page=3" not in html
    # Page 1 of 5 ranks 18 of the 23 matches, the 10 copies among them: exact too.
    first, last = (client.get(f"/api/search?q=gia+lua&per_page=5&page={n}").get_json()
                   for n in (1, 3))
    assert (first["pages"], last["pages"]) == (3, 3) and last["copies_hidden"] == 9
    assert len(last["hits"]) == 4


def test_words_moved_between_title_and_body_make_another_document(tmp_path):
    records = [{"id": "a", "title": "Giá lúa", "text": "tăng mạnh tại Hậu Giang"},
               {"id": "b", "title": "Giá lúa tăng", "text": "mạnh tại Hậu Giang"}]
    _, index_dir = _build(tmp_path, records)
    index = indexer.open_index(index_dir)
    try:
        results = indexer.search(index, "gia lua")
    finally:
        index.close()
    assert sorted(hit.id for hit in results.hits) == ["a", "b"]
    assert [hit.copy_count for hit in results.hits] == [0, 0]


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=0x3100), max_size=40)
       | st.text(alphabet=" \t\n\x1c\x1f\x85\xa0\u2000\u2028\u3000aĐ\u0301\u0323e", max_size=30))
def test_copy_key_text_is_the_regex_normalisation(text):
    """The key's text normalisation (split/join) is what ``\\s+`` -> " " and strip() gave,
    so keys of an index built before stay comparable."""
    from indexer.searching.duplicates import _normalise

    expected = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold()).strip()
    assert _normalise(text) == expected


def test_a_copy_that_does_not_match_the_phrase_is_not_listed(tmp_path):
    """Identical text but for a line break inside the phrase: the same copy key (white
    space collapsed), but a phrase never spans a line break, so that copy does not
    match ``"tăng mạnh trong tuần"`` and was listed under the one that did."""
    text = ARTICLE["text"]
    broken = text.replace("tăng mạnh trong", "tăng mạnh\ntrong")
    records = [{"id": "flat", "title": ARTICLE["title"], "text": text},
               {"id": "broken", "title": ARTICLE["title"], "text": broken},
               {"id": "flat2", "title": ARTICLE["title"], "text": text}]
    assert copy_key(ARTICLE["title"], text) == copy_key(ARTICLE["title"], broken)
    _, index_dir = _build(tmp_path, records)
    index = indexer.open_index(index_dir)
    try:
        phrase = indexer.search(index, '"mạnh trong tuần"')
        words = indexer.search(index, "giá lúa")
    finally:
        index.close()
    assert [hit.id for hit in phrase.hits] == ["flat"] and phrase.hits[0].copies == ["flat2"]
    assert words.hits[0].copy_count == 2  # without the phrase, all three are one result
