"""Figures -> one Markdown table; the machine description; ``RESULTS.md``."""

from __future__ import annotations

import hashlib
import math
import os
import platform
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from .procs import ROOT

HEADER = ("| Area | Docs | Metric | vnsearch (Whoosh) | SQLite FTS5 | Whoosh ÷ FTS5 |\n"
          "|---|---:|---|---:|---:|---:|")


@dataclass
class Row:
    area: str
    docs: int | None
    metric: str
    whoosh: str
    fts5: str = "—"
    ratio: str = "—"

    def markdown(self) -> str:
        docs = f"{self.docs:,}" if self.docs else "—"
        cells = [self.area, docs, self.metric, self.whoosh, self.fts5, self.ratio]
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def num(value: float | None, digits: int | None = None) -> str:
    """A figure with sensible precision: 12,345 / 123 / 12.3 / 1.23 / 0.123."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3
    return f"{value:,.{digits}f}"


def ratio(whoosh: float | None, fts5: float | None) -> str:
    if not whoosh or not fts5 or math.isnan(whoosh) or math.isnan(fts5):
        return "—"
    return f"{num(whoosh / fts5)}×"


def pair(area: str, docs: int | None, metric: str, whoosh: float | None, fts5: float | None,
         unit: str = "") -> Row:
    """A row comparing the two engines on one figure."""
    suffix = f" {unit}" if unit else ""
    return Row(area, docs, metric, num(whoosh) + suffix, num(fts5) + suffix,
               ratio(whoosh, fts5))


def table(rows: list[Row]) -> str:
    return "\n".join([HEADER] + [row.markdown() for row in rows])


def _first_line(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def head_commit() -> str:
    return _git("rev-parse", "--short", "HEAD") or "unknown"


def worktree_dirty() -> bool:
    """Uncommitted changes to the engine or the app in the working tree."""
    return bool(_git("status", "--porcelain", "--untracked-files=no", "--", "indexer",
                     "search_app"))


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def code_fingerprint() -> str:
    """A short hash of the engine's and the app's source files (changes if anyone edits them)."""
    digest = hashlib.blake2b(digest_size=6)
    for package in ("indexer", "search_app"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js"):
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def machine() -> dict[str, str]:
    mem_kb = _first_line("/proc/meminfo", "MemTotal").split()[0]
    try:
        ram = f"{int(mem_kb) / 2**20:.1f} GiB"
    except ValueError:
        ram = "unknown"
    try:
        whoosh = metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        whoosh = "unknown"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _first_line("/proc/cpuinfo", "model name"),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "whoosh": whoosh,
        "sqlite": sqlite3.sqlite_version,
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def results_md(command: str, rows: list[Row], info: dict[str, str], code: str,
               notes: list[str], started: datetime, seconds: float, load_before: str,
               load_after: str) -> str:
    lines = [
        "# vnsearch benchmark results",
        "",
        "Written by `bench` (overwritten on every run). Whoosh = vnsearch's own library",
        "calls (`indexer.reindex`, `indexer.search`); FTS5 = the same documents in SQLite",
        "FTS5 (`unicode61 remove_diacritics 2`). Ratios are Whoosh ÷ FTS5 for every",
        "figure: above 1 means Whoosh has more of it (time, bytes, memory, or throughput).",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} (local), run took {seconds / 60:.1f} min",
        f"- command: `{command}`",
        f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}",
        f"- software: Python {info['python']}, whoosh-reloaded {info['whoosh']}, "
        f"SQLite {info['sqlite']}",
        f"- code measured: {code}",
        f"- load average (1/5/15 min) before: {load_before}; after: {load_after}",
        "",
        table(rows),
        "",
    ]
    grown = growth(rows)
    if grown:
        lines += ["## Growth", "",
                  "Each paired figure of the table above at every corpus size, with its "
                  "ratio to FTS5 at that size: how each engine's cost grows. Incremental "
                  "reindex and HTTP figures are vnsearch's alone.", "",
                  grown, ""]
    lines += [
        "## Notes",
        "",
    ]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


GROWN_ALONE = ("incremental reindex |", "HTTP |")
"""Areas (prefixes of ``area | metric``) of Whoosh-only figures the growth table shows too:
FTS5 has no change detection of its own, and it is not served over HTTP."""


def growth(rows: list[Row]) -> str:
    """The figures measured on both engines (or in :data:`GROWN_ALONE`) at two or more
    corpus sizes, one line each and one column per size (``vnsearch / FTS5 = ratio``, or
    the vnsearch figure alone); empty with a single size."""
    sizes = sorted({row.docs for row in rows if row.docs})
    figures: dict[tuple[str, str], dict[int, Row]] = {}
    for row in rows:
        paired = row.fts5 not in ("—", "n/a") and row.ratio.endswith("×")
        alone = f"{row.area} | {row.metric}".startswith(GROWN_ALONE) and \
            row.whoosh not in ("—", "FAILED")
        if row.docs and (paired or alone):
            figures.setdefault((row.area, row.metric), {})[row.docs] = row
    figures = {key: cells for key, cells in figures.items() if len(cells) > 1}
    if len(sizes) < 2 or not figures:
        return ""
    lines = ["| Area | Metric | " + " | ".join(f"{n:,} docs" for n in sizes) + " |",
             "|---|---|" + "---:|" * len(sizes)]
    for (area, metric), cells in figures.items():
        shown = [("—" if n not in cells else cells[n].whoosh if cells[n].ratio == "—"
                  else f"{cells[n].whoosh} / {cells[n].fts5} = {cells[n].ratio}")
                 for n in sizes]
        lines.append("| " + " | ".join(cell.replace("|", "\\|")
                                       for cell in (area, metric, *shown)) + " |")
    return "\n".join(lines)


HOSTILE_HEADING = "## Hostile queries and the time budget"


def hostile_section(rows: list[Row], notes: list[str], command: str | None, started: datetime,
                    load_before: str, load_after: str, code: str) -> str:
    """The hostile step's section of ``RESULTS.md`` (its own command and date when it was
    run alone with ``--hostile``)."""
    lines = ["", HOSTILE_HEADING, ""]
    if command:
        lines += [f"- date: {started:%Y-%m-%d %H:%M} (local); command: `{command}`",
                  f"- code measured: {code}",
                  f"- load average (1/5/15 min) before: {load_before}; after: {load_after}",
                  ""]
    lines += [table(rows), ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def with_section(path: Path, section: str) -> str:
    """The text of ``path`` with its hostile-queries section replaced by ``section``."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError:
        text = ""
    head = text.split("\n" + HOSTILE_HEADING)[0].rstrip("\n") + "\n"
    return head + section


