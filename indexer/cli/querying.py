"""The commands that read an index: `vnsearch search`, `restore`, `stats` and `eval`.

Why together: each opens the index for one call of the library's public API
(:func:`indexer.search`, :func:`indexer.restore`, :func:`indexer.stats`, a relevance
run), prints the answer for a terminal or as JSON, and closes it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

import indexer
from indexer.cli.clitools import QueryCommand
from indexer.cli.options import (
    BUDGET_OPTION,
    INDEX_OPTION,
    clean_arg,
    emit_json,
    friendly_errors,
    reading_index,
)
from indexer.cli.progress import ProgressPrinter


@click.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1, indexer.MAX_PER_PAGE), default=10,
              show_default=True)
@click.option("--page", type=click.IntRange(1, indexer.MAX_PAGE), default=1,
              show_default=True)
@click.option("--source", help="Only documents from this source (exact name).")
@click.option("--from", "date_from", help="Earliest date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Latest date, YYYY-MM-DD.")
@click.option("--sort", type=click.Choice([*indexer.SORTS, *indexer.SORT_ALIASES]),
              default="relevance", help="date = newest; undated documents come last.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON structure.")
@BUDGET_OPTION
@click.option("--exact", is_flag=True,
              help="Search the text as typed: no Telex/VNI decoding, no typo correction.")
@click.option("--synonyms", type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
        emit_json(results.to_json())
        return
    from indexer.cli.render import print_results

    print_results(results, color=sys.stdout.isatty())



@click.command()
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



@click.command()
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
        emit_json(result.to_json())
        return
    click.echo(f"documents:    {result.documents:,}")
    click.echo(f"index size:   {result.index_bytes / 1e6:.1f} MB ({result.generation})")
    click.echo(f"last reindex: {result.last_reindex or 'unknown'}")
    if result.date_min:
        click.echo(f"dates:        {result.date_min:%Y-%m-%d} .. {result.date_max:%Y-%m-%d}")
    click.echo(f"sources:      {len(result.sources)}")
    for name, count in result.sources.items():
        click.echo(f"  {count:>7,}  {name}")


def _open_for_writing(path: Path):
    """``path`` opened for the run file, or the usual one-line error."""
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write the run file {path}: {exc.strerror or exc}"
                                   ) from None


@click.command(name="eval")
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

    run_file = _open_for_writing(runs) if runs else None  # fails now, not after the run
    printer = ProgressPrinter(sys.stderr, "eval", unit="queries")
    with reading_index(index_dir) as handle:
        results = evaluation.run(handle, queries, qrels, unaccent=unaccent, clean=clean,
                                 limit=limit, progress=printer)
    printer.close()
    report = evaluation.summarise(results, unaccent=unaccent, clean=clean)
    if run_file:
        with run_file:
            evaluation.write_run(results, run_file)
    if results and not any(r.recall for r in results):
        click.echo("warning: no judged document is in any top 10: do the qrels' ids match"
                   " this index's ids (vnsearch search --json shows them)?", err=True)
    failures = evaluation.worst(results, worst)
    if as_json:
        report["worst"] = [{"qid": r.qid, "query": r.text, "first_relevant": r.first_relevant,
                            "top": r.ranked[:1], "top_title": r.titles[:1]} for r in failures]
        emit_json(report)
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
