"""``.odt`` (OpenDocument text) through odfpy: headings and paragraphs in document order.

Metadata from ``meta.xml``: ``dc:title``, ``dc:creator`` (else ``meta:initial-creator``),
``meta:creation-date`` (else ``dc:date``). Without a title, the first heading, else the
first short paragraph, is the title.
"""

from __future__ import annotations

import io

from indexer.corpus.dates import parse_date

from .base import Extracted, Record, Unreadable, check_zip
from .text import fit_title, paragraphs, title_from

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _walk(node, out: list[tuple[bool, str]]) -> None:
    from odf import teletype

    for child in node.childNodes:
        if getattr(child, "qname", None) in ((_TEXT_NS, "p"), (_TEXT_NS, "h")):
            out.append((child.qname[1] == "h", teletype.extractText(child)))
        elif getattr(child, "childNodes", None):
            _walk(child, out)


def _meta(doc, *names: tuple[str, str]) -> str | None:
    from odf import teletype

    for module, name in names:
        mod = __import__(f"odf.{module}", fromlist=[name])
        for element in doc.meta.getElementsByType(getattr(mod, name)):
            text = teletype.extractText(element).strip()
            if text:
                return text
    return None


def read(data: bytes, rel: str) -> Extracted:
    from odf.opendocument import load

    check_zip(data, ".odt")
    try:
        doc = load(io.BytesIO(data))
        blocks: list[tuple[bool, str]] = []
        _walk(doc.text, blocks)
        title = fit_title(_meta(doc, ("dc", "Title")))
        author = fit_title(_meta(doc, ("dc", "Creator"), ("meta", "InitialCreator")))
        date = parse_date(_meta(doc, ("meta", "CreationDate"), ("dc", "Date")))
    except Exception as exc:  # zip, XML and odfpy errors alike: a damaged file
        raise Unreadable(f"not a readable .odt file ({type(exc).__name__})") from None
    if title is None:
        heading = next((i for i, (h, t) in enumerate(blocks) if h and fit_title(t)), None)
        if heading is not None:
            title = fit_title(blocks.pop(heading)[1])
    paras = paragraphs([t for _, t in blocks])
    if title is None:
        title, paras = title_from(paras)
    if not title and not paras:
        raise Unreadable("no text in the document")
    return Extracted([Record(title=title or "", body="\n\n".join(paras), date=date,
                             author=author)])
