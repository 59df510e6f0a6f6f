"""The `vnsearch` command group: its entry point and its list of commands.

Each command parses options, calls the library's public API and prints; they live
by what they do to the index (:mod:`indexer.cli.building`: reindex, optimize, serve;
:mod:`indexer.cli.querying`: search, restore, stats, eval), and share their options
and error handling (:mod:`indexer.cli.options`): library errors become one-line
messages and a non-zero exit; no command ever prints a traceback for bad input.
"""

from __future__ import annotations

import click

from indexer.cli.building import optimize, reindex, serve
from indexer.cli.querying import evaluate, restore, search, stats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnsearch")
def cli():
    """vnsearch: Vietnamese full-text search, with or without diacritics.

    \b
    Example:
        vnsearch reindex && vnsearch search "can bo dang vien"
    """


for command in (reindex, optimize, search, restore, stats, evaluate, serve):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="vnsearch")


if __name__ == "__main__":
    main()
