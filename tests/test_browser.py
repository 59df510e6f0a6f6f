"""A real Chromium (Playwright) against the app served by waitress.

Skipped when /usr/bin/chromium is absent, unless VNSEARCH_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("VNSEARCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; VNSEARCH_REQUIRE_BROWSER=1 forbids skipping")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, width: int = 1280, javascript: bool = True):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN",
                                  java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = []  # console errors (a CSP violation is one) and uncaught exceptions
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return context, page


@pytest.fixture(name="page")
def page_fixture(browser):
    context, page = open_page(browser)
    yield page
    problems = list(page.problems)
    context.close()
    assert problems == []


def query_of(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("q", [""])[0]


def result_ids(page) -> list[str]:
    return page.locator(".results li.result").evaluate_all(
        "items => items.map(item => item.dataset.id)")


def test_unaccented_search_highlights_accented_words(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_label("Từ khoá tìm kiếm").fill("can bo dang vien")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url("**/search?q=*")
    marks = " ".join(page.locator(".results mark").all_inner_texts()).split()
    assert {"Cán", "bộ", "đảng", "viên"} <= set(marks)
    assert "cán bộ đảng viên" in page.locator(".results mark").all_inner_texts()  # one unit
    assert page.locator(".count").inner_text().startswith("Khoảng 3 kết quả")


def test_first_result_opens_document_at_first_match(page, live_server):
    page.goto(live_server.url + "/search?q=can+bo+dang+vien")
    page.locator(".results .result-title a").first.click()
    page.wait_for_url("**/doc/**")
    assert page.locator(".doc-body mark").count() > 0
    assert page.locator("#first-match").is_visible()
    assert page.locator("#first-match").evaluate(IN_VIEWPORT)


IN_VIEWPORT = """el => { const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight; }"""


def test_long_document_scrolls_to_first_match(page, live_server):
    page.goto(live_server.url + "/doc/tin/can-bo-guong-mau?q=can+bo+dang+vien")
    page.wait_for_function("window.scrollY > 0")
    assert page.locator("#first-match").evaluate(IN_VIEWPORT)
    page.get_by_role("link", name="Quay lại kết quả").click()
    page.wait_for_url("**/search?q=*")
    assert query_of(page.url) == "can bo dang vien"


def test_autocomplete_with_keyboard(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Từ khoá tìm kiếm")
    box.press_sequentially("trach nhi", delay=20)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = page.get_by_role("option")
    first = options.first.inner_text()
    assert first.startswith("trách nhiệm")
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "autocomplete-1280.png")
    box.press("Enter")
    page.wait_for_url(lambda url: query_of(url) == first)
    assert "trách nhiệm" in query_of(page.url)
    assert page.locator(".results li.result").count() == 10


def test_autocomplete_escape_closes(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Từ khoá tìm kiếm")
    box.press_sequentially("trach nhi", delay=20)  # an unfinished word: suggestions open
    page.get_by_role("listbox").wait_for(state="visible")
    box.press("Escape")
    page.get_by_role("listbox").wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "trach nhi"


def test_did_you_mean_link(page, live_server):
    page.goto(live_server.url + "/search?q=can+bo+dang+vien")
    page.locator(".did-you-mean a").click()
    page.wait_for_url("**/search?q=c%C3%A1n*")
    assert query_of(page.url) == "cán bộ đảng viên"
    assert page.get_by_label("Từ khoá tìm kiếm").input_value() == "cán bộ đảng viên"
    assert page.locator(".did-you-mean").count() == 0
    assert len(result_ids(page)) == 3


def test_pagination(page, live_server):
    page.goto(live_server.url + "/search?q=trach+nhiem")
    first = result_ids(page)
    page.get_by_role("link", name="Trang sau").click()
    page.wait_for_url("**page=2*")
    second = result_ids(page)
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert page.locator('.pagination [aria-current="page"]').inner_text() == "2"


def test_works_without_javascript(browser, live_server):
    context, page = open_page(browser, javascript=False)
    try:
        page.goto(live_server.url + "/")
        page.get_by_label("Từ khoá tìm kiếm").fill("trach nhiem")
        page.get_by_role("button", name="Tìm kiếm").click()
        page.wait_for_url("**/search?q=*")
        page.get_by_role("checkbox", name="Luật Mẫu").check()
        page.get_by_label("Sắp xếp").select_option("newest")
        page.get_by_role("button", name="Áp dụng bộ lọc").click()
        page.wait_for_url("**sort=newest*")
        assert page.locator(".results li.result").count() == 10
        assert "source=Lu%E1%BA%ADt+M%E1%BA%ABu" in page.url
        assert page.get_by_role("checkbox", name="Luật Mẫu").is_checked()
        assert page.get_by_label("Từ khoá tìm kiếm").get_attribute("aria-expanded") is None
        page.get_by_role("link", name="Trang sau").click()
        page.wait_for_url("**page=2*")
        assert page.locator(".results li.result").count() == 10
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_and_no_horizontal_scroll(browser, live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_page(browser, width=width)
    try:
        for name, path in [("home", "/"), ("results", "/search?q=can+bo+dang+vien"),
                           ("pages", "/search?q=trach+nhiem&page=2"),
                           ("doc", "/doc/tin/hoi-nghi?q=can+bo+dang+vien"),
                           ("error", "/doc/khong-co")]:
            page.goto(live_server.url + path)
            page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (name, scroll_width)
            if name != "error":  # the 404 itself is logged as a failed load
                assert page.problems == [], name
    finally:
        context.close()
