"""Real files of every corpus format, built with the libraries themselves (tests only)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core


def docx_bytes(title: str | None, paragraphs: list[str], *, author: str | None = None,
               created: datetime | None = None, heading: str | None = None,
               table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = title or ""
    if author is not None:
        props.author = author
    if created is not None:
        props.created = created
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(title: str | None, heading: str | None, paragraphs: list[str], *,
              author: str | None = None, created: str | None = None) -> bytes:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    doc = OpenDocumentText()
    if title:
        doc.meta.addElement(dc.Title(text=title))
    if author:
        doc.meta.addElement(dc.Creator(text=author))
    if created:
        doc.meta.addElement(meta.CreationDate(text=created))
    if heading:
        doc.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        doc.text.addElement(P(text=text))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(title: str | None, pages: list[str], *, author: str | None = None,
              created: datetime | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.set_font("DejaVu", size=12)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creation_date(created or datetime(2020, 1, 1, tzinfo=UTC))
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def scanned_pdf_bytes() -> bytes:
    """A PDF page with only a drawing on it: what a scan without OCR looks like."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def json_bytes(records: object) -> bytes:
    return json.dumps(records, ensure_ascii=False).encode()
