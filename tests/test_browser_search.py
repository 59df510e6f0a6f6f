"""Issue 15 in a real Chromium: results as you type, facets, layout, keyboard, the way back.

Same harness as test_browser.py (skipped without /usr/bin/chromium unless
VNSEARCH_REQUIRE_BROWSER=1). Screenshots of every page at 1280 and 375 px go
to test-artifacts/.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import LAWS, NEWS

from .test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    browser_fixture,
    open_page,
    page_fixture,
    query_of,
    result_ids,
)

pytestmark = pytest.mark.browser


def args_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def count_of(page) -> int:
    """The total in "Khoảng N kết quả", Vietnamese digits ("1.234")."""
    text = page.locator(".count").inner_text()
    return int(re.search(r"Khoảng ([\d.]+) kết quả", text)[1].replace(".", ""))


def facet_count(page, name: str) -> int:
    label = page.locator(".facet label").filter(has_text=name).first
    return int(label.locator(".facet-count").inner_text().replace(".", ""))


def test_results_follow_typing_without_enter(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Từ khoá tìm kiếm")
    assert page.evaluate("document.activeElement.id") == "q"  # focused on load
    box.press_sequentially("trach nhiem hinh su", delay=15)
    page.wait_for_url(lambda url: query_of(url) == "trach nhiem hinh su")
    page.locator(".results li.result").first.wait_for()
    assert page.url.endswith("/search?q=trach+nhiem+hinh+su")  # no default values
    assert count_of(page) == 30  # every law has the phrase; "Trách nhiệm" news has not
    assert page.title().startswith("trach nhiem hinh su")
    marks = page.locator(".results .snippet mark").all_inner_texts()
    assert "trách nhiệm hình sự" in marks  # the phrase is one mark, not four
    box.press_sequentially(" -thue", delay=15)  # narrowing as you type
    page.wait_for_url(lambda url: query_of(url) == "trach nhiem hinh su -thue")
    assert "sort" not in args_of(page.url)  # the default sort stays out of the URL
    page.locator(".no-results").wait_for()


def test_facet_click_narrows_and_chip_removes(page, live_server):
    page.goto(live_server.url + "/search?q=trach+nhiem")
    total = count_of(page)
    year = page.locator('.facet[data-facet="year"] label').filter(has_text="2015")
    expected = facet_count(page, "2015")
    assert 0 < expected < total
    api = page.request.get(live_server.url + "/api/search?q=trach+nhiem&year=2015").json()
    assert api["total"] == expected  # the count is what the filter gives
    year.locator("input").check()
    page.wait_for_url(lambda url: args_of(url).get("year") == ["2015"])
    page.locator(".chip").wait_for()
    assert count_of(page) == expected
    assert len(result_ids(page)) == expected
    # the source counts are now for 2015 only, and still match the API
    laws = facet_count(page, LAWS)
    api = page.request.get(live_server.url + "/api/search",
                           params={"q": "trach nhiem", "year": "2015", "source": LAWS}).json()
    assert laws == api["total"] == expected
    page.locator(".chip").filter(has_text="Năm 2015").click()
    page.wait_for_url(lambda url: "year" not in args_of(url))
    page.locator(".chip").wait_for(state="detached")
    assert count_of(page) == total


def test_facet_counts_equal_api_totals(page, live_server):
    page.goto(live_server.url + "/search?q=trach+nhiem")
    labels = page.locator(".facet li label")
    assert labels.count() == 11  # one source and ten years
    for i in range(labels.count()):
        box = labels.nth(i).locator("input")
        name, value = box.get_attribute("name"), box.get_attribute("value")
        shown = int(labels.nth(i).locator(".facet-count").text_content().replace(".", ""))
        api = page.request.get(live_server.url + "/api/search",
                               params={"q": "trach nhiem", name: value}).json()
        assert shown == api["total"], (name, value)


@pytest.mark.parametrize("width, check", [(1280, "five"), (375, "first")])
def test_results_above_the_fold(browser, live_server, width, check):
    context, page = open_page(browser, width=width)
    try:
        page.set_viewport_size({"width": width, "height": 900 if width == 1280 else 740})
        page.goto(live_server.url + "/search?q=trach+nhiem+hinh+su")
        page.wait_for_function("!document.querySelector('.facet-panel') || "
                               "(innerWidth > 900) === document.querySelector('.facet-panel').open")
        tops = page.locator(".results li.result").evaluate_all(
            "items => items.map(item => item.getBoundingClientRect().bottom)")
        if check == "five":
            assert sum(bottom <= 900 for bottom in tops) >= 5, tops
        else:
            first_top = page.locator(".results li.result").first.evaluate(
                "el => el.getBoundingClientRect().top")
            assert first_top < 300
        assert page.problems == []
    finally:
        context.close()


def test_back_from_document_keeps_page_filter_and_sort(page, live_server):
    url = (live_server.url + "/search?q=trach+nhiem&source=" + LAWS
           + "&sort=oldest&page=2")
    page.goto(url)
    ids = result_ids(page)
    assert len(ids) == 10
    page.locator(".results .result-title a").first.click()
    page.wait_for_url("**/doc/**")
    page.go_back()
    page.wait_for_url("**/search?**")
    args = args_of(page.url)
    assert args["page"] == ["2"] and args["source"] == [LAWS] and args["sort"] == ["oldest"]
    assert result_ids(page) == ids
    # the document page's own link back keeps them too
    page.locator(".results .result-title a").nth(1).click()
    page.wait_for_url("**/doc/**")
    page.get_by_role("link", name="Quay lại kết quả").click()
    page.wait_for_url("**/search?**")
    args = args_of(page.url)
    assert args["page"] == ["2"] and args["source"] == [LAWS] and args["sort"] == ["oldest"]
    assert result_ids(page) == ids
    assert page.get_by_label("Sắp xếp").input_value() == "oldest"


def test_slash_type_down_down_enter_opens_second_result(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("h1").click()  # focus leaves the box
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("trach nhiem hinh su", delay=15)
    page.wait_for_url(lambda url: query_of(url) == "trach nhiem hinh su")
    page.locator(".results li.result").first.wait_for()
    second = result_ids(page)[1]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doc/**")
    assert page.locator(".meta-id, .doc-meta code").last.inner_text() == second


def test_document_match_navigation(page, live_server):
    page.goto(live_server.url + "/doc/tin/hoi-nghi?q=can+bo+dang+vien")
    assert page.evaluate("window.scrollY") == 0  # short document: the title stays in view
    marks = page.locator(".doc-body mark")
    assert marks.count() == 2
    page.get_by_role("button", name="Chỗ khớp sau").click()
    assert marks.nth(0).get_attribute("class") == "is-current"
    page.keyboard.press("n")
    assert marks.nth(1).get_attribute("class") == "is-current"
    assert page.locator(".match-pos").inner_text() == "Chỗ khớp 2/2"
    page.get_by_role("button", name="Chỗ khớp trước").click()
    assert marks.nth(0).get_attribute("class") == "is-current"


@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots(browser, live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_page(browser, width=width)
    try:
        page.set_viewport_size({"width": width, "height": 900 if width == 1280 else 740})
        for name, path in [
            ("home", "/"), ("results", "/search?q=trach+nhiem+hinh+su"),
            ("facets", f"/search?q=trach+nhiem&source={LAWS}&year=2015&year=2016&sort=newest"),
            ("document", "/doc/tin/can-bo-guong-mau?q=can+bo+dang+vien&source=" + NEWS),
            ("document-short", "/doc/tin/hoi-nghi?q=can+bo+dang+vien&page=1"),
            ("status", "/trang-thai"),
            ("long-word", "/search?q=" + "x" * 80),  # was 906 px wide at 375
        ]:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=ARTIFACTS / f"issue15-{name}-{width}.png")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert page.problems == []
    finally:
        context.close()


def test_javascript_off_facets_and_sort(browser, live_server):
    context, page = open_page(browser, javascript=False)
    try:
        page.goto(live_server.url + "/search?q=phai")  # in news and laws
        page.get_by_role("checkbox", name=NEWS).check()
        page.get_by_label("Sắp xếp").select_option("oldest")
        page.get_by_role("button", name="Áp dụng bộ lọc").click()
        page.wait_for_url("**sort=oldest*")
        assert result_ids(page) == ["tin/xss", "tin/can-bo-guong-mau"]  # 2020, 2023
        assert all(source == NEWS for source in
                   page.locator(".results .source").all_inner_texts())
        page.locator(".chip").first.click()
        page.wait_for_url(lambda url: "source" not in args_of(url))
        assert count_of(page) > 1
    finally:
        context.close()


def test_phone_filters_stay_open_while_ticking(browser, live_server):
    context, page = open_page(browser, width=375)
    try:
        page.goto(live_server.url + "/search?q=trach+nhiem")
        panel = page.locator(".facet-panel")
        page.wait_for_function("!document.querySelector('.facet-panel').open")
        page.locator(".facet-panel > summary").click()
        assert panel.evaluate("el => el.open")
        page.get_by_role("checkbox", name="2016").check()
        page.wait_for_url(lambda url: args_of(url).get("year") == ["2016"])
        page.locator(".chip").wait_for()
        assert page.locator(".facet-panel").evaluate("el => el.open")
        assert page.evaluate("document.activeElement.value") == "2016"  # focus kept
        assert page.problems == []
    finally:
        context.close()


def test_phone_results_page_does_not_raise_the_keyboard(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search?q=trach+nhiem")
        page.locator(".results li.result").first.wait_for()
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        assert page.evaluate("document.activeElement.id") != "q"
        page.goto(live_server.url + "/")
        page.wait_for_function("document.activeElement.id === 'q'")  # home: ready to type
    finally:
        context.close()


def test_slash_goes_to_the_box_from_a_ticked_facet(page, live_server):
    """Found by a QA pass: a checkbox counted as a text field, so "/" did nothing there."""
    page.goto(live_server.url + "/search?q=trach+nhiem")
    box = page.locator('.facet[data-facet="year"] input').first
    box.check()
    page.wait_for_url(lambda url: "year" in args_of(url))
    page.locator('.facet[data-facet="year"] input:checked').first.focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_an_exact_search_stays_exact_when_the_sort_changes(page, live_server):
    """Found by a QA pass: changing the sort or ticking a facet dropped exact=1, and the
    corrected results came back."""
    page.goto(live_server.url + "/search?q=trach+nhiem+hnh+su&exact=1")
    page.select_option("#f-sort", "newest")
    page.wait_for_url(lambda url: args_of(url).get("sort") == ["newest"])
    assert args_of(page.url).get("exact") == ["1"]
    assert page.locator(".corrected").count() == 0


def test_exact_search_clicked_stays_exact_when_the_sort_changes(page, live_server):
    """Found in review: clicking "Tìm chính xác" loaded the exact page live, but the form
    never got exact=1, so the next sort change brought the corrected results back."""
    page.goto(live_server.url + "/search?q=trach+nhiem+hnh+su")
    page.locator(".corrected a").click()
    page.wait_for_url(lambda url: args_of(url).get("exact") == ["1"])
    page.select_option("#f-sort", "newest")
    page.wait_for_url(lambda url: args_of(url).get("sort") == ["newest"])
    assert args_of(page.url).get("exact") == ["1"]


def test_a_lost_connection_keeps_the_page_and_says_so(page, live_server):
    """Found by a QA pass: a failed request replaced the page with the browser's error."""
    page.goto(live_server.url + "/search?q=hop+dong")
    before = result_ids(page)
    page.route("**/search?*", lambda route: route.abort())
    page.fill("#q", "hop dong lao")
    page.locator("#live-offline").wait_for()
    assert page.url.startswith(live_server.url) and result_ids(page) == before
    assert "Không kết nối được" in page.locator("#live-offline").inner_text()
    # the browser logs the failed request itself: that one is expected here
    page.problems[:] = [p for p in page.problems if "ERR_FAILED" not in p]


def test_a_date_typed_while_results_come_back_is_kept(page, live_server):
    """Found by a QA pass: leaving "Từ ngày" refreshed the results, which replaced the
    "Đến ngày" box being typed in: its first digits were lost (to=1/12/2019)."""
    page.goto(live_server.url + "/search?q=hop+dong")
    held = []  # the refresh leaving "Từ ngày" asks for: answered once the next date is typed
    page.route("**/search?*", lambda route: held.append(route))
    page.click("#f-from")
    page.keyboard.type("01/01/2015")
    page.keyboard.press("Tab")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "leaving the date box asks for the results"
    page.keyboard.type("31/12/2019")
    for route in held:
        route.continue_()
    page.unroute("**/search?*")
    page.wait_for_url(lambda url: args_of(url).get("from") == ["01/01/2015"])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: args_of(url).get("to") == ["31/12/2019"])
    assert args_of(page.url).get("from") == ["01/01/2015"]
