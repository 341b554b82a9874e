"""The one error table and the one JSON error shape of the HTTP API.

Every error reaches the client as ``{"error": {"code", "message", "detail"}}``: domain errors
(``survey.errors``), request validation errors, unknown routes and unexpected exceptions. The
message is translated into the request's language; a traceback never leaves the server.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from survey.errors import (
    ConflictError,
    FormatError,
    InputError,
    LimitError,
    NotFoundError,
    PolicyError,
    ZoneblancheError,
)
from survey.i18n import _

logger = logging.getLogger(__name__)


class NotImplementedFeatureError(ZoneblancheError):
    """A feature of the API contract whose implementation is not written yet."""

    code = "not_implemented"


# Error class -> HTTP status. The most specific class listed wins (see ``status_for``).
ERROR_STATUS: dict[type[ZoneblancheError], int] = {
    InputError: 422,
    FormatError: 422,
    PolicyError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    LimitError: 413,
    NotImplementedFeatureError: 501,
    ZoneblancheError: 400,
}

# Codes of errors that do not come from ``survey.errors``.
VALIDATION_ERROR = "validation_error"
INTERNAL_ERROR = "internal_error"
HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def status_for(error: ZoneblancheError) -> int:
    """Return the HTTP status of a domain error, following its class hierarchy."""
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 400


def error_response(status: int, code: str, message: str, detail: dict | None = None) -> JSONResponse:
    """Build the JSON error response shared by every error."""
    body = {"error": {"code": code, "message": message, "detail": detail or {}}}
    return JSONResponse(body, status_code=status)


def internal_error_response() -> JSONResponse:
    """Build the 500 response, whose message reveals nothing about the failure itself."""
    message = _("internal server error; the failure was logged on the server")
    return error_response(500, INTERNAL_ERROR, message)


async def _domain_error(request: Request, error: ZoneblancheError) -> JSONResponse:
    status = status_for(error)
    logger.info("%s %s failed with %s: %s", request.method, request.url.path, error.code, error.message)

    return error_response(status, error.code, error.message, error.detail)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    problems = [_validation_problem(item) for item in error.errors()]
    fields = ", ".join(problem["field"] for problem in problems)
    message = _("invalid request: check the fields {fields}").format(fields=fields)

    return error_response(422, VALIDATION_ERROR, message, {"errors": problems})


def _validation_problem(item: dict) -> dict:
    """Keep the JSON-safe parts of one pydantic error (its ``ctx`` may hold exceptions)."""
    location = [str(part) for part in item.get("loc", ())]
    return {
        "field": ".".join(location[1:]) or ".".join(location),
        "location": location[0] if location else None,
        "type": item.get("type"),
        "reason": item.get("msg"),
    }


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = HTTP_ERROR_CODES.get(error.status_code, "http_error")
    if error.status_code == 404:
        message = _("no page or API route at {path}").format(path=request.url.path)
    elif error.status_code == 405:
        message = _("the method {method} is not allowed on {path}").format(
            method=request.method, path=request.url.path
        )
    else:
        message = _("the request failed with HTTP status {status}").format(status=error.status_code)

    return error_response(error.status_code, code, message)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every handled error into the JSON error shape."""
    app.add_exception_handler(ZoneblancheError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
