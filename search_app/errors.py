"""Every error, one way: ``{"error": {"code", "message"}}`` for JSON routes, a friendly
Vietnamese page for HTML. A 500 never shows a traceback (Flask logs it)."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

import indexer

from .params import ParamError

JSON_PREFIXES = ("/api/", "/healthz")

TITLES = {
    400: "Yêu cầu không hợp lệ",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    500: "Lỗi máy chủ",
    503: "Dịch vụ tạm thời chưa sẵn sàng",
}
MESSAGES = {
    400: "Yêu cầu có tham số không hợp lệ.",
    404: "Trang bạn tìm không tồn tại. Hãy kiểm tra lại đường dẫn hoặc tìm kiếm từ đầu.",
    405: "Địa chỉ này không nhận phương thức HTTP đó.",
    500: "Đã có lỗi bất ngờ phía máy chủ. Xin thử lại sau ít phút.",
    503: "Máy chủ chưa sẵn sàng phục vụ tìm kiếm. Xin thử lại sau.",
}
NO_INDEX = "Chưa có chỉ mục: hãy chạy `vnsearch reindex`"
DAMAGED = ("Không đọc được chỉ mục, có thể nó đã bị hỏng: hãy chạy `vnsearch reindex --full`"
           " để xây lại")


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def error_response(code: int, message: str, headers: dict | None = None, hint: str = ""):
    """The one error shape (JSON) or the error page (HTML)."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
    else:
        body = render_template("error.html", code=code, title=TITLES.get(code, "Lỗi"),
                               message=message, hint=hint, q=request.args.get("q", ""))
    return body, code, headers or {}


def handle_http(exc: HTTPException):
    code = exc.code or 500
    custom = exc.description and exc.description != type(exc).description
    if code >= 500 or not custom:
        message = MESSAGES.get(code, exc.name)
    else:
        message = exc.description
    headers = {}
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(code, message, headers)


def handle_param(exc: ParamError):
    return error_response(400, str(exc))


OUTDATED = ("Chỉ mục được xây bởi một phiên bản khác: hãy chạy `vnsearch reindex --full`"
            " để xây lại")


def handle_index_missing(exc: indexer.IndexMissingError):
    """Vietnamese only: the library's English message stays in the server log."""
    if isinstance(exc, indexer.IndexOutdatedError):
        return error_response(503, OUTDATED,
                              hint="Người quản trị cần xây lại chỉ mục rồi tải lại trang này.")
    if isinstance(exc, indexer.IndexDamagedError):  # found while reading (a search...)
        return error_response(503, f"{MESSAGES[503]} ({DAMAGED})",
                              hint="Người quản trị cần xây lại chỉ mục rồi tải lại trang này.")
    return error_response(503, NO_INDEX,
                          hint="Người quản trị cần xây chỉ mục rồi tải lại trang này.")


def handle_library(exc: indexer.VnsearchError):
    return error_response(503, MESSAGES[503])


def handle_500(exc: InternalServerError):
    return error_response(500, MESSAGES[500])


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_500)
    app.register_error_handler(ParamError, handle_param)
    app.register_error_handler(indexer.IndexMissingError, handle_index_missing)
    app.register_error_handler(indexer.VnsearchError, handle_library)
