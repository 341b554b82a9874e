"""The per-request middleware: language, body size guard, access log and last-resort errors."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import MEBIBYTE
from api.errors import error_response, internal_error_response, status_for
from survey.errors import LimitError
from survey.i18n import (
    DEFAULT_LANGUAGE,
    _,
    current_language,
    language_from_header,
    normalize_language,
    reset_language,
    set_language,
)

logger = logging.getLogger(__name__)

# Multipart boundaries, headers and form fields around the uploaded files, in bytes.
FORM_OVERHEAD_BYTES = 64 * 1024
# An upload request carries up to three files: the log, a track and room visits.
FILES_PER_REQUEST = 3


def request_language(request: Request, fallback: str | None) -> str:
    """Return the language of a request: ``?lang=``, ``Accept-Language``, ``fallback``, else French."""
    return (
        normalize_language(request.query_params.get("lang"))
        or language_from_header(request.headers.get("accept-language"))
        or normalize_language(fallback)
        or DEFAULT_LANGUAGE
    )


@dataclass
class ResponseState:
    """The status of the response sent for a request, once its start message has gone out."""

    status: int = 500
    started: bool = False


class RequestContextMiddleware:
    """Set the language of each request, reject oversized bodies and log one line per request.

    ``fallback_language`` is the configured language (``ZONEBLANCHE_LANG``). Bodies whose
    ``Content-Length`` exceeds ``max_body_bytes`` are rejected before any byte is read. A body
    without ``Content-Length`` is not counted here, but each uploaded file is still limited
    while it is read (``api.deps.read_upload``).
    """

    def __init__(self, app: ASGIApp, *, fallback_language: str | None, max_upload_bytes: int) -> None:
        self.app = app
        self.fallback_language = fallback_language
        self.max_upload_bytes = max_upload_bytes
        self.max_body_bytes = FILES_PER_REQUEST * max_upload_bytes + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        token = set_language(request_language(request, self.fallback_language))
        state = ResponseState()
        started = time.perf_counter()

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.status = message["status"]
                state.started = True
                MutableHeaders(scope=message).append("Content-Language", current_language())
            await send(message)

        try:
            await self._respond(request, receive, send_with_language, state)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.info("%s %s %s %.1f ms", request.method, request.url.path, state.status, elapsed_ms)
            reset_language(token)

    async def _respond(self, request: Request, receive: Receive, send: Send, state: ResponseState) -> None:
        """Run the application, or send a 413 or 500 response in the JSON error shape."""
        scope = request.scope
        if self._declared_size(request) > self.max_body_bytes:
            error = self._body_too_large(request)
            response = error_response(status_for(error), error.code, error.message, error.detail)
            await response(scope, receive, send)
            return

        try:
            await self.app(scope, receive, send)
        except Exception:
            logger.exception("unexpected error on %s %s", request.method, request.url.path)
            if state.started:
                raise
            await internal_error_response()(scope, receive, send)

    def _body_too_large(self, request: Request) -> LimitError:
        message = _(
            "the request body is larger than {limit:.1f} MB; each file may be up to {file_limit:.1f} MB"
        ).format(limit=self.max_body_bytes / MEBIBYTE, file_limit=self.max_upload_bytes / MEBIBYTE)
        detail = {"content_length": self._declared_size(request), "max_bytes": self.max_body_bytes}
        return LimitError(message, detail=detail)

    @staticmethod
    def _declared_size(request: Request) -> int:
        length = request.headers.get("content-length", "")
        return int(length) if length.isdigit() else 0
