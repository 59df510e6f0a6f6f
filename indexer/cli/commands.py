"""The `vnsearch` command group: its entry point and its list of commands.

Each command parses options, calls the library's public API and prints; they live
by what they do to the index (:mod:`indexer.cli.building`: reindex, optimize, serve;
:mod:`indexer.cli.querying`: search, restore, stats, eval), and share their options
and error handling (:mod:`indexer.cli.options`): library errors become one-line
messages and a non-zero exit; no command ever prints a traceback for bad input.
"""

from __future__ import annotations

import sys

import click

from indexer.cli.building import optimize, reindex, serve
from indexer.cli.querying import evaluate, restore, search, stats

_HELP_ASKED = getattr(click.exceptions, "NoArgsIsHelpError", ())
"""Click 8.2+'s "no command given, here is the help": a UsageError that is no error."""


class OneLineErrors(click.Group):
    """A group whose usage errors are one line, as every other error of the CLI.

    Click prints a usage error as four lines (the usage, a hint, a blank line, the
    error); a script reading stderr, or a user, gets one line per problem here:
    ``Error: No such option '--bogus'. (vnsearch search --help)``."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _HELP_ASKED as exc:  # `vnsearch` alone: the help, as click prints it
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "vnsearch"
            message = " ".join(exc.format_message().split())
            click.echo(f"Error: {message} ({where} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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
