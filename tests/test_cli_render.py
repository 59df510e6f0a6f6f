"""Terminal rendering of results (indexer.cli.render)."""

from __future__ import annotations

import click

from indexer.cli.render import marked_to_terminal


def test_matches_are_coloured_on_a_terminal_and_text_escapes_are_not():
    """The text's control characters used to be blanked after the matches were styled,
    which blanked the styles' own ESC too: a TTY showed ``[33m [1mluật [0m``."""
    shown = marked_to_terminal("Bộ <mark>luật</mark> \x1b[31mđỏ &#27;[2J", color=True)
    assert shown == f"Bộ {click.style('luật', fg='yellow', bold=True)} [31mđỏ [2J"


def test_plain_output_has_no_styles_and_no_control_characters():
    assert marked_to_terminal("a\x07 <mark>b</mark>\n\x1b[1mc", color=False) == "a b [1mc"
