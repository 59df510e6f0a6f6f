"""Numbers as Vietnamese writes them: ``1.234`` thousands, ``0,05`` decimals.

One function for every surface (the library's notes, the CLI's results line, the web
page), so a count reads the same wherever it is shown.
"""

from __future__ import annotations


def vn_number(value: int | float, decimals: int = 0) -> str:
    """``1234`` -> ``1.234``; ``0.034, 2`` -> ``0,03`` (thousands ".", decimals ",")."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
