"""Library notes in the page's language.

:func:`indexer.search` reports what it did to a query as short notes; some
come from the query parser in English (they also serve the CLI). The web UI
is Vietnamese throughout, so known notes are translated here, with their
numbers; anything unknown passes unchanged rather than being dropped.
"""

from __future__ import annotations

import re

_TRANSLATIONS = [
    (re.compile(r"query shortened to its first (\d+) characters"),
     "Câu tìm kiếm quá dài: chỉ dùng {0} ký tự đầu."),
    (re.compile(r"only the first (\d+) terms were used"),
     "Câu tìm kiếm có quá nhiều từ: chỉ dùng {0} từ đầu."),
]


def vietnamese(note: str) -> str:
    """``note`` in Vietnamese, if it is one the library is known to write in English."""
    for pattern, text in _TRANSLATIONS:
        match = pattern.fullmatch(note.strip())
        if match:
            return text.format(*match.groups())
    return note[:1].upper() + note[1:]
