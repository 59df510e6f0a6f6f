"""Terminal rendering of results: colours on a TTY, plain text otherwise."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import click

from indexer import vn_number

if TYPE_CHECKING:
    from indexer import Results

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters: never let text drive the terminal (escape sequences,
bells), whether stored text printed or an argument echoed back."""


_OPEN, _CLOSE = "\ue000", "\ue001"  # where a match starts and ends, until styled
_STYLE_OPEN, _STYLE_CLOSE = click.style("\0", fg="yellow", bold=True).split("\0")


def marked_to_terminal(fragment: str, color: bool) -> str:
    """Turn our escaped ``<mark>`` HTML into terminal text, on one line (a raw line break
    would break the indentation of the results).

    The text's control characters are blanked before the matches are styled: blanking
    them after also blanked the styles' own escapes (colour printed as ``[33m``)."""
    if not color:
        return " ".join(CONTROLS.sub(" ", html.unescape(_MARK.sub(r"\1", fragment))).split())
    fragment = fragment.replace(_OPEN, " ").replace(_CLOSE, " ")
    text = _MARK.sub(lambda m: f"{_OPEN}{m.group(1)}{_CLOSE}", fragment)
    text = " ".join(CONTROLS.sub(" ", html.unescape(text)).split())
    return text.replace(_OPEN, _STYLE_OPEN).replace(_CLOSE, _STYLE_CLOSE)


def count_line(results: Results) -> str:
    """The count as the results page words it: documents holding every word, then the
    partial matches ranked with them; "0 kết quả" above a list of hits said nothing
    was found while showing what was."""
    if results.total:
        line = f"{vn_number(results.total)} kết quả"
        if results.candidates > results.total:
            line += (f" (và {vn_number(results.candidates - results.total)} kết quả gần đúng,"
                     " chỉ chứa một phần các từ)")
        return line
    if results.candidates:
        return f"{vn_number(results.candidates)} kết quả gần đúng"
    return "Không có kết quả"


def print_results(results: Results, color: bool) -> None:
    for message in results.messages:
        click.echo(f"note: {message}")
    if results.suggestion:
        click.echo(f"Có phải bạn muốn tìm: {results.suggestion}")
    if results.partial and not results.total:
        click.echo("Không có tài liệu chứa tất cả các từ; hiển thị kết quả gần đúng.")
    elif results.partial:
        click.echo("Có kết quả chỉ chứa một phần các từ cần tìm.")
    click.echo(f"{count_line(results)} ({vn_number(results.took_ms / 1000, 3)} giây)")
    first = (results.page - 1) * results.per_page
    for rank, hit in enumerate(results.hits, first + 1):
        title = marked_to_terminal(hit.title_html, color)
        meta = " · ".join(x for x in (hit.id, hit.source, hit.date and f"{hit.date:%d/%m/%Y}",
                                      not hit.complete and "gần đúng") if x)
        click.echo()
        click.echo(f"{rank}. {click.style(title, bold=True) if color else title}")
        click.echo(f"   {click.style(meta, fg='green') if color else meta}")
        click.echo(f"   {marked_to_terminal(hit.snippet, color)}")
        if hit.copy_count:
            listed = ", ".join(hit.copies[:5]) + (", …" if hit.copy_count > 5 else "")
            click.echo(f"   và {vn_number(hit.copy_count)} bản giống hệt: {listed}")
