"""The `vnsearch` command: parse options, call the library, print.

Library errors become one-line messages and a non-zero exit; no command ever
prints a traceback for bad input.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import click

import indexer
from indexer.cli.clitools import QueryCommand, SizeType, Terminated, sigterm_stops
from indexer.cli.progress import ProgressPrinter
from indexer.errors import VnsearchError
from indexer.indexing import generations as store

CORPUS_OPTION = click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default="corpus",
    envvar="VNSEARCH_CORPUS", show_default=True, show_envvar=True,
    help="Folder of documents to index.")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")

BUDGET_OPTION = click.option(
    "--budget-ms", type=click.IntRange(0, None), default=None, envvar="VNSEARCH_QUERY_BUDGET_MS",
    show_envvar=True,
    help="Time budget of one search in ms (default 2000; 0: no limit). Past it, the best "
         "results found so far, with a note.")

INDEX_OPTION = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default="index",
    envvar="VNSEARCH_INDEX", show_default=True, show_envvar=True, help="Index folder.")


def _closed_pipe() -> None:
    """The reader of our output went away (``vnsearch search x | head -1``): stop quietly
    with status 0, as grep and cat do, instead of "Error: Broken pipe" and status 1.
    stdout is pointed at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.exit(0)


def friendly_errors(func):
    """Turn library errors into `Error: message` and exit code 1; a closed pipe ends
    quietly."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            _closed_pipe()
        except VnsearchError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename or ''}") from None

    return wrapper


@contextlib.contextmanager
def reading_index(index_dir: Path, synonyms: Path | None = None):
    """The opened index, closed after use; any failure reading it is one line with the remedy.

    Opening checks what it can (see :func:`indexer.indexing.generations.open_generation`), but a
    damaged segment may only fail later, inside Whoosh, with EOFError, struct.error,
    zlib.error... (click would print "Aborted!" for an EOFError, a traceback for the rest).
    """
    handle = indexer.open_index(index_dir, synonyms)
    try:
        yield handle
    except VnsearchError:
        raise
    except Exception as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise click.ClickException(
            f"cannot read the index in {index_dir} ({detail}); if it is damaged,"
            " rebuild it with `vnsearch reindex --full`") from None
    finally:
        handle.close()


def clean_arg(value: str | None) -> str | None:
    """An argument as printable text: undecodable argv bytes (surrogate escapes) become
    U+FFFD, so the output can be encoded, and control characters (a terminal escape echoed
    back in "did you mean") become spaces, as the query language ignores them anyway."""
    if value is None:
        return None
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogatepass")
    return _CONTROLS.sub(" ", raw.decode("utf-8", "replace"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch")
def cli():
    """vnsearch: Vietnamese full-text search, with or without diacritics.

    \b
    Example:
        vnsearch reindex && vnsearch search "can bo dang vien"
    """


def _emit(value, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@cli.command()
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
    printer = ProgressPrinter(sys.stderr, "reindex", count="files")
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
        _emit({**report.summary(), "problems": [str(p) for p in report.skipped],
               "warnings": [str(p) for p in report.warnings], "notes": report.notes}, True)
    else:
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem}", err=True)
        s = report.summary()
        click.echo(f"{s['mode']} reindex: {s['added']} added, {s['updated']} updated, "
                   f"{s['deleted']} deleted, {s['unchanged']} unchanged, {s['skipped']} skipped,"
                   f" {s['warned']} warnings; {s['documents']} documents,"
                   f" {s['index_bytes'] / 1e6:.1f} MB, {s['seconds']:.2f} s")
    if strict and report.skipped:
        sys.exit(1)


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--source", help="Only documents from this source (exact name).")
@click.option("--from", "date_from", help="Earliest date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Latest date, YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest", "date"]),
              default="relevance", help="date = newest; undated documents come last.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON structure.")
@BUDGET_OPTION
@click.option("--exact", is_flag=True,
              help="Search the text as typed: no Telex/VNI decoding, no typo correction.")
@click.option("--synonyms", type=click.Path(dir_okay=False, path_type=Path),
              help="Synonyms file to use (default: the corpus's synonyms.txt copied by"
                   " reindex).")
@friendly_errors
def search(query: tuple[str, ...], index_dir: Path, limit: int, page: int,
           source: str | None, date_from: str | None, date_to: str | None, sort: str,
           as_json: bool, budget_ms: int | None, exact: bool, synonyms: Path | None):
    """Search the index; accents are optional. The query may be several arguments,
    and may start with `-` (an excluded word).

    \b
    Example:
        vnsearch search "can bo dang vien" --limit 5
        vnsearch search '"trách nhiệm hình sự" -"pháp nhân"' --json
        vnsearch search "-phúc hình sự"
        vnsearch search "tai san*" --sort date --budget-ms 500
        vnsearch search "ubnd" --synonyms my-synonyms.txt
    """
    query = " ".join(query)
    query, source, date_from, date_to = map(clean_arg, (query, source, date_from, date_to))
    with reading_index(index_dir, synonyms) as handle:
        results = indexer.search(handle, query, page=page, per_page=limit, source=source,
                                 date_from=date_from, date_to=date_to, sort=sort,
                                 budget=None if budget_ms is None else budget_ms / 1000,
                                 exact=exact)
    if as_json:
        _emit(results.to_json(), True)
        return
    from indexer.cli.render import print_results

    print_results(results, color=sys.stdout.isatty())


@cli.command()
@click.argument("text")
@INDEX_OPTION
@friendly_errors
def restore(text: str, index_dir: Path):
    """Restore the accents of unaccented text, learnt from the indexed corpus.

    \b
    Example:
        vnsearch restore "can bo dang vien"    # -> cán bộ đảng viên
    """
    with reading_index(index_dir) as handle:
        restored = indexer.restore(handle, clean_arg(text))
    click.echo(restored)


@cli.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def stats(index_dir: Path, as_json: bool):
    """Documents, sources, date range, index size and last reindex time.

    \b
    Example:
        vnsearch stats --index index
    """
    with reading_index(index_dir) as handle:
        result = indexer.stats(handle)
    if as_json:
        _emit(result.to_json(), True)
        return
    click.echo(f"documents:    {result.documents:,}")
    click.echo(f"index size:   {result.index_bytes / 1e6:.1f} MB ({result.generation})")
    click.echo(f"last reindex: {result.last_reindex or 'unknown'}")
    if result.date_min:
        click.echo(f"dates:        {result.date_min:%Y-%m-%d} .. {result.date_max:%Y-%m-%d}")
    click.echo(f"sources:      {len(result.sources)}")
    for name, count in result.sources.items():
        click.echo(f"  {count:>7,}  {name}")


@cli.command(name="eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@INDEX_OPTION
@click.option("--unaccent", is_flag=True, help="Strip the marks from every query first.")
@click.option("--clean", is_flag=True,
              help="Turn keyword-index separators (--  ;  ,  brackets, quotes) into spaces "
                   "first, as a user would type the words.")
@click.option("--limit", type=click.IntRange(1, 100000), default=None,
              help="Only the first N queries.")
@click.option("--runs", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the ranked ids per query to this file (TREC run format: "
                   "qid Q0 docid rank score tag).")
@click.option("--worst", type=click.IntRange(0, 100000), default=0, show_default=True,
              help="Also list the N worst queries: rank of the first relevant result "
                   "(or -) and the top result.")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def evaluate(queries: Path, qrels: Path, index_dir: Path, unaccent: bool, clean: bool,
             limit: int | None, runs: Path | None, worst: int, as_json: bool):
    """Run a TREC relevance set: MRR@10, Recall@10, nDCG@10, latency p50/p95.

    Progress goes to stderr; the figures to stdout.

    \b
    Example:
        vnsearch eval queries_titles.tsv qrels_titles.tsv --unaccent
        vnsearch eval queries_dev.tsv qrels_dev.tsv --clean --worst 20 --runs dev.run
    """
    from indexer.cli import evaluation

    printer = ProgressPrinter(sys.stderr, "eval", unit="queries")
    with reading_index(index_dir) as handle:
        results = evaluation.run(handle, queries, qrels, unaccent=unaccent, clean=clean,
                                 limit=limit, progress=printer)
    printer.close()
    report = evaluation.summarise(results, unaccent=unaccent, clean=clean)
    if runs:
        evaluation.write_run(results, runs)
    failures = evaluation.worst(results, worst)
    if as_json:
        report["worst"] = [{"qid": r.qid, "query": r.text, "first_relevant": r.first_relevant,
                            "top": r.ranked[:1], "top_title": r.titles[:1]} for r in failures]
        _emit(report, True)
        return
    for key, value in report.items():
        click.echo(f"{key:<14} {value:.4f}" if isinstance(value, float) else f"{key:<14} {value}")
    if failures:
        click.echo(f"\nworst {len(failures)} queries (rank of the first relevant result in the"
                   f" top {evaluation.CUTOFF}, or -):")
        click.echo(f"{'qid':<10} {'rank':>4}  {'query':<40}  top result")
        for r in failures:
            top = f"{r.ranked[0]}  {r.titles[0]}" if r.ranked else "(nothing found)"
            click.echo(f"{r.qid[:10]:<10} {r.first_relevant or '-':>4}  {r.text[:40]:<40}  "
                       f"{top[:70]}")


@cli.command()
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
        if reindex_if_missing and store.current_generation(index_dir) is None:
            click.echo("no index yet: building it from the corpus…", err=True)
            report = indexer.reindex(corpus, index_dir)
            click.echo(f"indexed {report.documents} documents in {report.seconds:.1f} s",
                       err=True)
        hint = _cli_hint()
        if hint:
            click.echo(hint, err=True)

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


def main() -> None:
    cli(prog_name="vnsearch")


if __name__ == "__main__":
    main()
