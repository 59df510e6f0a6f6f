"""``.html`` pages: trafilatura's main text, markup metadata first, one set of heuristics.

Why both extractors: trafilatura (the usual tool for boilerplate removal) finds the
article among menus, "Tin liên quan" blocks and footers far better than our markup
walk, which keeps a ``div#menu`` line or a related-links block as body text. Our
extractor (:func:`indexer.corpus.pages.html_markup`) is better at dates: it keeps the time and
converts the offset of ``article:published_time`` (trafilatura gives the day only).
Field by field (each case has a test in tests/test_webpage.py):

* body: ours when the page marks its article (``<article>``/``<main>``: the page says
  where its text is, and trafilatura's fallbacks may then merge it into one line with
  form and ``<noscript>`` text); otherwise trafilatura's paragraphs; then our line
  heuristics drop the title, dateline, byline and chrome lines either way;
* title, author, source: tags first (``<h1>``/``<title>``, ``meta author``,
  ``og:site_name``), then trafilatura's metadata (JSON-LD, bylines it recognises), then
  our line heuristics;
* date: tags, then a dateline in the text (with its time), then trafilatura's day.

trafilatura (with lxml) is imported on the first HTML page only, so a corpus without
HTML pays nothing for it.
"""

from __future__ import annotations

import logging

from indexer.corpus import sites
from indexer.corpus.datelines import header_date
from indexer.corpus.dates import parse_date
from indexer.corpus.pages import _EMPTY, PageFields, _clean_lines, _parse_lines, html_markup

MAX_TRAFILATURA_TAGS = 20_000
"""Pages with more tags than this keep our extractor's text: trafilatura's tree passes
cost ~35 us a tag (220,000 ``<p>`` took 15 s, 200,000 nested ``<p><b>`` 24 s, measured);
real news pages have a few thousand."""
_DATELINE_LINES = 12  # a dateline sits above the article, menus included
_BLOCKS = frozenset(("p", "head", "item", "quote", "code", "cell", "list", "table", "row",
                     "div", "lb"))


def trafilatura_fields(html: str) -> tuple[list[str], dict[str, str | None]]:
    """(paragraph lines, metadata) from trafilatura; ``([], {})`` when it finds nothing."""
    if "<" not in html or html.count("<") > MAX_TRAFILATURA_TAGS:
        return [], {}
    try:
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        result = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, deduplicate=False)
    except Exception:  # lxml and trafilatura errors on odd markup: fall back to ours
        return [], {}
    if result is None:
        return [], {}
    meta = {k: value if isinstance(value := getattr(result, k, None), str) else None
            for k in ("title", "author", "date", "sitename")}
    lines: list[str] = []
    if (body := getattr(result, "body", None)) is not None:
        _blocks(body, lines)
    return _clean_lines("\n".join(lines)), meta


def _blocks(element, out: list[str]) -> None:
    """One line per paragraph, heading, list item or table cell of trafilatura's tree.

    Its plain-text output writes tables as ``| a | b |`` rows, a whole table-laid-out
    page on one line; walking the tree keeps the page's paragraphs apart.
    """
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("cell", "row", "table", "list", "div") and any(
                isinstance(c.tag, str) and c.tag in _BLOCKS for c in child):
            if child.text and child.text.strip():
                out.append(child.text)
            _blocks(child, out)
        else:
            out.append("".join(child.itertext()))
        if child.tail and child.tail.strip():
            out.append(child.tail)


def _first(*values: str | None) -> str | None:
    return next((v.strip() for v in values if v and v.strip()), None)


def parse(html: str) -> PageFields:
    """Fields of an HTML page (see module doc); never raises."""
    try:
        ours = html_markup(html)
    except Exception:  # html.parser may still assert on odd markup
        return _EMPTY
    lines, meta = trafilatura_fields(html)
    date = ours.date
    if ours.in_article:
        lines = []
    elif lines and date is None:  # trafilatura drops datelines: look for one in ours
        date = next((d for line in ours.lines[:_DATELINE_LINES]
                     if (d := header_date(line)) is not None), None)
    try:
        page = _parse_lines(
            lines or ours.lines, title=_first(ours.title, meta.get("title")), date=date,
            author=_first(ours.author, meta.get("author")),
            source=_first(ours.source, meta.get("sitename")))
    except Exception:
        return _EMPTY
    if page.date is None and (day := parse_date(meta.get("date"))):
        page = PageFields(page.title, page.body, day, page.author, page.source)
    return PageFields(page.title, page.body, page.date, page.author, sites.canonical(page.source))
