"""Office formats throughput: PDF and DOCX files read and indexed (``python -m bench``).

Generates a small set (PDFs with fpdf2 and DejaVu Sans, DOCX with python-docx, each
from the generated Vietnamese paragraphs), then in a child process times reading them
(:func:`indexer.corpus.reader.read_file`, the extraction alone) and a full reindex of them.
FTS5 has no reader for these formats, so the FTS5 column stays empty. Only runs when
the dev extras (fpdf2) and DejaVu are installed; run it with ``python -m bench.formats_bench``.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from .report import Row, num

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PARAS_PER_PAGE = 4


def _paragraphs(count: int, seed: int) -> list[str]:
    from .corpus_gen import generate, load_pool

    texts = [rec["text"] for rec in generate(max(1, count // 3 + 1), pool=load_pool(),
                                             seed=seed)]
    paras = [p for t in texts for p in t.split("\n") if p.strip()]
    return (paras * (count // max(1, len(paras)) + 1))[:count]


def write_set(folder: Path, files: int, pages: int) -> dict:
    """``files`` PDFs and ``files`` DOCX of ``pages`` pages each; returns their sizes."""
    import docx
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    paras = _paragraphs(files * pages * PARAS_PER_PAGE, seed=13)
    sizes = {"pdf": 0, "docx": 0}
    for i in range(files):
        chunk = paras[i * pages * PARAS_PER_PAGE:(i + 1) * pages * PARAS_PER_PAGE]
        pdf = FPDF()
        pdf.add_font("DejaVu", fname=str(DEJAVU))
        pdf.set_font("DejaVu", size=11)
        pdf.set_title(f"Văn bản số {i}")
        for page in range(pages):
            pdf.add_page()
            for para in chunk[page * PARAS_PER_PAGE:(page + 1) * PARAS_PER_PAGE]:
                pdf.multi_cell(0, 6, para)
                pdf.ln(3)
        data = bytes(pdf.output())
        (folder / f"van-ban-{i:03d}.pdf").write_bytes(data)
        sizes["pdf"] += len(data)
        document = docx.Document()
        document.core_properties.title = f"Công văn số {i}"
        for para in chunk:
            document.add_paragraph(para)
        out = io.BytesIO()
        document.save(out)
        (folder / f"cong-van-{i:03d}.docx").write_bytes(out.getvalue())
        sizes["docx"] += len(out.getvalue())
    return sizes


def read_formats(corpus: str, index: str) -> dict:
    """Child task: extraction time per format, then a full reindex of the folder."""
    import shutil

    import indexer
    from indexer.corpus.reader import read_file, scan

    problems: list = []
    result: dict = {}
    for suffix in (".pdf", ".docx"):
        files = [f for f in scan(Path(corpus), problems) if f.abspath.suffix == suffix]
        started = time.perf_counter()
        docs = sum(len(list(read_file(f, problems))) for f in files)
        result[suffix[1:]] = {"seconds": time.perf_counter() - started, "files": len(files),
                              "documents": docs}
    shutil.rmtree(index, ignore_errors=True)
    started = time.perf_counter()
    report = indexer.reindex(Path(corpus), Path(index), full=True)
    result["reindex"] = {"seconds": time.perf_counter() - started,
                         "documents": report.documents}
    result["problems"] = [str(p) for p in problems + report.problems][:5]
    return result


def rows(result: dict, sizes: dict, files: int, pages: int) -> list[Row]:
    area = "formats (PDF, DOCX)"
    out = [Row(area, 2 * files, "generated: files x pages, MB",
               f"{files} PDF + {files} DOCX x {pages} pages; PDF {num(sizes['pdf'] / 1e6)} MB,"
               f" DOCX {num(sizes['docx'] / 1e6)} MB")]
    for kind in ("pdf", "docx"):
        r = result[kind]
        out.append(Row(area, r["files"], f"{kind.upper()} text extraction (pages/s; MB/s)",
                       f"{num(r['files'] * pages / r['seconds'])} pages/s; "
                       f"{num(sizes[kind] / 1e6 / r['seconds'])} MB/s"))
    r = result["reindex"]
    out.append(Row(area, r["documents"], "full reindex of both (docs/s)",
                   f"{num(r['documents'] / r['seconds'])} docs/s ({num(r['seconds'])} s)"))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import shutil
    import sys
    import tempfile
    from datetime import datetime

    from . import report
    from .procs import ROOT, run_child

    parser = argparse.ArgumentParser(
        prog="python -m bench.formats_bench", description=__doc__.splitlines()[0],
        epilog="Example: .venv/bin/python -m bench.formats_bench --write")
    parser.add_argument("--files", type=int, default=40, help="PDFs and DOCX each (40)")
    parser.add_argument("--pages", type=int, default=5, help="pages per file (5)")
    parser.add_argument("--write", action="store_true",
                        help="put the table in the Formats section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="vnsearch-formats-"))
    try:
        started = time.perf_counter()
        sizes = write_set(folder / "corpus", args.files, args.pages)
        result = run_child("read-formats", {"corpus": str(folder / "corpus"),
                                            "index": str(folder / "index")}, timeout=1800)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = report.load_average()
    body = "\n".join([
        f"Written by `python -m bench.formats_bench {' '.join(sys.argv[1:])}`".rstrip() +
        f" (this section only) on {datetime.now():%Y-%m-%d %H:%M}, code: working tree at "
        f"{report.head_commit()}, load average after: {load}, run took "
        f"{time.perf_counter() - started:.0f} s. Files generated with fpdf2 (DejaVu Sans) and "
        "python-docx from the corpus generator's Vietnamese paragraphs; extraction is "
        "`indexer.corpus.reader.read_file` alone, the reindex a full one of both. FTS5 reads "
        "neither format.", "", report.table(rows(result, sizes, args.files, args.pages))])
    print(body)
    if args.write:
        report.write_section(ROOT / "bench" / "RESULTS.md", "Formats", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
