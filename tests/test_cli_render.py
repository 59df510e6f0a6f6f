"""Terminal rendering of results (indexer.cli.render)."""

from __future__ import annotations

import click
import pytest

from indexer.cli.render import marked_to_terminal


def test_matches_are_coloured_on_a_terminal_and_text_escapes_are_not():
    """The text's control characters used to be blanked after the matches were styled,
    which blanked the styles' own ESC too: a TTY showed ``[33m [1mluật [0m``."""
    shown = marked_to_terminal("Bộ <mark>luật</mark> \x1b[31mđỏ &#27;[2J", color=True)
    assert shown == f"Bộ {click.style('luật', fg='yellow', bold=True)} [31mđỏ [2J"


def test_plain_output_has_no_styles_and_no_control_characters():
    assert marked_to_terminal("a\x07 <mark>b</mark>\n\x1b[1mc", color=False) == "a b [1mc"


def test_the_count_line_says_what_the_list_below_it_is():
    """`vnsearch search "điều 51 blhs"` printed "0 kết quả" above ten results (none holds
    the typed BLHS, all are partial matches): the page says "Kết quả gần đúng" there."""
    from indexer.cli.render import count_line
    from indexer.searching.results import Results

    partial = Results(query="q", total=0, candidates=2682, hits=["a"])
    assert count_line(partial) == "2.682 kết quả gần đúng"
    mixed = Results(query="q", total=2, candidates=30, hits=["a"])
    assert count_line(mixed) == "2 kết quả (và 28 kết quả gần đúng, chỉ chứa một phần các từ)"
    assert count_line(Results(query="q", total=30, candidates=30, hits=["a"])) == "30 kết quả"
    assert count_line(Results(query="q")) == "Không có kết quả"
    past_the_end = Results(query="q", total=0, candidates=12, page=99)
    assert count_line(past_the_end) == "12 kết quả gần đúng"


@pytest.mark.parametrize("args, problem", [
    (["search", "--bogus", "x"], "No such option '--bogus'"),
    (["search"], "Missing argument"),
    (["bogus"], "No such command 'bogus'"),
])
def test_a_usage_error_is_one_line(args, problem):
    """Click printed usage errors as four lines (usage, hint, blank, error); every other
    error of the CLI is one line per problem."""
    from click.testing import CliRunner

    from indexer.cli.commands import cli

    result = CliRunner().invoke(cli, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and problem in lines[0], result.output
    assert "--help" in lines[0]


def test_vnsearch_alone_prints_the_help_not_an_error_line():
    """A reviewer found the one-line usage errors flattening the whole help into one
    'Error: Usage: …' line for `vnsearch` with no command."""
    from click.testing import CliRunner

    from indexer.cli.commands import cli

    result = CliRunner().invoke(cli, [], prog_name="vnsearch")
    assert "Error:" not in result.output and "Usage: vnsearch" in result.output
    assert "Commands:" in result.output.splitlines() and result.exit_code in (0, 2)
