"""Typed dependencies of the routes: settings, store session, analysis policy and uploads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request, UploadFile
from sqlalchemy.orm import Session

from survey.errors import LimitError
from survey.i18n import _
from survey.policy import Policy
from survey.settings import Settings
from survey.store import Store

# Bytes read from an uploaded file at a time.
READ_CHUNK_BYTES = 1024 * 1024
MEBIBYTE = 1024 * 1024


def get_settings(request: Request) -> Settings:
    """Return the settings the application was created with."""
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """Return the application's store, opened at startup."""
    return request.app.state.store


def get_session(store: Annotated[Store, Depends(get_store)]) -> Iterator[Session]:
    """Yield a session that is committed when the route succeeds and rolled back otherwise."""
    with store.session() as session:
        yield session


def get_policy(request: Request) -> Policy:
    """Return the analysis policy read when the application was created."""
    return request.app.state.policy


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function" ends the session (commit or rollback) before the response is sent, so a
# client never receives a success for work whose commit then fails.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PolicyDep = Annotated[Policy, Depends(get_policy)]
# Surveys an analysis is limited to, such as the one after an indoor antenna system.
SurveysQuery = Annotated[
    list[str] | None,
    Query(alias="survey", description="Analyze only these surveys (name or id, repeatable); default: every survey of the site."),
]


def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """Read an uploaded file, raising LimitError as soon as it exceeds ``max_bytes``.

    At most ``max_bytes + 1`` bytes are read, however large the file is.
    NOTE: Starlette has already spooled the multipart body to a temporary file by then; the
    ``Content-Length`` guard of ``api.middleware`` is what bounds the bytes received.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = upload.file.read(min(READ_CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)

    if size > max_bytes:
        raise too_large_error(upload.filename or "upload", max_bytes)
    return b"".join(chunks)


def too_large_error(name: str, max_bytes: int) -> LimitError:
    """Build the error of an upload over the configured size limit."""
    message = _("{file}: the upload is larger than the {limit:.1f} MB limit").format(
        file=name, limit=max_bytes / MEBIBYTE
    )
    detail = {"file": name, "max_bytes": max_bytes}
    return LimitError(message, detail=detail)


def blank_to_none(value: str | None) -> str | None:
    """Return None for a missing or blank form field (HTML forms send ""), else the stripped text."""
    if value is None or not value.strip():
        return None
    return value.strip()
