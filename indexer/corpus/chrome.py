"""Page chrome: the lines of a scraped page that are the site, not the article.

Why apart: menus, share bars, view counters, breadcrumbs, "related news" headings and
copyright footers are recognised line by line with site-independent rules, and the
rules are the same wherever a page's lines come from (text page, HTML extraction,
trafilatura's output in :mod:`indexer.corpus.formats.webpage`). Which chrome line opens
the footer, and what survives past it, is :mod:`indexer.corpus.pages`'s business.

Linear and bounded: each rule is anchored or sees only short lines.
"""

from __future__ import annotations

import re

CHROME_PHRASES = frozenset("""
viết bình luận mới|viết bình luận|gửi bình luận|bình luận|ý kiến bạn đọc|tin cùng chuyên mục
bài cùng chuyên mục|các tin khác|các bài khác|tin khác|xem thêm|đọc thêm|xem tiếp|chia sẻ
chia sẻ bài viết|in bài viết|in bài|bản in|lượt xem|số lượt xem|lượt truy cập|đang online
đang truy cập|trực tuyến|hôm nay|hôm qua|tuần này|tháng này|tổng truy cập|tổng lượt truy cập
đã truy cập|trở về|quay lại|quay về|về đầu trang|lên đầu trang|gửi email|gửi bài viết qua email
tin liên quan|bài liên quan|tin mới hơn|tin cũ hơn|tin mới|tin mới nhất|tin đã đưa|tin xem nhiều
xem nhiều nhất|đọc nhiều nhất|trang chủ|facebook|twitter|zalo|email|share|tweet|like|print|in
""".strip().replace("\n", "|").split("|"))
_CHROME_PREFIXES = ("tags:", "tag:", "từ khóa:", "từ khoá:")
_EDGE = " 0123456789.,:;()[]{}<>«»‹›|/\\-–—+*#!?•·…\"'"  # counts/arrows around chrome
_CRUMB = re.compile(r"\s[>»›]+\s")
_FOOTER = re.compile(
    r"[^\w]*(?:bản quyền (?:thuộc|©|\(c\))|giấy phép (?:số|xuất bản|hoạt động|thiết lập)"
    r"|(?:phó )?tổng biên tập\s*:|cơ quan chủ quản|chịu trách nhiệm (?:nội dung|xuất bản|quản lý)"
    r"|ghi rõ nguồn|không được sao chép|all rights reserved|copyright\b)", re.I)
CONTACT_LINE = re.compile(
    r"[^\w]*(?:địa chỉ|điện thoại|đt|tel|fax|e-?mail|hotline|website|trụ sở|to[àa] soạn"
    r"|liên hệ(?: quảng cáo)?|đường dây nóng)\s*:", re.I)
"""A contact line (address, phone, e-mail...): dropped in the footer and at the end."""


_COPYRIGHT = re.compile(r"^[^\w]*©|©\s*(?:\d{4}|[-–]\s*\d{4})")
"""A © that makes a footer: opening the line, or before a year (``Báo X © 2024``); a ©
inside prose (``Nối vòng tay lớn © Trịnh Công Sơn được hát vang``) is article text."""


def is_chrome_line(line: str) -> bool:
    """True for a whole line of page chrome (menus, counters, share bars, footers)."""
    if len(line) <= 300 and (_COPYRIGHT.search(line) or _FOOTER.match(line)):
        return True
    if len(line) > 120:
        return False
    low = line.lower()
    if low.startswith(_CHROME_PREFIXES):
        return True
    segments = [s.strip(_EDGE) for s in re.split(r"[|·•]", low)]
    if any(segments) and all(s in CHROME_PHRASES for s in segments if s):
        return True
    if len(segments) >= 3 and all(0 < len(s.split()) <= 4 for s in segments):
        return True  # a menu: "Thời sự | Kinh tế | Văn hóa | Xã hội"
    crumbs = [c.strip(_EDGE) for c in _CRUMB.split(low)]  # Trang chủ > Tin tức > Chính trị
    return len(crumbs) > 1 and low[-1] != "." and all(0 < len(c.split()) < 5 for c in crumbs)
