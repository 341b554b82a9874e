"""Health check: the version and whether the database is reachable."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import survey
from api.deps import get_store
from survey.store import Store

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/health")
def health(store: Annotated[Store, Depends(get_store)]) -> JSONResponse:
    """Report the service status, its version and whether the database is reachable (503 if not)."""
    try:
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        reachable = True
    except SQLAlchemyError as error:
        logger.warning("health check: database unreachable: %s", error)
        reachable = False

    body = {
        "status": "ok" if reachable else "unavailable",
        "version": survey.__version__,
        "database": reachable,
    }
    return JSONResponse(body, status_code=200 if reachable else 503)
