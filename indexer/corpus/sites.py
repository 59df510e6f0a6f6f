"""News site names: one site, one source, whatever a page calls it.

Why: pages name their site in many ways: a dateline abbreviation in the lead
(``(HG) -``), a masthead line (``Báo Hậu Giang Online``), a ``Theo Báo Hậu Giang``
line, ``og:site_name`` or a domain. Shown as they are, one newspaper becomes several
sources in the source filter. :func:`canonical` maps every known spelling to one name;
unknown names are kept as written (minus an ``Online``/``điện tử`` suffix).

The table is small on purpose: the abbreviations are the ones these sites print in
their own datelines and mastheads (``(HG)`` Báo Hậu Giang, ``(HNM)`` Hànộimới,
``(VnE)`` VnExpress, ``(ĐN)`` Báo Đồng Nai, ``(GD&TĐ)`` Giáo dục và Thời đại...).
A page that names its site itself (masthead, banner, ``og:site_name``) is believed
before the table: an abbreviation such as ``ĐN`` is only a guess.
"""

from __future__ import annotations

import re
import unicodedata

SITES: dict[str, tuple[str, ...]] = {
    # canonical name: abbreviations, spellings and domains that mean it
    "Báo Hậu Giang": ("HG", "Báo Hậu Giang Online", "Hậu Giang Online", "baohaugiang.com.vn"),
    "Báo Hà Nội Mới": ("HNM", "Hànộimới", "Hà Nội Mới", "hanoimoi.vn", "hanoimoi.com.vn"),
    "VnExpress": ("VnE", "Báo VnExpress", "VnExpress.net", "vnexpress.net"),
    "Báo Đồng Nai": ("ĐN", "baodongnai.com.vn"),
    "Báo Giáo dục và Thời đại": ("GD&TĐ", "GDTĐ", "Giáo dục và Thời đại", "giaoducthoidai.vn"),
    "TTXVN": ("Thông tấn xã Việt Nam", "TTXVN/Vietnam+", "vnanet.vn"),
    "Báo Nhân Dân": ("NDĐT", "Nhân Dân", "Báo Nhân Dân điện tử", "nhandan.vn"),
    "Báo Sài Gòn Giải Phóng": ("SGGP", "Sài Gòn Giải Phóng", "sggp.org.vn"),
    "Báo Tuổi Trẻ": ("TTO", "Tuổi Trẻ", "Tuổi Trẻ Online", "tuoitre.vn"),
    "Báo Thanh Niên": ("Thanh Niên", "thanhnien.vn"),
    "Báo Dân trí": ("Dân trí", "dantri.com.vn"),
    "Cổng Thông tin điện tử Chính phủ": ("Chinhphu.vn", "VGP", "baochinhphu.vn"),
    "Đài Tiếng nói Việt Nam": ("VOV", "vov.vn"),
}
_SUFFIX = re.compile(r"(?:\s+|\s*[-–|]\s*)(?:online|điện tử|điện tử online)\s*$", re.I)
_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?", re.I)


def _key(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip().rstrip("/")
    name = _PREFIX.sub("", name)
    return " ".join(name.casefold().split())


_INDEX: dict[str, str] = {}
for _name, _aliases in SITES.items():
    for _alias in (_name, *_aliases):
        _INDEX[_key(_alias)] = _name
        _INDEX[_key(_SUFFIX.sub("", _alias))] = _name


def lookup(name: str) -> str | None:
    """The canonical name of a known site spelling, else None."""
    key = _key(name)
    return _INDEX.get(key) or _INDEX.get(_key(_SUFFIX.sub("", key)))


def canonical(name: str | None) -> str | None:
    """One name per site: known spellings mapped, others kept (``Online`` dropped)."""
    if name is None or not name.strip():
        return name
    known = lookup(name)
    if known:
        return known
    stripped = _SUFFIX.sub("", name.strip())
    return stripped if len(stripped.split()) >= 2 else name.strip()


_MASTHEAD = re.compile(r"(?:báo|tạp chí|đài|cổng thông tin|trang thông tin|thông tấn xã)\s+\S",
                       re.I)
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org)(?:\.vn)?", re.I)
_NAME_WORDS = frozenset("điện tử online và của thông tin tin tức chính thức tỉnh thành phố "
                        "huyện phủ".split())


def masthead(line: str) -> str | None:
    """The site named by a page's first lines (``Báo Hậu Giang Online``), else None.

    A title such as ``Báo cáo tình hình kinh tế`` is not one: a masthead's words are
    capitalised names (``điện tử``, ``online`` and a few linking words aside).
    """
    line = line.strip(" |-–—:")
    if not line or len(line) > 80:
        return None
    if known := lookup(line):
        return known if not _is_abbreviation(line) else None
    if _DOMAIN.fullmatch(line):
        return canonical(line)
    if not _MASTHEAD.match(line) or line[-1] in ".!?:;,":
        return None
    words = line.split()[1:]
    if line.lower().startswith(("cổng thông tin", "trang thông tin", "tạp chí", "thông tấn")):
        words = line.split()[2:]
    if not words or len(words) > 10:
        return None
    names = [w for w in words if w.lower() not in _NAME_WORDS or w[0].isupper()]
    lower = [i for i, w in enumerate(names) if not (w[0].isupper() or w[0].isdigit())]
    # proper names are capitalised; one lowercase syllable may end a two-syllable name
    # (``Cộng sản``, ``Chính phủ``), a title has more (``Báo Hậu Giang khai trương``)
    if names and not lower or lower == [len(names) - 1] and len(names) >= 2:
        return canonical(line)
    return None


def _is_abbreviation(text: str) -> bool:
    """``HG``, ``GD&TĐ``: too short to stand alone as a masthead line."""
    return len(text) <= 6 and " " not in text
