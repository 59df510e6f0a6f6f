"""``.pdf`` through pypdfium2 (PDFium, Chrome's PDF engine): the text layer, page by page.

Why pypdfium2 over pypdf: on a generated 20-page Vietnamese PDF (DejaVu Sans) both gave
the same NFC text, and pypdf took 4.5x as long (0.447 vs 0.099 s for 10 reads; commit
c88321b). Every word written into the bench's PDFs comes back exactly, marks included
("words back exactly" in ``bench/RESULTS.md``, Formats). A PDF whose pages have no text
layer (a scan) is skipped with that reason: it needs OCR first. Metadata from the
document info: ``Title``, ``Author``, ``CreationDate`` (else ``ModDate``); without a
title, the first short line is the title.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from indexer.corpus.dates import to_local

from .base import Extracted, Record, Unreadable
from .text import fit_title, squash

_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                       r"(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?")


def parse_pdf_date(value: str | None) -> datetime | None:
    """``D:20240815090000+07'00'`` (PDF 1.7 section 7.9.4) as naive Vietnam time."""
    m = _PDF_DATE.match(value.strip()) if value else None
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else d for g, d in zip(
        m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True))
    tz = None
    if m[7]:
        tz = UTC
    elif m[8]:
        sign = -1 if m[8] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m[9]), minutes=int(m[10] or 0)))
    try:
        return to_local(datetime(year, month, day, hour, minute, second, tzinfo=tz))
    except ValueError:
        return None


def _lines_to_paragraphs(text: str) -> list[str]:
    """PDF text comes one visual line at a time; blank lines separate paragraphs."""
    paras, current = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = squash(line)
        if line:
            current.append(line)
        elif current:
            paras.append(" ".join(current))
            current = []
    if current:
        paras.append(" ".join(current))
    return paras


def pages_text(data: bytes) -> tuple[list[str], dict[str, str]]:
    """Text of each page and the info dictionary; raises :class:`Unreadable`."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = "password-protected PDF" if "password" in str(exc).lower() else (
            f"not a readable PDF ({exc})")
        raise Unreadable(reason) from None
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception as exc:
        raise Unreadable(f"not a readable PDF ({type(exc).__name__})") from None
    finally:
        pdf.close()
    return texts, meta


def read(data: bytes, rel: str) -> Extracted:
    texts, meta = pages_text(data)
    if not any(t.strip() for t in texts):
        raise Unreadable(f"PDF has no text layer ({len(texts)} page(s), a scan?): "
                         "run OCR on it first")
    first = next((squash(line) for t in texts for line in t.splitlines() if line.strip()), "")
    title = fit_title(meta.get("Title")) or fit_title(first) or ""
    paras = [p for t in texts for p in _lines_to_paragraphs(t)]
    if paras and not fit_title(meta.get("Title")) and paras[0].startswith(title):
        rest = paras[0][len(title):].strip()
        paras = ([rest] if rest else []) + paras[1:]
    date = parse_pdf_date(meta.get("CreationDate")) or parse_pdf_date(meta.get("ModDate"))
    return Extracted([Record(title=title, body="\n\n".join(paras), date=date,
                             author=fit_title(meta.get("Author")))])
