"""The commands that make and serve an index: `vnsearch reindex`, `vnsearch optimize` and
`vnsearch serve`.

Why together: each owns a long-running process (a build or a merge stopped cleanly by
SIGTERM, a server with its workers), and serve may build the index first.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import click

import indexer
from indexer.cli.clitools import SizeType, Terminated, sigterm_stops
from indexer.cli.options import (
    BUDGET_OPTION,
    CORPUS_OPTION,
    INDEX_OPTION,
    emit_json,
    friendly_errors,
)
from indexer.cli.progress import ProgressPrinter


@click.command()
@CORPUS_OPTION
@INDEX_OPTION
@click.option("--full", is_flag=True, help="Rebuild from scratch and swap it in atomically.")
@click.option("--procs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes of a full rebuild (each writes its own segments).")
@click.option("--max-page-size", type=SizeType(), default="20MB", show_default=True,
              envvar="VNSEARCH_MAX_PAGE_SIZE", show_envvar=True,
              help="Largest file read other than JSONL (pages, PDFs... are read whole);"
                   " larger ones are skipped and keep what was indexed from them before.")
@click.option("--max-record-size", type=SizeType(), default="20MB", show_default=True,
              envvar="VNSEARCH_MAX_RECORD_SIZE", show_envvar=True,
              help="Largest JSONL record (one line); .jsonl files themselves have no limit.")
@click.option("--strict", is_flag=True,
              help="Exit with 1 if any file or record was skipped (warnings do not count).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def reindex(corpus: Path, index_dir: Path, full: bool, procs: int, max_page_size: int,
            max_record_size: int, strict: bool, as_json: bool):
    """Bring the index up to date with the corpus (incremental unless --full).

    Skipped files and records and warnings are printed one per line on stderr;
    SIGTERM stops a reindex cleanly (exit 143), leaving the live index as it was.

    \b
    Example:
        vnsearch reindex --corpus corpus --index index
        vnsearch reindex --full --procs 2 --max-page-size 50MB
    """
    limits = indexer.Limits(max_page=max_page_size, max_record=max_record_size)
    printer = ProgressPrinter(sys.stderr, "reindex")
    try:
        with sigterm_stops():
            report = indexer.reindex(corpus, index_dir, full=full, procs=procs,
                                     progress=printer, limits=limits)
            printer.close()
    except Terminated:
        click.echo("Error: reindex stopped by SIGTERM before it finished; the live index is"
                   " intact: run reindex again", err=True)
        sys.exit(128 + signal.SIGTERM)
    if as_json:
        emit_json({**report.summary(), "problems": [str(p) for p in report.skipped],
                   "warnings": [str(p) for p in report.warnings], "notes": report.notes})
    else:
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem}", err=True)
        s = report.summary()
        merged = (f", {s['merges']} segment merges ({s['purged']} deleted documents purged)"
                  if s["merges"] else "")
        click.echo(f"{s['mode']} reindex: {s['added']} added, {s['updated']} updated, "
                   f"{s['deleted']} deleted, {s['unchanged']} unchanged, {s['skipped']} skipped,"
                   f" {s['warned']} warnings; {s['documents']} documents{merged},"
                   f" {s['index_bytes'] / 1e6:.1f} MB, {s['seconds']:.2f} s")
    if strict and report.skipped:
        sys.exit(1)


@click.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def optimize(index_dir: Path, as_json: bool):
    """Merge the index into one segment, removing deleted documents from disk.

    Every reindex already merges small segments and purges segments with more than
    10% deleted documents; optimize goes all the way, for the smallest index and one
    segment per query term (e.g. after a large batch of updates). It takes about as
    long as a full rebuild's indexing; a running server keeps answering meanwhile, and
    SIGTERM or a crash leaves the index as it was.

    \b
    Example:
        vnsearch optimize --index index
    """
    try:
        with sigterm_stops():
            report = indexer.optimize(index_dir)
    except Terminated:
        click.echo("Error: optimize stopped by SIGTERM before it finished; the live index is"
                   " intact", err=True)
        sys.exit(128 + signal.SIGTERM)
    summary = {"merged_segments": report.merged_segments, "segments": report.segments,
               "purged": report.purged, "index_bytes": report.index_bytes,
               "seconds": round(report.seconds, 3)}
    if as_json:
        emit_json(summary)
        return
    if not report.merges:
        click.echo(f"optimize: nothing to do (one segment, no deleted documents);"
                   f" {report.index_bytes / 1e6:.1f} MB")
        return
    click.echo(f"optimize: {report.merged_segments} segments merged into {report.segments},"
               f" {report.purged} deleted documents purged; {report.index_bytes / 1e6:.1f} MB,"
               f" {report.seconds:.2f} s")


@click.command()
@INDEX_OPTION
@CORPUS_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Request threads per process (search is CPU-bound: more threads only "
                   "contend for the GIL; waitress keeps idle connections without a thread).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes sharing the port (search is CPU-bound: one per core).")
@click.option("--reindex-if-missing", is_flag=True, help="Build the index first if absent.")
@click.option("--quiet", is_flag=True,
              help="No request log (by default one line per request on stderr: method, "
                   "path, status, milliseconds).")
@BUDGET_OPTION
@friendly_errors
def serve(index_dir: Path, corpus: Path, host: str, port: int, threads: int, workers: int,
          reindex_if_missing: bool, quiet: bool, budget_ms: int | None):
    """Serve the web front end and JSON API with waitress.

    \b
    Example:
        vnsearch serve --port 5000
        vnsearch serve --workers 2     # one process per core
    """
    def prepare() -> None:
        if reindex_if_missing and indexer.current_generation(index_dir) is None:
            click.echo("no index yet: building it from the corpus…", err=True)
            report = indexer.reindex(corpus, index_dir)
            click.echo(f"indexed {report.documents} documents in {report.seconds:.1f} s",
                       err=True)
        hint = _cli_hint()
        if hint:
            click.echo(hint, err=True)

    synonyms = os.environ.get("VNSEARCH_SYNONYMS")
    if synonyms and not Path(synonyms).is_file():  # the app would search without them
        raise click.ClickException(f"VNSEARCH_SYNONYMS names no file: {synonyms}")
    from search_app.serving import serve as serve_app

    status = serve_app(str(index_dir.resolve()), host, port, threads, workers,
                       echo=lambda line: click.echo(line, err=True), log=not quiet,
                       prepare=prepare, budget_ms=budget_ms)
    if status:
        raise SystemExit(status)


def _cli_hint() -> str | None:
    """How to run the other commands, when ``vnsearch`` is not on PATH (``make run`` calls
    ``.venv/bin/vnsearch`` without activating the venv)."""
    program = Path(sys.argv[0])
    found = shutil.which("vnsearch")
    if program.name != "vnsearch" or (found and Path(found).resolve() == program.resolve()):
        return None
    try:
        shown = program.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = program.resolve()
    return (f"other commands: {shown} --help (or `source {shown.parent}/activate`,"
            " then `vnsearch --help`)")

