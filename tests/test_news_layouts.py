"""News pages laid out as sites really do: title, date, site, author and a body with no
chrome (menus, site lines, "Theo ..." lines, related news, copyright and contact footers)."""

from __future__ import annotations

from datetime import datetime

import pytest

import indexer
from indexer.corpus import formats

P1 = ("Kim ngạch xuất khẩu gạo của tỉnh trong tháng 8 đạt hơn 20 triệu USD, tăng mạnh so với "
      "cùng kỳ năm trước nhờ giá gạo thế giới ở mức cao.")
P2 = ("Các doanh nghiệp đã ký thêm nhiều hợp đồng mới với thị trường Philippines và "
      "Indonesia trong những tháng cuối năm.")
P3 = ("Nông dân phấn khởi vì lúa được giá, nhiều hộ có lãi trên 30 triệu đồng mỗi héc-ta "
      "sau vụ hè thu vừa qua.")
TITLE = "Xuất khẩu gạo tăng mạnh trong tháng 8"
MENU = "Thời sự | Kinh tế | Văn hóa | Xã hội | Thể thao"
RELATED = ["Tin liên quan", "Giá lúa tăng cao kỷ lục", "Nông dân trúng mùa lúa hè thu"]

# name: (file, content, title, date, source, author, body paragraphs)
LAYOUTS = {
    "site-line-first": ("a.txt", "\n".join([
        "Báo Hậu Giang Online", "", TITLE, "15/08/2024 | 09:30 GMT+7", "", f"(HG) - {P1}", P2,
        P3, "Minh Anh"]),
        TITLE, datetime(2024, 8, 15, 9, 30), "Báo Hậu Giang", "Minh Anh",
        [f"(HG) - {P1}", P2, P3]),
    "byline-theo": ("b.txt", "\n".join([
        TITLE, "Thứ năm, 15/08/2024 09:30", P1, P2, P3, "Theo Báo Hà Nội Mới", "Chia sẻ"]),
        TITLE, datetime(2024, 8, 15, 9, 30), "Báo Hà Nội Mới", None, [P1, P2, P3]),
    "copyright-address-footer": ("c.txt", "\n".join([
        TITLE, "15-08-2024 09:30", f"(ĐN) - {P1}", P2, P3, "Tin, ảnh: HOÀNG YẾN",
        "© Bản quyền thuộc Báo Đồng Nai. Ghi rõ nguồn khi phát hành lại thông tin.",
        "Địa chỉ: 81 Đường 30 Tháng 4, phường Thanh Bình, thành phố Biên Hòa, tỉnh Đồng Nai.",
        "Điện thoại: 0251 3822 460 - Email: baodongnai@gmail.com",
        "Giấy phép số 123/GP-BTTTT do Bộ Thông tin và Truyền thông cấp"]),
        TITLE, datetime(2024, 8, 15, 9, 30), "Báo Đồng Nai", "HOÀNG YẾN", [f"(ĐN) - {P1}", P2, P3]),
    "breadcrumb-share-related": ("d.txt", "\n".join([
        "Trang chủ > Kinh tế > Nông nghiệp", TITLE, "Cập nhật lúc 9h30 ngày 15/8/2024",
        "Chia sẻ | In bài viết | Gửi email", f"(VnE) - {P1}", P2, P3, *RELATED,
        "Tags: xuất khẩu, gạo"]),
        TITLE, datetime(2024, 8, 15, 9, 30), "VnExpress", None, [f"(VnE) - {P1}", P2, P3]),
    "portal-author-contact": ("e.txt", "\n".join([
        "Cổng thông tin điện tử tỉnh Hậu Giang", TITLE, "Ngày 08:44:11 15-08-2024",
        "Nguyễn Văn An", P1, P2, P3, "Lượt xem: 305",
        "Cơ quan chủ quản: Văn phòng UBND tỉnh Hậu Giang",
        "Email: congthongtin@haugiang.gov.vn | Điện thoại: 0293 3870 000"]),
        TITLE, datetime(2024, 8, 15, 8, 44, 11), "Cổng thông tin điện tử tỉnh Hậu Giang",
        "Nguyễn Văn An", [P1, P2, P3]),
    "html-menu-related-no-article": ("f.html", f"""<!DOCTYPE html><html lang="vi"><head>
<meta charset="utf-8"><title>{TITLE} - Báo Hậu Giang Online</title>
<meta property="og:site_name" content="Báo Hậu Giang Online">
<meta property="article:published_time" content="2024-08-15T02:30:00+00:00">
<meta name="author" content="Minh Anh"></head><body>
<div id="menu"><a href="/ts">Thời sự</a> | <a href="/kt">Kinh tế</a> | <a href="/vh">Văn hóa</a>
 | <a href="/xh">Xã hội</a> | <a href="/tt">Thể thao</a></div>
<div class="content"><h1>{TITLE}</h1><div class="date">15/08/2024 09:30</div>
<p>(HG) - {P1}</p><p>{P2}</p><p>{P3}</p><p>Minh Anh</p></div>
<div class="related">Tin liên quan: <a href="/a">Giá lúa tăng cao kỷ lục</a>
<a href="/b">Nông dân trúng mùa lúa hè thu</a></div>
<div class="footer">© Bản quyền thuộc Báo Hậu Giang. Địa chỉ: 123 Trần Hưng Đạo, Vị Thanh.
Điện thoại: 0293 3870 000</div></body></html>""",
        TITLE, datetime(2024, 8, 15, 9, 30), "Báo Hậu Giang", "Minh Anh",
        [f"(HG) - {P1}", P2, P3]),
    "html-article-with-related-inside": ("g.html", f"""<html><head>
<title>{TITLE} | GD&amp;TĐ</title></head><body>
<header><div class="logo">Báo Giáo dục và Thời đại</div></header>
<nav><ul><li>Giáo dục</li><li>Thời sự</li></ul></nav>
<article><h1>{TITLE}</h1><time datetime="2024-08-15T09:30:00+07:00">15/08/2024</time>
<p>(GD&amp;TĐ) - {P1}</p><p>{P2}</p><p>{P3}</p>
<div class="related"><h3>Tin liên quan</h3><ul><li><a href="/x">Giá lúa tăng cao kỷ lục</a></li>
<li><a href="/y">Nông dân trúng mùa lúa hè thu</a></li></ul></div></article>
<footer>Copyright © 2024 GD&amp;TĐ. Tổng biên tập: Triệu Ngọc Lâm</footer></body></html>""",
        TITLE, datetime(2024, 8, 15, 9, 30), "Báo Giáo dục và Thời đại", None,
        [f"(GD&TĐ) - {P1}", P2, P3]),
    "html-table-layout-theo": ("h.html", f"""<html><head><title>{TITLE}</title></head><body>
<table><tr><td class="menu">Trang chủ | Tin tức | Liên hệ</td></tr>
<tr><td><div class="site">Báo Hậu Giang Online</div>
<h2 class="title">{TITLE}</h2><div>Thứ năm, 15/08/2024, 09:30 (GMT+7)</div>
<p>{P1}</p><p>{P2}</p><p>{P3}</p><p>(Theo VnExpress)</p></td></tr>
<tr><td class="footer">Bản quyền © 2024. Địa chỉ: 45 Lê Lợi, Hà Nội. Đường dây nóng: 0900 000 000
</td></tr></table></body></html>""",
        TITLE, datetime(2024, 8, 15, 9, 30), "VnExpress", None, [P1, P2, P3]),
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout(name: str) -> None:
    rel, content, title, date, source, author, paras = LAYOUTS[name]
    suffix = rel[rel.rindex("."):]
    (record,) = formats.read(suffix, content, rel).records
    assert record.title == title
    assert record.date == date
    assert record.source == source
    assert record.author == author
    assert record.body.split("\n\n") == paras


def test_menu_words_do_not_find_the_article(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for rel, content, *_ in LAYOUTS.values():
        (corpus / rel).write_text(content, "utf-8")
    (corpus / "khac.txt").write_text("Thời sự trong ngày\n\nBản tin thời sự và kinh tế "
                                     "của đài phát thanh tỉnh.", "utf-8")
    indexer.reindex(corpus, tmp_path / "index")
    handle = indexer.open_index(tmp_path / "index")
    try:
        assert [h.id for h in indexer.search(handle, "thoi su kinh te").hits] == ["khac.txt"]
        for rel, *_ in LAYOUTS.values():  # (a search for them would be spell-corrected)
            body = indexer.document(handle, rel).body
            for chrome in ("trúng mùa", "Bản quyền", "Địa chỉ", "Tin liên quan"):
                assert chrome not in body, (rel, chrome)
        sources = {indexer.document(handle, rel).source for rel, *_ in LAYOUTS.values()}
        assert sources == {"Báo Hậu Giang", "Báo Hà Nội Mới", "Báo Đồng Nai", "VnExpress",
                           "Cổng thông tin điện tử tỉnh Hậu Giang", "Báo Giáo dục và Thời đại"}
    finally:
        handle.close()
