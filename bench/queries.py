"""The benchmark's query set, and its translation to FTS5 ``MATCH`` syntax.

A fixed, hand-written mix of 1-4 syllable queries (accented, unaccented and
half-accented; phrases; prefixes), topped up with queries derived
deterministically from law article titles (the first or last two or three
syllables of a title, every other one with its marks stripped).
"""

from __future__ import annotations

import random
import re
import unicodedata

from .corpus_gen import Pool

FIXED = [
    "trách nhiệm", "trach nhiem hinh su", "bồi thường thiệt hại", "hop dong", "tòa án",
    '"phiên tòa sơ thẩm"', "quyen so huu", "lao đông", "tai san*", "can bo dang vien",
    "hợp đồng lao động", "tranh chap", "thừa kế", "thua ke theo di chuc", "người lao động",
    "nguoi su dung lao dong", "tàu biển", "hàng hải", "viện kiểm sát", "vien kiem sat nhan dan",
    "kháng cáo", "khang nghi phuc tham", '"tù chung thân"', "phat tu", "phạt tiền", "bị can",
    "người bị hại", "quyền sử dụng đất", "hôn nhân", "uy quyen", "bảo hiểm xã hội",
    "thời giờ làm việc", "kỷ luật lao động", "tham nhũng", "ma túy", "cuop tai san",
    "lua dao chiem doat", "thẩm phán", "hội thẩm*", "chứng cứ", '"án phí"', "tạm giam",
    "đảng viên", "cán bộ lãnh đạo", "quy định số",
]

_TITLE_HEAD = re.compile(r"^\s*Điều\s+\d+\w*\.\s*")
_WORD = re.compile(r"\w+")


def strip_marks(text: str) -> str:
    """Lowercase without marks, đ as d: how people type without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("đ", "d")


def derived(pool: Pool, count: int, seed: int = 42) -> list[str]:
    """``count`` queries of two or three syllables taken from law titles."""
    rng = random.Random(seed)
    titles = sorted(pool.titles)
    out: list[str] = []
    while len(out) < count:
        words = _WORD.findall(_TITLE_HEAD.sub("", rng.choice(titles)).lower())
        words = [w for w in words if not w.isdigit()]
        if len(words) < 2:
            continue
        size = min(len(words), rng.choice((2, 3)))
        start = 0 if rng.random() < 0.5 else len(words) - size  # a title's head or tail
        query = " ".join(words[start:start + size])
        if len(out) % 2:
            query = strip_marks(query)
        if query not in out and query not in FIXED:
            out.append(query)
    return out


def query_set(pool: Pool, total: int = 60) -> list[str]:
    """``total`` distinct queries: the fixed ones first, then derived ones."""
    fixed = FIXED[:total]
    return fixed + derived(pool, total - len(fixed)) if total > len(fixed) else fixed


def quick_set(pool: Pool, total: int = 20) -> list[str]:
    """A smaller mix for ``--quick``: every third fixed query plus derived ones."""
    fixed = FIXED[::3][: total - total // 4]
    return fixed + derived(pool, total - len(fixed))


_FTS_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def to_fts5(query: str) -> str | None:
    """Our query language -> FTS5: AND of tokens, phrases quoted, ``tok*`` prefixes.

    Every bare word is quoted so FTS5 operators and punctuation stay literal.
    ``unicode61 remove_diacritics 2`` folds tone and vowel marks on both sides,
    but not đ (``dong`` does not find *đồng*): that difference is FTS5's.
    """
    parts: list[str] = []
    for phrase, word in _FTS_TOKEN.findall(query):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        prefix = word.endswith("*")
        words = _WORD.findall(word)
        for i, w in enumerate(words):
            last = i == len(words) - 1
            parts.append(f'"{w}"' + (" *" if prefix and last else ""))
    return " ".join(parts) or None
