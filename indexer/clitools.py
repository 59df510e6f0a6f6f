"""Click helpers of the `vnsearch` command: query arguments that start with `-`, and
progress lines for long evaluations."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable

import click


class QueryCommand(click.Command):
    """A command whose words may start with ``-``: ``vnsearch search -phúc hình sự``.

    Click reads ``-phúc`` as the options ``-p -h …`` (and ``-h`` is help). Here an
    argument is an option only if it names one of the command's options; every
    other argument, and everything after ``--``, is part of the query.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value, flags = {}, set(ctx.help_option_names)
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = param.opts + param.secondary_opts
                if param.is_flag or param.count:
                    flags.update(names)
                else:
                    takes_value.update(dict.fromkeys(names, param.nargs))
        options, words = [], []
        rest = iter(args)
        for arg in rest:
            name = arg.partition("=")[0]
            if arg == "--":
                words += list(rest)
            elif arg in flags or (name in takes_value and "=" in arg):
                options.append(arg)
            elif arg in takes_value:
                values = list(itertools.islice(rest, takes_value[arg]))
                if len(values) < takes_value[arg]:
                    raise click.BadOptionUsage(arg, f"Option '{arg}' requires an argument.",
                                               ctx)
                options += [arg, *values]
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


def eval_progress() -> Callable[[int, int], None]:
    """A progress callback writing to stderr: a bar on a terminal, else a line per tenth."""
    if sys.stderr.isatty():
        def bar(done: int, total: int) -> None:
            click.echo(f"\r{done}/{total} queries", nl=done == total, err=True)

        return bar

    def lines(done: int, total: int) -> None:
        step = max(100, total // 10)
        if done % step == 0 or (done == total and total >= step):
            click.echo(f"eval: {done}/{total} queries", err=True)

    return lines