KEPT_SECTIONS = ("Scale", "Relevance", "Formats", "Compaction")
"""Sections written by their own scripts (``bench.eval_fts5``, ``bench.formats_bench``,
``bench.churn``), or by hand from a longer run (``Scale``: ``make bench-1m``'s growth table
to a million documents, which the default 10k/100k run must not overwrite)."""


def sections(text: str) -> dict[str, str]:
    """The kept ``## Name`` sections of a results file, each up to the next ``## ``."""
    found = {}
    for name in KEPT_SECTIONS:
        _, marker, rest = text.partition(f"\n## {name}\n")
        if marker:
            following = rest.find("\n## ")
            found[name] = marker + (rest if following < 0 else rest[:following + 1])
    return found


def write_results(path: Path, text: str) -> None:
    """Write ``text``, keeping the sections other scripts wrote (:data:`KEPT_SECTIONS`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = sections(path.read_text("utf-8")) if path.exists() else {}
    for name in KEPT_SECTIONS:
        if name in kept and f"\n## {name}\n" not in text:
            text = text.rstrip("\n") + "\n" + kept[name].rstrip("\n") + "\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or add) the ``## name`` section of ``path``, leaving the rest: the
    script's part is the text up to the section's first ``### `` subsection, and the
    subsections (notes written by hand under the table) are kept."""
    path = Path(path)
    text = path.read_text("utf-8") if path.exists() else "# vnsearch benchmark results\n"
    head, marker, tail = text.partition(f"\n## {name}\n")
    following = re.search(r"\n###? ", tail) if marker else None
    rest = tail[following.start():] if following else ""
    path.write_text(head.rstrip("\n") + f"\n\n## {name}\n\n" + body.strip("\n") + "\n"
                    + rest, "utf-8")
