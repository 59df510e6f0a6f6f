"""Click helpers of the `vnsearch` command: query arguments that start with `-`,
progress lines for long evaluations, sizes such as ``20MB``, and SIGTERM as an
exception (so that a reindex cleans up when stopped)."""

from __future__ import annotations

import contextlib
import difflib
import itertools
import re
import signal
import threading

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
            elif _LONG_OPTION.fullmatch(name):
                # "--limt 3", "--corpus x": a mistyped or misplaced option, not words to
                # search (they were searched); a query word like that goes after "--"
                known = sorted(n for n in [*takes_value, *flags] if n.startswith("--"))
                raise click.NoSuchOption(name, possibilities=difflib.get_close_matches(
                    name, known, n=3), ctx=ctx)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


_LONG_OPTION = re.compile(r"--[a-z][a-z0-9-]*")


class SizeType(click.ParamType):
    """A size in bytes: ``20MB``, ``512KB``, ``1GB`` (powers of 1024) or a plain number."""

    name = "size"
    _UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
              "g": 1 << 30, "gb": 1 << 30}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
        unit = self._UNITS.get(found[2].lower()) if found else None
        size = float(found[1]) * unit if unit is not None else 0.0
        if not 1 <= size <= self.LARGEST:  # (400 nines are inf as a float: no traceback)
            self.fail(f"{str(value)[:40]!r} is not a size such as 20MB, 512KB or 1000000"
                      f" (at most {self.LARGEST >> 40} TB)", param, ctx)
        return int(size)

    LARGEST = 1 << 50


class Terminated(BaseException):
    """SIGTERM (as `timeout`, `kill` and systemd send it), raised where the reindex is, so
    that it stops its workers, removes what it half built and releases its lock."""


@contextlib.contextmanager
def sigterm_stops():
    """Within: SIGTERM raises :class:`Terminated` (in the main thread only, where Python
    runs signal handlers), and a second SIGTERM is ignored while cleaning up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
