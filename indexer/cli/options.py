"""What every `vnsearch` command shares: its common options, its error handling, and
clean arguments.

Why apart from the commands: each command only parses its own options, calls the
library and prints; how a library error becomes one line and exit status 1, how a
closed pipe ends quietly, how a damaged index is reported with its remedy and how
argv bytes are made printable is the same for all of them, and defined once here.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path

import click

import indexer
from indexer.cli.render import CONTROLS

CORPUS_OPTION = click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default="corpus",
    envvar="VNSEARCH_CORPUS", show_default=True, show_envvar=True,
    help="Folder of documents to index.")
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
        except indexer.VnsearchError as exc:
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
    except indexer.VnsearchError:
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
    return CONTROLS.sub(" ", raw.decode("utf-8", "replace"))



def emit_json(value) -> None:
    """Print ``value`` as the commands' JSON: UTF-8 as is, indented, dates as strings."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
