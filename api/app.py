"""The FastAPI application: ``create_app`` builds it; ``zoneblanche serve`` runs it with uvicorn.

The API lives under ``/api/v1`` with its OpenAPI description at ``/openapi.json`` and
``/docs``; the server-rendered web pages live at ``/``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import make_url
from swagger_ui_bundle import swagger_ui_path

import survey
from api.errors import install_error_handlers
from api.middleware import RequestContextMiddleware
from api.pages import create_templates
from api.routes import analysis_tools, health, levels, pages, plans, reports, sites, surveys
from survey.policy import load_policy
from survey.settings import Settings
from survey.store import Store

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store once per application, and close it on shutdown."""
    settings: Settings = app.state.settings
    app.state.store = Store(settings.database_url)
    logger.info("store opened at %s", make_url(settings.database_url).render_as_string(hide_password=True))
    try:
        yield
    finally:
        app.state.store.dispose()
        logger.info("store closed")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the store opens when the application starts.

    The policy file named by the settings is read here, so an invalid one raises PolicyError
    before the server starts rather than failing every analysis request.
    """
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    app = FastAPI(
        title="zoneblanche",
        summary="Indoor mobile coverage surveys of hospitals: per-room voice verdicts, analog lines to keep.",
        version=survey.__version__,
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.policy = policy
    app.state.templates = create_templates()

    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        fallback_language=settings.lang,
        max_upload_bytes=settings.max_upload_bytes,
    )
    for module in (health, sites, levels, plans, surveys, reports, analysis_tools):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(pages.router)
    _mount_offline_docs(app)
    return app


def _mount_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` from the files of the swagger-ui-bundle package, not a CDN."""
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="zoneblanche API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )
