"""``create_app(settings)``: builds the database, the services, the middleware and the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from imgwired import __version__, paths
from imgwired.config import Settings
from imgwired.container import Services
from imgwired.db import migrate
from imgwired.db.engine import Database
from imgwired.metrics.service import METRICS_FLUSH_SECONDS
from imgwired.web import dashboard
from imgwired.web.access_log import AccessLogMiddleware
from imgwired.web.cdn_host import CdnHostMiddleware, configured_cdn_host, custom_domain_resolver
from imgwired.web.cors import CorsMiddleware
from imgwired.web.dashboard.headers import DashboardHeadersMiddleware, content_security_policy
from imgwired.web.error_responses import BOUNDARY_ERRORS, add_error_components, error_responses
from imgwired.web.errors import install_error_handlers
from imgwired.web.header_case import CanonicalHeaderCaseMiddleware
from imgwired.web.middleware import (
    ErrorBoundaryMiddleware,
    RequestIdMiddleware,
    RequestLimitsMiddleware,
    Utf8JsonMiddleware,
)
from imgwired.web.rate_limits import RateLimitHeadersMiddleware
from imgwired.web.routes import (
    api_docs,
    api_keys,
    cdn,
    cors_origins,
    cors_policy,
    custom_domain,
    downloads,
    environments,
    health,
    images,
    metrics,
    operator,
    rate_limits,
    sdk,
    tls,
    upload,
)

API_DESCRIPTION = (
    "A self-hostable implementation of the Imgwire Resource API. Authenticate with "
    "`Authorization: Bearer <key>`; admin-token callers name the environment with "
    "`X-Environment-Id`."
)

# Upload URLs stream raw bytes of any size; they enforce their own limits and are never JSON.
STREAMING_PREFIXES = (paths.UPLOAD_PREFIX,)


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
        await run_in_threadpool(services.custom_domains.connected.refresh)
        # Other processes' changes from now on; what changed before is re-read on subscribing.
        services.bus.start()
        services.delivery.start()
        if settings.run_jobs_in_process:
            services.jobs.start()
        try:
            async with anyio.create_task_group() as background:
                # CORS changes and refusals of other processes, connected domains, and this
                # process's delivery counts. With Redis the bus brings changes at once; the
                # polls stay as the safety net.
                cors = services.cors_runtime
                background.start_soon(
                    _every, settings.cors_poll_seconds, "cors", cors.poll, cors.flush_rejections
                )
                domains = services.custom_domains.connected
                background.start_soon(
                    _every, settings.custom_domain_poll_seconds, "custom_domains", domains.refresh
                )
                background.start_soon(
                    _every, METRICS_FLUSH_SECONDS, "metrics", services.metrics.flush
                )
                try:
                    yield
                finally:
                    background.cancel_scope.cancel()
        finally:
            await services.delivery.close()
            await run_in_threadpool(services.bus.close)
            await run_in_threadpool(services.jobs.stop)
            await run_in_threadpool(services.cors_runtime.flush_rejections)
            await run_in_threadpool(services.metrics.flush)
            services.rate_limits.close()
            database.dispose()

    app = FastAPI(
        title="imgwired",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's pages load their scripts from a CDN; routes/api_docs.py serves them from here.
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    routers = (
        health,
        environments,
        api_keys,
        cors_origins,
        cors_policy,
        rate_limits,
        images,
        upload,
        downloads,
        cdn,
        metrics,
        custom_domain,
        tls,
        operator,
        sdk,
        api_docs,
    )
    for module in routers:
        app.include_router(module.router, responses=error_responses(*BOUNDARY_ERRORS))
    dashboard.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_error_components(FastAPI.openapi(app))
        return app.openapi_schema or {}

    # FastAPI's documented way to extend its generated document: replace the method.
    app.openapi = openapi  # type: ignore[method-assign]
    # Added innermost first: Starlette wraps each new middleware around the previous ones.
    app.add_middleware(Utf8JsonMiddleware, streaming_prefixes=STREAMING_PREFIXES)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_header_bytes=settings.max_header_bytes,
        max_total_header_bytes=settings.max_total_header_bytes,
        max_body_bytes=settings.max_json_body_bytes,
        streaming_prefixes=STREAMING_PREFIXES,
    )
    app.add_middleware(ErrorBoundaryMiddleware)
    app.add_middleware(CorsMiddleware, runtime=services.cors_runtime, locator=services.locator)
    # Inside the delivery-host rewrite, so the route that answered is in its scope.
    served = [*app.routes, *(route for module in routers for route in module.router.routes)]
    app.add_middleware(AccessLogMiddleware, routes=served)
    app.add_middleware(RequestIdMiddleware)
    policy = content_security_policy(settings.base_url, settings.cdn_base)
    app.add_middleware(DashboardHeadersMiddleware, policy=policy)
    cdn_host = configured_cdn_host(settings.cdn_base_url, settings.base_url)
    resolvers = [cdn_host] if cdn_host else []
    resolvers.append(custom_domain_resolver(services.custom_domains.connected))
    app.add_middleware(CdnHostMiddleware, resolvers=resolvers)
    # Outermost, so every header any layer adds goes out in its canonical case.
    app.add_middleware(CanonicalHeaderCaseMiddleware)
    return app


async def _every(interval: float, area: str, *tasks: Callable[[], object]) -> None:
    """Run ``tasks`` in the thread pool every ``interval`` seconds until cancelled; a failure
    is logged and the loop goes on (a database hiccup must not stop it).

    Not ``JobRunner.every``: these keep this process's in-memory state fresh, so they run in
    every API process, whether or not it runs jobs.
    """
    log = logging.getLogger(f"imgwired.{area}")
    while True:
        await anyio.sleep(interval)
        for task in tasks:
            try:
                await run_in_threadpool(task)
            except Exception:  # what was kept in memory is stored or fetched next round
                log.exception("periodic %s task failed", area)
