"""Vietnamese number and date formats, and the one place library HTML becomes ``Markup``."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup


def vn_number(value: int | float, decimals: int = 0) -> str:
    """``1234`` -> ``1.234``; ``0.034, 2`` -> ``0,03`` (thousands ".", decimals ",")."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_seconds(milliseconds: float) -> str:
    """Elapsed time as Vietnamese seconds: ``31.2`` ms -> ``0,03``."""
    return vn_number(milliseconds / 1000, 2)


def vn_date(value: date | datetime | None) -> str:
    """``dd/mm/yyyy``, or an empty string for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def iso_date(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def marked(fragment: str | None) -> Markup:
    """Trust a library fragment: escaped text whose only markup is our ``<mark>`` tags.

    ``indexer`` builds ``title_html``/``snippet``/``body_html`` by escaping the text
    and adding ``<mark>``; this wrapper is the only way such a string reaches a
    template as markup (templates never use ``|safe``).
    """
    return Markup(fragment or "")


def mark_first(fragment: str | None) -> Markup:
    """Like :func:`marked`, with ``id="first-match"`` on the first ``<mark>``."""
    return Markup((fragment or "").replace("<mark>", '<mark id="first-match">', 1))


def page_window(page: int, pages: int, width: int = 9) -> list[int]:
    """Page numbers to link around ``page``: at most ``width`` of them."""
    first = max(1, min(page - width // 2, pages - width + 1))
    return list(range(first, min(pages, first + width - 1) + 1))


def register(app: Flask) -> None:
    app.add_template_filter(vn_number)
    app.add_template_filter(vn_seconds)
    app.add_template_filter(vn_date)
    app.add_template_filter(iso_date)
    app.add_template_global(page_window)
