"""Helpers the tests import: paths, test corpora, a live server.

Fixtures are in ``conftest.py`` (pytest finds them there; no test imports one).
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_LAWS = ROOT.parent / "shared" / "data" / "laws"


def cp1258_style(text: str) -> str:
    """Windows-1258 keeps ă â ê ô ơ ư đ precomposed and writes tones as combining marks."""
    out: list[str] = []
    base = -1
    for ch in unicodedata.normalize("NFD", text):
        if base >= 0 and ch in "\u0306\u0302\u031b":  # breve, circumflex, horn: compose
            out[base] = unicodedata.normalize("NFC", out[base] + ch)
            continue
        if not unicodedata.combining(ch):
            base = len(out)
        out.append(ch)
    return "".join(out)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@contextmanager
def opened_index(root: Path, records: list[dict]) -> Iterator:
    """An index of ``records`` (``root/corpus/docs.jsonl`` -> ``root/index``), open for
    the block: the small purpose-made corpus of a ranking test."""
    import indexer

    write_jsonl(root / "corpus" / "docs.jsonl", records)
    indexer.reindex(root / "corpus", root / "index", full=True)
    handle = indexer.open_index(root / "index")
    try:
        yield handle
    finally:
        handle.close()


def ids(results) -> list[str]:
    """The ranked document ids of a search's results: what a ranking test asserts."""
    return [hit.id for hit in results.hits]


def write_corpus(root: Path, files: dict[str, list[dict]]) -> Path:
    """Write ``{relative path: records}`` as JSONL files under ``root``."""
    for rel, records in files.items():
        write_jsonl(root / rel, records)
    return root


# --- the web tests' corpus ------------------------------------------------------------

NEWS = "Báo Mẫu"
LAWS = "Luật Mẫu"
FILLER = "\n".join(
    f"Đoạn {i}: tin thời tiết và giao thông trong thành phố, mưa rào vào buổi chiều."
    for i in range(1, 41)
)
SPECIAL_ID = "tin/ký tự đặc biệt #1?x=1"
XSS = "<script>alert(1)</script>"


def web_records() -> dict[str, list[dict]]:
    """{relative file: records}: the corpus every web test searches."""
    news = [
        {"id": "tin/can-bo-guong-mau", "title": "Cán bộ, đảng viên phải gương mẫu",
         "text": FILLER + "\nCán bộ đảng viên phải gương mẫu chấp hành chủ trương."
                          "\nMọi cán bộ đảng viên đều phải nêu gương; cán bộ đảng viên "
                          "trẻ học tập cán bộ đảng viên lâu năm.",
         "date": "2023-05-01", "source": NEWS, "url": "https://example.vn/tin/can-bo"},
        {"id": "tin/hoi-nghi", "title": "Hội nghị cán bộ, đảng viên toàn quốc",
         "text": "Hội nghị cán bộ đảng viên được tổ chức tại Hà Nội. Cán bộ đảng viên "
                 "tham dự đông đủ.", "date": "2022-01-15", "source": NEWS,
         "url": "https://example.vn/tin/hoi-nghi"},
        {"id": "tin/sai-chinh-ta", "title": "Cần bộ đang viên",
         "text": "Một câu viết sai: cần bộ đang viên đi họp.", "date": "2021-03-03",
         "source": NEWS, "url": "javascript:alert(1)"},
        {"id": "tin/xss", "title": f"{XSS} thử nghiệm bảo mật",
         "text": f"Nội dung có {XSS} nhưng phải hiện ra an toàn.", "date": "2020-02-02",
         "source": NEWS, "url": ""},
        {"id": SPECIAL_ID, "title": "Mã có ký tự đặc biệt",
         "text": "Văn bản kiểm tra đường dẫn kỳ lạ.", "date": "2019-07-08", "source": NEWS,
         "url": ""},
    ]
    subjects = ["cơ quan nhà nước", "doanh nghiệp", "người lao động", "công dân",
                "ủy ban nhân dân", "hộ gia đình"]
    laws = [
        {"id": f"luat/dieu-{n}", "title": f"Điều {n}. Trách nhiệm của {subjects[n % 6]}",
         "text": f"{subjects[n % 6].capitalize()} có trách nhiệm thi hành Điều {n}. Người vi "
                 f"phạm phải chịu trách nhiệm hình sự hoặc trách nhiệm bồi thường theo quy "
                 f"định của pháp luật về thuế năm {2010 + n % 10}.",
         "date": f"{2010 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}", "source": LAWS,
         "url": f"https://example.vn/luat/{n}"}
        for n in range(1, 31)
    ]
    return {"tin/tin.jsonl": news, "luat/luat.jsonl": laws}


class LiveServer:
    """waitress serving ``app`` from a background thread, stopped cleanly."""

    def __init__(self, app):
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=4,
                                    ident="vnsearch-test")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        from waitress import wasyncore

        server = self.server
        # Close every socket from inside the loop thread; the loop ends when none is left.
        # Once in four CI runs the trigger's pipe was already closed (EBADF on the write,
        # after every request of test_reindex_while_serving_fails_no_request had
        # succeeded; cause not found): the loop then fails on its next select and ends.
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:
            wasyncore.close_all(server._map)
        self.thread.join(timeout=10)
        server.task_dispatcher.shutdown(timeout=5)
        assert not self.thread.is_alive(), "waitress did not stop"
