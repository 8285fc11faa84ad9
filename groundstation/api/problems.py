"""Errors as RFC 9457 problem details (``application/problem+json``) with a stable machine ``code``.

Every error leaves the API through here: our own errors (their ``code`` picks the status), FastAPI's
validation errors (422, naming the field), Starlette's routing errors (404, 405) and, as a last resort, any
bug (500 ``internal``, logged with its traceback). No other shape of error body exists, so a client needs one
parser for all of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from groundstation.domain.errors import ConflictError, ErrorCode, GroundstationError, InvalidError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:groundstation:problem:"

# "unsupported" (an adapter this build lacks) is the client's to fix by choosing another: 422, not 501,
# because no input may produce a 5xx. 503 and 504 remain for the server's own state (closing, timeouts).
STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.INVALID: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNSUPPORTED: 422,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.UNAVAILABLE: 503,
}

TITLES: dict[int, str] = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Unavailable",
    504: "Timeout",
}

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


MAX_DETAIL_CHARS = 1000
_LONG_NUMBER = re.compile(r"\d{25,}")


def clip(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """A message as sent: what a client sent is never echoed at any length. Runs of digits longer than 24
    (a JSON number of 300 digits) are shortened to their first digits and their length, the whole to
    ``limit`` characters."""
    text = _LONG_NUMBER.sub(lambda m: f"{m.group()[:12]}...({len(m.group())} digits)", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def problem_body(status: int, code: str, detail: str, instance: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": clip(detail),
    }
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, code, detail, instance, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def error_response(exc: GroundstationError, instance: str | None = None) -> JSONResponse:
    status = STATUS_BY_CODE.get(exc.code, 422)
    extra: dict[str, Any] = {}
    if isinstance(exc, ConflictError):
        extra["holder"] = exc.holder
    if isinstance(exc, InvalidError):
        extra["field"] = exc.field
    headers = {"WWW-Authenticate": 'Bearer realm="groundstation"'} if status == 401 else None
    return problem_response(status, exc.code.value, exc.message, instance, headers=headers, **extra)


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "connection", "url")`` -> ``connection.url``; the request part alone names the whole part."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _groundstation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GroundstationError)
    return error_response(exc, request.url.path)


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    if error.get("type") == "json_invalid":
        # FastAPI puts the character position where the field belongs: ("body", 8).
        loc = error.get("loc", ())
        at = next((p for p in loc if isinstance(p, int)), None)
        where = f" (at character {at})" if at is not None else ""
        return {"field": "body", "message": f"the request body is not valid JSON{where}"}
    return {"field": clip(_field_of(error.get("loc", ())), 200), "message": clip(str(error.get("msg", "invalid")))}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    detail = f"{first['field']}: {first['message']}"
    return problem_response(422, ErrorCode.INVALID.value, detail, request.url.path, field=first["field"], errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode (not UTF-8, nested too deep): the same 422 as any
        # other JSON it cannot read, so clients see one status for "your body is not valid JSON".
        detail = "body: the request body is not valid JSON"
        return problem_response(422, ErrorCode.INVALID.value, detail, request.url.path, field="body")
    code = _CODE_BY_STATUS.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "error")
    return problem_response(exc.status_code, code, detail, request.url.path, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("API request %s %s failed", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "internal", "an internal error occurred; it was logged", request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GroundstationError, _groundstation_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
