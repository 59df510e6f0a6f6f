"""``.txt`` and ``.html`` news pages: fields from :mod:`indexer.corpus.pages` (text) and
:mod:`indexer.corpus.formats.webpage` (HTML, with trafilatura)."""

from __future__ import annotations

from indexer.corpus.pages import parse_text_page

from .base import Extracted, Record


def read_text(text: str, rel: str) -> Extracted:
    page = parse_text_page(text)
    return Extracted([Record(title=page.title, body=page.body, date=page.date,
                             author=page.author, source=page.source)])


def read_html(text: str, rel: str) -> Extracted:
    from .webpage import parse

    page = parse(text)
    return Extracted([Record(title=page.title, body=page.body, date=page.date,
                             author=page.author, source=page.source)])
