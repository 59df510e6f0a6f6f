"""HTML pages: trafilatura against our markup extractor, field by field (see
indexer/corpus/formats/webpage.py for which one wins where, and why)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from indexer.corpus.formats.webpage import parse, trafilatura_fields
from indexer.corpus.pages import parse_html_page
from tests.test_news_layouts import LAYOUTS, P1, TITLE
from tests.test_pages import HTML

MENU_PAGE = LAYOUTS["html-menu-related-no-article"][1]
PARA = "Người dân trong tỉnh tích cực tham gia xây dựng nông thôn mới, đời sống nâng lên rõ rệt."
JSON_LD = f"""<html><head><script type="application/ld+json">{{"@context": "https://schema.org",
"@type": "NewsArticle", "headline": "Lễ hội đua ghe ngo năm nay",
"author": {{"@type": "Person", "name": "Trần Văn Bình"}},
"datePublished": "2024-10-20T08:00:00+07:00",
"publisher": {{"@type": "Organization", "name": "Báo Sóc Trăng"}}}}</script></head>
<body><div class="x"><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p></div></body></html>"""


def test_body_without_article_tag_trafilatura_drops_menu_related_and_footer():
    ours = parse_html_page(MENU_PAGE).body
    assert "Tin liên quan: Giá lúa tăng cao kỷ lục" in ours  # the old extractor's bug
    body = parse(MENU_PAGE).body
    for chrome in ("Thời sự", "Tin liên quan", "Bản quyền", "Giá lúa tăng cao", "Địa chỉ"):
        assert chrome not in body
    assert body.startswith(f"(HG) - {P1}")


def test_body_with_article_tag_ours_wins():
    lines, _ = trafilatura_fields(HTML)
    assert any("Bật JavaScript" in line or "Gửi bình luận" in line for line in lines)
    page = parse(HTML)
    assert page.body == parse_html_page(HTML).body
    assert "JavaScript" not in page.body and "Gửi bình luận" not in page.body


def test_date_markup_with_time_and_offset_wins_over_trafilatura_day():
    _, meta = trafilatura_fields(MENU_PAGE)
    assert meta["date"] == "2024-08-15"  # the day only
    assert parse(MENU_PAGE).date == datetime(2024, 8, 15, 9, 30)  # 02:30Z in Vietnam


def test_dateline_time_wins_over_trafilatura_day():
    html = f"<html><body><div><h1>{TITLE}</h1><div>15/08/2024 09:30</div><p>{P1}</p>" \
           f"<p>{PARA}</p></div></body></html>"
    assert parse(html).date == datetime(2024, 8, 15, 9, 30)


def test_title_author_source_from_markup_win():
    page = parse(MENU_PAGE)
    assert (page.title, page.author, page.source) == (TITLE, "Minh Anh", "Báo Hậu Giang")


def test_json_ld_fields_from_trafilatura_fill_what_markup_lacks():
    ours = parse_html_page(JSON_LD)
    assert ours.title == PARA and ours.author is None  # a paragraph taken as the title
    page = parse(JSON_LD)
    assert page.title == "Lễ hội đua ghe ngo năm nay"
    assert page.author == "Trần Văn Bình"
    assert page.source == "Báo Sóc Trăng"
    assert page.date == datetime(2024, 10, 20)
    assert page.body.split("\n\n") == [PARA] * 3


def test_hostile_markup_never_raises():
    for html in ["", "<", "<a " * 50_000, "<html><body>" + "<div>" * 5_000, "\x00<p>x</p>",
                 "<p>" + "Từ " * 50_000 + "</p>"]:
        page = parse(html)
        assert "\n" not in page.title


@pytest.mark.slow
@pytest.mark.parametrize("html", ["<p>ab</p>" * 220_000, "<p><b>" * 200_000,
                                  "<p>ab cd</p>" * 9_900, "<div><p>x</p>" * 6_600],
                         ids=["220k-paragraphs", "200k-nested", "20k-tags", "20k-nested"])
def test_many_tags_stay_bounded(html):
    start = time.perf_counter()
    parse(html)
    assert time.perf_counter() - start < 15
