"""Progress lines: a line every few seconds when stderr is not a terminal, a bar on one."""

from __future__ import annotations

import io

from indexer.progress import ProgressPrinter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_lines_every_few_seconds_without_a_terminal():
    out, clock = io.StringIO(), Clock()
    printer = ProgressPrinter(out, "reindex", tty=False, every=5, clock=clock)
    for second in range(1, 21):
        clock.now = second
        printer(second * 1_000_000, 20_000_000)
    printer.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 5  # at 5, 10, 15, 20 s and the end
    assert lines[0] == "reindex:  25% (5.0/20.0 MB, 1.00 MB/s, ETA 0:00:15)"
    assert lines[-1] == "reindex: 100% (20.0/20.0 MB, 1.00 MB/s, took 0:00:20)"


def test_quick_work_prints_nothing():
    out, clock = io.StringIO(), Clock()
    printer = ProgressPrinter(out, "reindex", tty=False, every=5, clock=clock)
    clock.now = 1
    printer(10, 10)
    printer.close()
    assert out.getvalue() == ""


def test_terminal_bar_redraws_in_place():
    out, clock = io.StringIO(), Clock()
    printer = ProgressPrinter(out, "eval", "queries", tty=True, clock=clock)
    clock.now = 2
    printer(50, 200)
    printer.close()
    text = out.getvalue()
    assert text.startswith("\reval: [######------------------]  25% (50/200 queries, 25.0/s,"
                           " ETA 0:00:06)")
    assert text.endswith("\n") and "\n" not in text[:-1]

