"""Errors as RFC 9457 `application/problem+json`, each with a stable `code`.

Body: `{"type": "urn:analogmap:problem:<code>", "title", "status", "detail", "code", "errors"?}`;
validation errors list every offending field in `errors` as `{"field": "query.limit", "message"}`.

Codes (stable; clients may switch on them):

=====================  ======  ==========================================================
code                   status  when
=====================  ======  ==========================================================
validation-error       422     a parameter or body field is invalid (`errors` names it)
unreadable-document    422     the uploaded text / HTML / XML cannot be read as a law
invalid-cursor         422     a pagination cursor this API did not hand out
unauthorized           401     a write without a valid bearer token
not-found              404     unknown provision, document, technology or route
conflict               409     store=true with the id of a document that is not the caller's draft
method-not-allowed     405     wrong HTTP method
payload-too-large      413     request body over `max_upload_bytes`
unsupported-media-type 415     body is neither JSON nor multipart/form-data
timeout                503     the check took longer than `check_timeout_s`
store-unavailable      503     the graph store cannot be reached
internal-error         500     a bug; the detail is logged, not returned
=====================  ======  ==========================================================
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("analogmap.api")

TITLES = {
    "validation-error": "入力が正しくありません (validation error)",
    "unreadable-document": "文書を読み取れません (unreadable document)",
    "invalid-cursor": "ページ位置が不正です (invalid cursor)",
    "unauthorized": "認証が必要です (unauthorized)",
    "not-found": "見つかりません (not found)",
    "method-not-allowed": "このメソッドは使えません (method not allowed)",
    "conflict": "既存の文書と衝突します (conflict)",
    "payload-too-large": "データが大きすぎます (payload too large)",
    "unsupported-media-type": "この形式は受け付けません (unsupported media type)",
    "timeout": "処理が時間内に終わりませんでした (timeout)",
    "store-unavailable": "データベースに接続できません (store unavailable)",
    "internal-error": "内部エラー (internal error)",
}
_STATUS_CODES = {400: "validation-error", 401: "unauthorized", 404: "not-found", 405: "method-not-allowed", 409: "conflict",
                 413: "payload-too-large", 415: "unsupported-media-type", 422: "validation-error",
                 503: "store-unavailable"}


class FieldError(BaseModel):
    field: str
    message: str


class ProblemModel(BaseModel):
    """The problem body (for the OpenAPI document)."""

    type: str
    title: str
    status: int
    detail: str = ""
    code: str
    errors: list[FieldError] | None = None


class Problem(Exception):
    """Raise to answer with a problem body."""

    def __init__(self, status: int, code: str, detail: str = "", errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers


def problem_response(status: int, code: str, detail: str = "", errors: list[dict[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"urn:analogmap:problem:{code}", "title": TITLES.get(code, code),
                            "status": status, "detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "body"


async def _problem_handler(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(exc.status, exc.code, exc.detail, exc.errors, exc.headers)


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(422, "validation-error", detail, errors)


async def _http_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI: "There was an error parsing the body" (e.g. not UTF-8)
        return problem_response(422, "validation-error", str(exc.detail), [{"field": "body", "message": str(exc.detail)}])
    code = _STATUS_CODES.get(exc.status_code, "validation-error" if exc.status_code < 500 else "internal-error")
    detail = exc.detail if isinstance(exc.detail, str) else ""
    return problem_response(exc.status_code, code, detail, headers=getattr(exc, "headers", None))


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "internal-error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _problem_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled_handler)


#: `responses=` for routes: the problems they can answer with, documented in OpenAPI.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ProblemModel, "content": {PROBLEM_MEDIA_TYPE: {}},
                     "description": TITLES.get(_STATUS_CODES.get(status, ""), "problem")} for status in statuses}


__all__ = ["Problem", "ProblemModel", "FieldError", "PROBLEM_MEDIA_TYPE", "install", "problem_response",
           "problem_responses"]
