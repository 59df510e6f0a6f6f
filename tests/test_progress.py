"""Progress lines: a line every few seconds when stderr is not a terminal, a bar on one."""

from __future__ import annotations

import io

from indexer.cli.progress import ProgressPrinter


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



def test_files_and_documents_are_shown():
    out, clock = io.StringIO(), Clock()
    printer = ProgressPrinter(out, "reindex", tty=False, every=5, clock=clock)
    clock.now = 6
    printer(3_000_000, 6_000_000, files=1, documents=2_048)
    assert out.getvalue() == ("reindex:  50% (1 files, 2,048 documents, 3.0/6.0 MB, 0.50 MB/s,"
                              " ETA 0:00:06)\n")


def test_reindex_without_a_terminal_prints_progress_lines(tmp_path, monkeypatch):
    """A reindex under nohup/CI said nothing until the end: now a line every few seconds."""
    from click.testing import CliRunner

    import indexer.cli.progress
    from indexer.cli.commands import cli

    monkeypatch.setattr(indexer.cli.progress, "LINE_EVERY_S", 0.0)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(f"Tiêu đề số {i}\n\nNội dung bài viết số {i}.", "utf-8")
    result = CliRunner().invoke(cli, ["reindex", "--corpus", str(corpus), "--index",
                                      str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("reindex:")]
    assert lines and lines[-1].startswith("reindex: 100% (3 files, ")


def test_one_big_jsonl_file_shows_progress_while_it_is_read(tmp_path, monkeypatch):
    """The shipped corpus is one 3.5 MB JSONL file and two pages: its 7-second reindex
    printed one line, at the end (progress came once a file). Lines now come while a
    file is read, with the documents read so far; the last one counts them all."""
    from click.testing import CliRunner

    import indexer.cli.progress
    from indexer.cli.commands import cli
    from tests.conftest import write_jsonl

    monkeypatch.setattr(indexer.cli.progress, "LINE_EVERY_S", 0.0)
    corpus = tmp_path / "corpus"
    records = [{"id": f"d{n}", "title": f"Điều {n}", "text": f"Nội dung điều luật số {n}. " * 20}
               for n in range(2000)]
    new = {"id": "new", "title": "Điều mới", "text": "Nội dung mới."}
    for count in (2000, 2001):  # a full reindex, then an incremental one of the changed file
        write_jsonl(corpus / "laws.jsonl", (records + [new])[:count])
        result = CliRunner().invoke(cli, ["reindex", "--corpus", str(corpus), "--index",
                                          str(tmp_path / "index")])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.output.splitlines() if line.startswith("reindex:")]
        during = [line for line in lines if not line.startswith("reindex: 100%")]
        assert len(during) >= 3, lines
        assert all(" files, " in line and " documents, " in line for line in lines)
        assert lines[-1].startswith(f"reindex: 100% (1 files, {count:,} documents, ")
