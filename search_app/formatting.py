"""Vietnamese number and date formats, and the one place library HTML becomes ``Markup``."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from indexer import vn_number


def vn_seconds(milliseconds: float) -> str:
    """Elapsed time as Vietnamese seconds: ``31.2`` ms -> ``0,03``; under 5 ms (a cached
    answer) ``dưới 0,01`` rather than a puzzling ``0,00``."""
    if milliseconds < 5:
        return "dưới 0,01"
    return vn_number(milliseconds / 1000, 2)


def vn_date(value: date | datetime | None) -> str:
    """``dd/mm/yyyy``, or an empty string for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def iso_date(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def vn_iso_date(value: str | None) -> str:
    """``2015-01-31`` -> ``31/01/2015`` (what the date boxes show); other text unchanged."""
    try:
        return vn_date(date.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


def vn_datetime(value: str | None) -> str:
    """An ISO timestamp (``2026-11-28T04:30:00+00:00``) as ``28/11/2026 04:30 UTC``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return moment.strftime("%d/%m/%Y %H:%M") + zone


def vn_megabytes(size: int) -> str:
    """Bytes as Vietnamese megabytes: ``12_345_678`` -> ``12,3 MB``."""
    return f"{vn_number(size / 1e6, 1)} MB"


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


def sentence(text: str) -> str:
    """A library note as a sentence on the page: first letter upper case (the CLI prints
    it after "note: ", lower case)."""
    return text[:1].upper() + text[1:]


def page_window(page: int, pages: int, width: int = 9) -> list[int]:
    """Page numbers to link around ``page``: at most ``width`` of them."""
    first = max(1, min(page - width // 2, pages - width + 1))
    return list(range(first, min(pages, first + width - 1) + 1))


def register(app: Flask) -> None:
    app.add_template_filter(vn_number)
    app.add_template_filter(vn_seconds)
    app.add_template_filter(vn_date)
    app.add_template_filter(iso_date)
    app.add_template_filter(vn_iso_date)
    app.add_template_filter(vn_datetime)
    app.add_template_filter(vn_megabytes)
    app.add_template_filter(sentence)
    app.add_template_global(page_window)
