"""Progress of long commands (reindex, eval) for people: a bar on a terminal, a line
every few seconds otherwise (logs, CI, ``| tee``), with rate and ETA.

Why not only ``click.progressbar``: it draws nothing when stderr is not a terminal, so
a 27k-document reindex under ``nohup`` or in CI said nothing for minutes. The library
reports ``(done, total)`` in bytes or queries; this module turns that into text and
decides when to print; it never touches the index.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

LINE_EVERY_S = 5.0
BAR_WIDTH = 24


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressPrinter:
    """``printer(done, total)`` as the work advances; ``printer.close()`` at the end.

    ``unit`` is ``"bytes"`` (shown as MB and MB/s) or a noun such as ``"queries"``.
    A reindex also passes ``files=`` and ``documents=``, the counts so far, shown before
    the amount. On a terminal the line is redrawn in place (at most 10 times a second);
    elsewhere a full line is written every ``every`` seconds, and one at the end.
    """

    def __init__(self, out: TextIO, label: str, unit: str = "bytes", *,
                 tty: bool | None = None, every: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.out, self.label, self.unit, self.clock = out, label, unit, clock
        self.tty = out.isatty() if tty is None else tty
        self.every = 0.1 if self.tty else LINE_EVERY_S if every is None else every
        self.started = clock()
        self.last_print = self.started
        self.done = self.total = self.calls = 0
        self.counts: dict[str, int] = {}
        self.printed = False

    def __call__(self, done: int, total: int, *, files: int | None = None,
                 documents: int | None = None) -> None:
        self.done, self.total = done, total
        self.calls += 1
        if files is not None:
            self.counts["files"] = files
        if documents is not None:
            self.counts["documents"] = documents
        now = self.clock()
        if now - self.last_print >= self.every:
            self.last_print = now
            self._write(self.line(now))

    def line(self, now: float | None = None) -> str:
        """The progress as one line of text (no newline)."""
        now = self.clock() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        done, total = self.done, max(self.total, self.done, 1)
        if self.unit == "bytes":
            amount = f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB, {done / 1e6 / elapsed:,.2f} MB/s"
        else:
            amount = f"{done:,}/{total:,} {self.unit}, {done / elapsed:,.1f}/s"
        rest = (total - done) * elapsed / done if done else None
        eta = f"ETA {_duration(rest)}" if rest is not None and done < total else (
            f"took {_duration(elapsed)}" if done >= total else "ETA ?")
        pct = 100 * done / total
        bar = ""
        if self.tty:
            filled = int(BAR_WIDTH * done / total)
            bar = "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "] "
        counted = "".join(f"{n:,} {name}, " for name, n in self.counts.items())
        return f"{self.label}: {bar}{pct:3.0f}% ({counted}{amount}, {eta})"

    def _write(self, line: str) -> None:
        self.printed = True
        if self.tty:
            self.out.write("\r" + line + "\x1b[K")
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        """The final line (and a newline on a terminal), if anything was shown or took long."""
        if self.calls and (self.printed or self.clock() - self.started >= self.every):
            self._write(self.line())
        if self.tty and self.printed:
            self.out.write("\n")
            self.out.flush()
