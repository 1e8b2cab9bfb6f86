"""``create_app(settings)``: builds the database, the services, the middleware and the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from imgwired import __version__
from imgwired.config import Settings
from imgwired.db import migrate
from imgwired.db.engine import Database
from imgwired.services.container import Services
from imgwired.web.cors import CorsMiddleware
from imgwired.web.errors import install_error_handlers
from imgwired.web.middleware import ErrorBoundaryMiddleware, RequestIdMiddleware
from imgwired.web.routes import (
    api_keys,
    cors_origins,
    cors_policy,
    downloads,
    environments,
    health,
    images,
    upload,
)

API_DESCRIPTION = (
    "A self-hostable implementation of the Imgwire Resource API. Authenticate with "
    "`Authorization: Bearer <key>`; admin-token callers name the environment with "
    "`X-Environment-Id`."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """An imgwired ASGI app; migrations run when it starts, not when it is built."""
    settings = settings or Settings()
    database = Database(settings.resolved_database_url)
    services = Services.build(settings, database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await run_in_threadpool(migrate.upgrade, database)
        await run_in_threadpool(services.cors_runtime.load_all)
        if settings.run_jobs_in_process:
            services.jobs.start()
        try:
            async with anyio.create_task_group() as background:
                background.start_soon(_keep_cors_fresh, services, settings.cors_poll_seconds)
                try:
                    yield
                finally:
                    background.cancel_scope.cancel()
        finally:
            await run_in_threadpool(services.jobs.stop)
            await run_in_threadpool(services.cors_runtime.flush_rejections)
            database.dispose()

    app = FastAPI(
        title="imgwired",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    routers = (health, environments, api_keys, cors_origins, cors_policy, images, upload, downloads)
    for module in routers:
        app.include_router(module.router)
    # Added innermost first: Starlette wraps each new middleware around the previous ones.
    app.add_middleware(
        ErrorBoundaryMiddleware,
        max_header_bytes=settings.max_header_bytes,
        max_total_header_bytes=settings.max_total_header_bytes,
        max_body_bytes=settings.max_json_body_bytes,
        streaming_prefixes=("/upload/",),
    )
    app.add_middleware(CorsMiddleware, runtime=services.cors_runtime)
    app.add_middleware(RequestIdMiddleware)
    return app


async def _keep_cors_fresh(services: Services, interval: float) -> None:
    """Pick up CORS changes made by other processes, and store counted refusals."""
    log = logging.getLogger("imgwired.cors")
    while True:
        await anyio.sleep(interval)
        try:
            await run_in_threadpool(services.cors_runtime.poll)
            await run_in_threadpool(services.cors_runtime.flush_rejections)
        except Exception:  # a database hiccup must not stop the loop
            log.exception("refreshing the CORS configuration failed")
