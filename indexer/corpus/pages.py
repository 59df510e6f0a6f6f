"""Turn a scraped news page (plain text or HTML, already a ``str``) into display fields.

Scraped pages wrap the article in chrome (banners, view counters, share buttons,
"related news" lists) that would make every page match "bình luận" and put counters
into snippets.  Site-independent heuristics split it off:

* Header = first ``HEADER_LINES`` non-empty lines.  A ``Xem chi tiết tin - Site``
  banner gives the source; the first line that is a date plus at most 3 other words
  (``27/12/2023 | 09:56 GMT+7``, ``Ngày 08:44:11 27-07-2022``, ``Thứ hai, 27/12/2023
  09:56``, ``2023-12-27``, ``27 tháng 12 năm 2023``) gives the date.  Dates quoted in
  the article are never taken because only the header is searched.
* Title: first meaningful line (3+ words, not chrome, at most ``MAX_TITLE`` chars),
  or a shorter heading if the 3-word rule would leave no body (``Thông báo`` + one
  paragraph).
* Author: a short byline (``Tin, ảnh: T.SƠN``, ``Bài: ...``) minus its prefix, else a
  2-5 capitalised-word line after the date line or ending the article.
* Source: the banner, a masthead first line (``Báo Hậu Giang Online``), a closing
  ``Theo Báo Hậu Giang`` / ``(Theo TTXVN)`` line, else a ``(HG) - `` lead of the first
  paragraph (the lead stays in the body because it is published text); every spelling
  goes through :func:`indexer.corpus.sites.canonical` (``HG`` -> ``Báo Hậu Giang``).
* Chrome: whole lines of ``CHROME_PHRASES`` (case-insensitive, counts and arrows
  ignored), ``A | B`` lists of them, menus (3+ short ``|``-separated items),
  breadcrumbs, ``Tags:`` lines.  The first chrome
  line after article text opens the footer; past it only prose (8+ words ending in
  sentence punctuation) survives, so related-headline lists go too.
* Footers: copyright and licence lines (``© ...``, ``Bản quyền thuộc ...``, ``Giấy phép
  số ...``, ``Tổng biên tập: ...``) are chrome; contact lines (``Địa chỉ:``, ``Điện
  thoại:``, ``Email:``...) are dropped in the footer and at the end of the page.

Never raises and stays linear: regexes are anchored or bounded and only see short
lines, and each ``<`` html.parser would rescan (quadratic) is escaped first.
Stdlib only and no Whoosh, so crawlers can use it too. What a chrome line is, is
:mod:`indexer.corpus.chrome`; what a date looks like, :mod:`indexer.corpus.datelines`;
this module decides what each line is for the page (header, title, byline, body, footer).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from indexer.corpus import sites
from indexer.corpus.chrome import CONTACT_LINE, is_chrome_line
from indexer.corpus.datelines import header_date, parse_date_value
from indexer.corpus.html_text import extract

HEADER_LINES = 8
MAX_TITLE = 300


@dataclass(frozen=True)
class PageFields:
    """Display fields of one page; ``date`` is the naive local publication time."""

    title: str
    body: str  # article paragraphs separated by "\n\n", chrome removed
    date: datetime | None
    author: str | None
    source: str | None


_CTRL = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127], " ")
_CTRL.update(dict.fromkeys([0xAD, 0x200B, 0x200C, 0x200D, 0xFEFF], None))
_SITE = re.compile(
    r"(?:xem\s+)?chi\s+tiết(?:\s+(?:tin\s+tức|tin|bài\s+viết|bài))?\s*[-–—|:]\s*(\S.*)", re.I)
_BYLINE = re.compile(
    r"\(?\s*(?:(?:tin|bài|ảnh|video|clip|pv|phóng viên|nhóm pv|tác giả|người viết|thực hiện)"
    r"(?:\s*(?:,|/|&|-|và)\s*(?:tin|bài|ảnh|video|clip))*\s*:|(?P<theo>theo)\s)"
    r"\s*(?P<name>[^:()]+?)\s*\)?", re.I)
_LEAD = re.compile(r"\(([^()]{1,40})\)\s*[-–—:]\s")
_THEO = re.compile(r"\(?\s*(?:nguồn|theo)\s*:?\s+(?P<name>[^():,;]{2,60}?)\s*\)?\.?", re.I)


def _clean_lines(text: str) -> list[str]:
    """NFC, control characters blanked, spaces (incl. nbsp) collapsed, empty lines gone."""
    text = unicodedata.normalize("NFC", text).translate(_CTRL)
    return [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]


def _meaningful(line: str, words: int = 3) -> bool:
    return (len(line.split(None, words - 1)) == words and any(c.isalpha() for c in line[:200])
            and not is_chrome_line(line))


def _name_like(text: str, lo: int = 1, hi: int = 6) -> bool:
    """A person/agency name: few words, each capitalised, no digits (``Huỳnh Diệu``)."""
    words = text.split()
    if not lo <= len(words) <= hi or len(text) > 60 or any(c.isdigit() for c in text):
        return False
    return all(next((c for c in w if c.isalpha()), "").isupper() for w in words)


def _byline(line: str) -> str | None:
    """The name in ``Tin, ảnh: T.SƠN``; None for ``Theo ...`` lines (a source) and prose."""
    m = _BYLINE.fullmatch(line) if len(line) <= 80 else None
    if not m or m["theo"] or not _name_like(m["name"]):
        return None
    return m["name"]


def _source_line(line: str) -> str | None:
    """The site of ``Theo Báo Hậu Giang`` / ``(Theo TTXVN)`` / ``Nguồn: VnExpress``.

    Not ``Theo ông Nguyễn Văn A, ...`` or ``Theo kế hoạch, ...`` (prose: a comma, a
    lowercase word, or sentence punctuation).
    """
    m = _THEO.fullmatch(line) if len(line) <= 80 else None
    if not m:
        return None
    name = m["name"].strip()
    if sites.lookup(name) or sites.masthead(name) or _name_like(name, 1, 6):
        return sites.canonical(sites.lookup(name) or sites.masthead(name) or name)
    return None


def _parse_lines(lines: list[str], title: str | None = None, date: datetime | None = None,
                 author: str | None = None, source: str | None = None,
                 title_words: int = 3) -> PageFields:
    """Fields of cleaned lines; fields given (known from HTML markup) win over heuristics.

    ``title_words``: the fewest words of a title line found by the heuristics."""
    n, drop, head = len(lines), set(), range(min(HEADER_LINES, len(lines)))
    date_idx = head_name = title_idx = None
    for i in head:
        if site := _SITE.fullmatch(lines[i]) if len(lines[i]) <= 200 else None:
            drop.add(i)
            source = source or site[1]
        elif i < 3 and date_idx is None and (name := sites.masthead(lines[i])):
            drop.add(i)  # "Báo Hậu Giang Online" above the title: the site, not the title
            source = source or name
        elif date_idx is None and (d := header_date(lines[i])) is not None:
            date_idx, date = i, date or d
            drop.add(i)
    if (date_idx is not None and date_idx + 1 < n and date_idx + 1 not in drop
            and _name_like(lines[date_idx + 1], 2, 5) and not is_chrome_line(lines[date_idx + 1])):
        head_name = date_idx + 1
    if title:
        key = title.casefold()
        title_idx = next((i for i in head if i not in drop and lines[i].casefold() == key), None)
    else:
        for i in range(n):
            if i not in drop and i != head_name and _meaningful(lines[i], title_words):
                title_idx = i if len(lines[i]) <= MAX_TITLE else None
                break
    title = title or (lines[title_idx] if title_idx is not None else "")
    if title_idx is not None:  # short lines above the title are menus and labels
        drop.update(i for i in range(title_idx + 1) if i == title_idx or not _meaningful(lines[i]))
    content, in_footer = [], False  # content: kept indices before the footer
    for i in range(n):
        line = lines[i]
        if i in drop or i == head_name:
            continue
        if is_chrome_line(line) or not any(c.isalnum() for c in line):
            in_footer = in_footer or bool(content)
            drop.add(i)
        elif in_footer and (CONTACT_LINE.match(line) or not (
                len(line.split(None, 8)) > 8 and line[-1] in ".!?…\"”’)»;:")):
            drop.add(i)  # in the footer only prose survives
        elif not in_footer:
            content.append(i)
    while content and CONTACT_LINE.match(lines[content[-1]]):  # an address block ends the page
        drop.add(content.pop())
    for pos in range(len(content) - 1, max(-1, len(content) - 4), -1):  # "Theo ..." near the end
        if named := _source_line(lines[content[pos]]):
            drop.add(content.pop(pos))
            source = named  # the text's publisher, before the site that republished it
            break
    found = next(((i, a, True) for i in reversed(content) if (a := _byline(lines[i]))), None)
    if found is None and head_name is not None:
        found = (head_name, lines[head_name], False)
    if found is None and len(content) > 1 and _name_like(lines[content[-1]], 2, 5):
        found = (content[-1], lines[content[-1]], False)
    if found and (author is None or found[2] or found[1].casefold() == author.casefold()):
        drop.add(found[0])
        author = author or found[1]
    body = [lines[i] for i in range(n) if i not in drop]
    if source is None and body and (lead := _LEAD.match(body[0])) and _name_like(lead[1], 1, 4):
        source = lead[1].strip()
    return PageFields(title, "\n\n".join(body), date, author, sites.canonical(source))


_DATE_KEYS = ("article:published_time", "datepublished", "pubdate", "publishdate",
              "og:published_time", "dc.date.issued", "date")


def _fit(text: str) -> str | None:
    text = " ".join(_clean_lines(text[:5000]))
    return text if 0 < len(text) <= MAX_TITLE else None


@dataclass(frozen=True)
class HtmlMarkup:
    """What the markup of a page says: its text lines, whether an ``<article>``/``<main>``
    holds them, and the fields given by tags (None where the markup says nothing)."""

    lines: list[str]
    in_article: bool
    title: str | None
    date: datetime | None
    author: str | None
    source: str | None


def html_markup(html: str) -> HtmlMarkup:
    """Text and tag-given fields of an HTML page (no text heuristics yet)."""
    ex = extract(html)
    meta, title, suffix = ex.meta, _fit("".join(ex.title)) or "", None
    cut = max(title.rfind(sep) for sep in (" | ", " - ", " – ", " — "))
    if cut > 0 and 1 <= len(title[cut + 3:].split()) <= 8:  # "Headline - Site name"
        title, suffix = title[:cut], title[cut + 3:]
    best = "".join(max(ex.regions, key=lambda r: sum(len(p.strip()) for p in r), default=[]))
    date = next((d for k in _DATE_KEYS if k in meta and (d := parse_date_value(meta[k]))), None)
    return HtmlMarkup(
        _clean_lines(best if best.strip() else "".join(ex.parts)), bool(best.strip()),
        title=_fit("".join(ex.h1)) or _fit(title) or _fit(meta.get("og:title", "")),
        date=date or (parse_date_value(ex.time) if ex.time else None),
        author=next((a for k in ("author", "article:author", "dc.creator")
                     if (a := _fit(meta.get(k, ""))) and not a.startswith("http")), None),
        source=_fit(meta.get("og:site_name", "")) or _fit(suffix or ""),
    )


def _parse_html(html: str) -> PageFields:
    m = html_markup(html)
    return _parse_lines(m.lines, title=m.title, date=m.date, author=m.author, source=m.source)


_EMPTY = PageFields("", "", None, None, None)


def parse_text_page(text: str) -> PageFields:
    """Fields of a scraped plain-text page (one paragraph per line, see module doc).

    A title has 3+ words (shorter lines above it are menus and labels), unless that
    would leave no body: ``Thông báo`` over one paragraph is that note's title.
    """
    try:
        lines = _clean_lines(text)
        page = _parse_lines(lines)
        if not page.body and len(lines) > 1:
            short = _parse_lines(lines, title_words=1)
            page = short if short.body else page
        return page
    except Exception:  # last line of defence: one junk page must not stop indexing
        return _EMPTY


def parse_html_page(html: str) -> PageFields:
    """Fields of an HTML page: markup metadata first, then the same text heuristics.

    Text is the largest ``<article>``/``<main>`` (else the document) minus script, style,
    nav, header, footer, aside, form...  Title: first ``<h1>``, else ``<title>`` minus a
    `` - Site`` suffix (the source unless ``og:site_name``).  Markup dates with an
    offset are converted to Vietnam time (``LOCAL_TZ``) and made naive, like the dates
    of text pages.
    """
    try:
        return _parse_html(html)
    except Exception:  # html.parser may still assert on odd markup
        return _EMPTY
