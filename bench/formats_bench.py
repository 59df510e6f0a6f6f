"""Office formats throughput: PDF and DOCX files read and indexed (``python -m bench``).

Generates a small set (PDFs with fpdf2 and DejaVu Sans, DOCX with python-docx, each
from the generated Vietnamese paragraphs), then in a child process times reading them
(:func:`indexer.corpus.reader.read_file`, the extraction alone) and a full reindex of them,
and checks the text quality: the share of the words written into the files, those with
Vietnamese marks apart, that come back exactly (NFC, marks and punctuation included).
FTS5 has no reader for these formats, so the FTS5 column stays empty. Only runs when
the dev extras (fpdf2) and DejaVu are installed; run it with ``python -m bench.formats_bench``.
"""

from __future__ import annotations

import io
import json
import time
import unicodedata
from collections import Counter
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
    """``files`` PDFs and ``files`` DOCX of ``pages`` pages each; returns their sizes.

    The text written into each file goes to ``folder/expected.json`` (file name -> text).
    """
    import docx
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    paras = _paragraphs(files * pages * PARAS_PER_PAGE, seed=13)
    sizes = {"pdf": 0, "docx": 0}
    expected: dict[str, str] = {}
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
        expected[f"van-ban-{i:03d}.pdf"] = "\n".join([f"Văn bản số {i}", *chunk])
        sizes["pdf"] += len(data)
        document = docx.Document()
        document.core_properties.title = f"Công văn số {i}"
        for para in chunk:
            document.add_paragraph(para)
        out = io.BytesIO()
        document.save(out)
        (folder / f"cong-van-{i:03d}.docx").write_bytes(out.getvalue())
        expected[f"cong-van-{i:03d}.docx"] = "\n".join([f"Công văn số {i}", *chunk])
        sizes["docx"] += len(out.getvalue())
    (folder.parent / "expected.json").write_text(json.dumps(expected, ensure_ascii=False),
                                                 "utf-8")
    return sizes


def word_recall(written: str, read: str) -> tuple[int, int, int, int]:
    """(words found, words written, marked words found, marked words written): words
    compared exactly after NFC, as a multiset; "marked": with a non-ASCII letter."""
    want = Counter(unicodedata.normalize("NFC", written).split())
    got = Counter(unicodedata.normalize("NFC", read).split())
    found = {w: min(n, got[w]) for w, n in want.items()}
    marked = [w for w in want if not w.isascii()]
    return (sum(found.values()), sum(want.values()), sum(found[w] for w in marked),
            sum(want[w] for w in marked))


def read_formats(corpus: str, index: str) -> dict:
    """Child task: extraction time per format, then a full reindex of the folder."""
    import shutil

    import indexer
    from indexer.corpus.reader import read_file, scan

    problems: list = []
    result: dict = {}
    expected_path = Path(corpus).parent / "expected.json"
    expected = json.loads(expected_path.read_text("utf-8")) if expected_path.exists() else {}
    for suffix in (".pdf", ".docx"):
        files = [f for f in scan(Path(corpus), problems) if f.abspath.suffix == suffix]
        started = time.perf_counter()
        read = {f.relpath: list(read_file(f, problems)) for f in files}
        result[suffix[1:]] = {"seconds": time.perf_counter() - started, "files": len(files),
                              "documents": sum(len(docs) for docs in read.values())}
        counts = [word_recall(expected[rel], "\n".join(f"{d.title}\n{d.body}" for d in docs))
                  for rel, docs in read.items() if rel in expected]
        result[suffix[1:]]["recall"] = [sum(c[k] for c in counts) for k in range(4)]
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
        if r.get("recall") and r["recall"][1]:
            found, words, marked_found, marked = r["recall"]
            out.append(Row(area, r["files"], f"{kind.upper()} words back exactly (all; with"
                           " marks)", f"{100 * found / words:.2f}% of {words:,};"
                           f" {100 * marked_found / max(marked, 1):.2f}% of {marked:,}"))
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
        "`indexer.corpus.reader.read_file` alone, the reindex a full one of both; words back "
        "exactly: the words written into the files (NFC, punctuation attached) found in what "
        "was read, as a multiset, and those with Vietnamese marks apart. FTS5 reads "
        "neither format.", "", report.table(rows(result, sizes, args.files, args.pages))])
    print(body)
    if args.write:
        report.write_section(ROOT / "bench" / "RESULTS.md", "Formats", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
