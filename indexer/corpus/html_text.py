"""Visible text and metadata of an HTML page, with the standard library's parser.

Separate from :mod:`indexer.corpus.pages` (which decides what the text *means*): this
module only walks markup. It must stay linear on hostile markup, hence
:func:`_sanitize` before ``html.parser`` sees anything.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset("script style nav header footer aside form noscript template svg iframe select"
                  .split())
_BLOCK = frozenset("p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table section article "
                   "main header blockquote figure figcaption pre hr address body title".split())
_OPEN = re.compile(r"<(?:(!--)|(script|style)[\s/>]|[a-z]|/[a-z]|!doctype)", re.I)
_CLOSE = {"!--": re.compile(r"--\s*>"), "script": re.compile(r"</\s*script\s*>", re.I),
          "style": re.compile(r"</\s*style\s*>", re.I)}


def _sanitize(html: str) -> str:
    """Escape each ``<`` that html.parser would rescan to the end (quadratic on ``<a <a``).

    Kept: comments/script/style whose end exists, and tags whose ``>`` comes before the
    next ``<``.  ``<![``, ``<?`` and ``<!x`` go too (html.parser asserts on ``<![x``).
    """
    out, copied, gt, dead = [], 0, -1, set()
    i = html.find("<")
    while i != -1:
        m, nxt, ok = _OPEN.match(html, i), i + 1, False
        if m and (m[1] or m[2]):
            kind = (m[1] or m[2]).lower()  # an end not found now is not found later either
            end = None if kind in dead else _CLOSE[kind].search(html, m.end())
            if end:
                ok, nxt = True, end.end()
            else:
                dead.add(kind)
        elif m:
            if gt < i:
                gt = html.find(">", i + 1) % (len(html) + 1)  # -1 -> len(html)
            ok = gt < len(html) and html.find("<", i + 1, gt) == -1
            nxt = gt + 1 if ok else nxt
        if not ok:
            out += [html[copied:i], "&lt;"]
            copied = i + 1
        i = html.find("<", nxt)
    out.append(html[copied:])
    return "".join(out)


class Extractor(HTMLParser):
    """Collects visible text (block elements become line breaks) and metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.regions: list[list[str]] = []  # text of each top-level <article>/<main>
        self.depth = 0  # <article>/<main> nesting
        self.skipping: list[str] = []  # open elements whose content is not page text
        self.capture: str | None = None
        self.title: list[str] = []
        self.h1: list[str] = []
        self.meta: dict[str, str] = {}
        self.time: str | None = None

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self.depth:
            self.regions[-1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            self.meta.setdefault(key, a.get("content", ""))
        elif tag in _SKIP and not (tag == "header" and self.depth):
            self.skipping.append(tag)  # but a <header> inside <article> is the article's
        elif not self.skipping:
            if tag in _BLOCK:
                self.capture = None  # also ends an unclosed <title>/<h1>
                self._emit("\n")
            if tag == "title" and not self.title or tag == "h1" and not self.h1:
                self.capture = tag
            elif tag == "time" and self.time is None and a.get("datetime"):
                self.time = a["datetime"]
            elif tag in ("article", "main"):
                self.regions += [] if self.depth else [[]]
                self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping.pop() != tag:
                pass
        elif not self.skipping:
            self.capture = None if tag == self.capture else self.capture
            if tag in ("article", "main"):
                self.depth = max(0, self.depth - 1)
            if tag in _BLOCK:
                self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            text = re.sub(r"\s+", " ", data)  # source newlines are not paragraph breaks
            if self.capture:
                getattr(self, self.capture).append(text)
            if self.capture != "title":
                self._emit(text)


def extract(html: str) -> Extractor:
    """Parse ``html``: text parts, ``<article>``/``<main>`` regions, title, h1, meta, time."""
    extractor = Extractor()
    extractor.feed(_sanitize(html))
    extractor.close()
    return extractor
