"""Small text helpers shared by the format readers."""

from __future__ import annotations

import re

MAX_TITLE = 300
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")


def squash(text: str) -> str:
    """One line: runs of blanks (nbsp included) become one space."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def paragraphs(texts: list[str]) -> list[str]:
    """Non-empty paragraphs, blanks squashed."""
    return [p for p in (squash(t) for t in texts) if p]


def title_from(paras: list[str]) -> tuple[str, list[str]]:
    """First paragraph as title if it is short enough to be one (else no title)."""
    if paras and len(paras[0]) <= MAX_TITLE:
        return paras[0], paras[1:]
    return "", paras


def fit_title(value: object) -> str | None:
    """A property value usable as a title (a non-empty, not too long string)."""
    if not isinstance(value, str):
        return None
    value = squash(value)
    return value if 0 < len(value) <= MAX_TITLE else None
