"""``.md`` Markdown notes: title from front matter or the first heading, markup stripped.

A YAML-style front matter block (``---`` lines around ``key: value`` lines) may give
``title``, ``date``, ``author``, ``source`` and ``url``; else the first ``#`` (or
underlined) heading is the title. The body keeps the words a reader sees: link and
image text, code, list items, with Markdown punctuation removed. A full Markdown
parser would only add a dependency: the index needs words, not layout.
"""

from __future__ import annotations

import re

from indexer.corpus.dates import parse_date

from .base import Extracted, Record, Unreadable
from .text import fit_title, paragraphs, title_from

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<[^<>\n]{1,200}>"), " "),  # inline HTML tags
    (re.compile(r"(\*\*|__|\*|_|~~|`+)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
]
_BLOCK_PREFIX = re.compile(r"^ {0,3}(?:>[ \t]?)*(?:[-*+][ \t]+|\d{1,9}[.)][ \t]+)?")
_RULE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$|^ {0,3}(```|~~~)|^\s*\|?[-:| ]+\|[-:| ]*$")
_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")


def _inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text.replace("|", " ").replace("\\", "")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m[1].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[m.end():]


def read(text: str, rel: str) -> Extracted:
    meta, text = _front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    heading: str | None = None
    blocks: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    underline = -1  # the line under a setext heading: markup, never text
    for i, line in enumerate(lines):
        if i == underline:
            continue
        atx = _ATX.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if atx or (line.strip() and _SETEXT.match(nxt) and not _RULE.match(line)
                   and not current):
            close()
            if not atx:
                underline = i + 1
            words = _inline(atx[2] if atx else line.strip())
            if heading is None:
                heading = words
            else:
                blocks.append(words)
            continue
        if _SETEXT.match(line) and blocks and not current or _RULE.match(line) \
                or _REFDEF.match(line):
            close()
            continue
        if not line.strip():
            close()
            continue
        current.append(_inline(_BLOCK_PREFIX.sub("", line)))
    close()
    paras = paragraphs(blocks)
    title = fit_title(meta.get("title")) or fit_title(heading)
    if title is None:
        title, paras = title_from(paras)
    elif heading is not None and fit_title(heading) != title:
        paras.insert(0, heading)
    if not title and not paras:
        raise Unreadable("no text in the file")
    out = Extracted()
    date = parse_date(meta.get("date")) if meta.get("date") else None
    if meta.get("date") and date is None:  # as .csv, .json and .jsonl records say
        out.warnings.append((rel, f"invalid date ({meta['date'][:40]!r}), date ignored"))
    out.records.append(Record(
        title=title or "", body="\n\n".join(paras), date=date,
        author=fit_title(meta.get("author")), source=fit_title(meta.get("source")),
        url=meta.get("url") or None))
    return out
