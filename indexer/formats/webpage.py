"""``.html`` pages: trafilatura's main text, today's markup metadata, one set of heuristics.

Why both: trafilatura (the usual tool for boilerplate removal) finds the article among
menus, "Tin liên quan" blocks and footers far better than our markup walk, which keeps
a ``div#menu`` line or a related-links block as body text. Our extractor
(:func:`indexer.pages.parse_html_page`) is better at metadata: it keeps the time and
converts the offset of ``article:published_time`` (trafilatura gives the day only), and
it takes the ``<h1>``. So, field by field (each case has a test in tests/test_formats.py):

* body: ours when the page marks its article (``<article>``/``<main>``: the page says
  where its text is, and trafilatura's fallbacks may then merge it into one line with
  form and ``<noscript>`` text); otherwise trafilatura's text, then our line heuristics
  (title, dateline, byline and chrome lines dropped); ours again when trafilatura finds
  nothing (very short pages);
* title, date, author, source: ours, else trafilatura's.

trafilatura (with lxml) is imported on the first HTML page only, so a corpus without
HTML pays nothing for it.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from .. import sites
from ..dates import parse_date
from ..pages import PageFields, _clean_lines, _parse_lines, parse_html_page

MAX_TRAFILATURA_CHARS = 5_000_000
_ARTICLE = re.compile(r"<(?:article|main)[\s>]", re.I)


def _trafilatura(html: str) -> tuple[str | None, dict[str, str | None]]:
    """(main text or None, metadata) from trafilatura; never raises."""
    if len(html) > MAX_TRAFILATURA_CHARS or "<" not in html:
        return None, {}
    try:
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        result = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, deduplicate=False)
    except Exception:  # lxml and trafilatura errors on odd markup: fall back to ours
        return None, {}
    if result is None:
        return None, {}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    meta = {k: data.get(k) if isinstance(data.get(k), str) else None
            for k in ("title", "author", "date", "sitename")}
    text = data.get("text")
    return (text if isinstance(text, str) and text.strip() else None), meta


def parse(html: str) -> PageFields:
    """Fields of an HTML page (see module doc); never raises."""
    ours = parse_html_page(html)
    if _ARTICLE.search(html) and ours.body:
        return ours
    text, meta = _trafilatura(html)
    date: datetime | None = ours.date or parse_date(meta.get("date"))
    title = ours.title or (meta.get("title") or "").strip()
    author = ours.author or (meta.get("author") or "").strip() or None
    source = ours.source or sites.canonical((meta.get("sitename") or "").strip() or None)
    if text is None:
        return PageFields(title, ours.body, date, author, source)
    try:
        page = _parse_lines(_clean_lines(text), title=title or None, date=date,
                            author=author, source=source)
    except Exception:
        return PageFields(title, ours.body, date, author, source)
    body = page.body or ours.body
    return PageFields(page.title or title, body, page.date, page.author, page.source)
