"""The web dashboard at ``/dashboard``: server-rendered pages (Jinja2 templates) with small ES
modules of our own, signed in with the admin token or a server key (docs/dashboard.md).

``install(app, settings)`` adds the routes, the static files, the templates and the HTML error
pages; ``create_app`` calls it and adds ``DashboardHeadersMiddleware`` with the policy of
``content_security_policy``.

The routers are included in order: sign-in first, then the pages that have modules of their
own, then the generic route, which renders the pages that are a template alone.
"""

from __future__ import annotations

import jinja2
from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from imgwired.web.dashboard import (
    api_keys,
    cors,
    custom_domain,
    images,
    metrics,
    pages,
    playground,
    sign_in,
)
from imgwired.web.dashboard.headers import STATIC_PREFIX
from imgwired.web.dashboard.views import (
    PageError,
    SignInRequired,
    page_error_response,
    sign_in_redirect,
)

router = APIRouter(include_in_schema=False)
router.include_router(sign_in.router)
# Pages with modules of their own go here, before the generic route.
router.include_router(images.router)
router.include_router(playground.router)
router.include_router(cors.router)
router.include_router(api_keys.router)
router.include_router(custom_domain.router)
router.include_router(metrics.router)
router.include_router(pages.router)


def templates() -> jinja2.Environment:
    """The dashboard's templates, autoescaped; a variable a template names but is not given is
    an error, not an empty string."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("imgwired.web.dashboard", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def install(app: FastAPI) -> None:
    app.state.dashboard_templates = templates()
    app.include_router(router)
    static = StaticFiles(packages=[("imgwired.web.dashboard", "static")])
    app.mount(STATIC_PREFIX.rstrip("/"), static, name="dashboard-static")

    async def on_page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return page_error_response(request, exc)

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        return sign_in_redirect()

    app.add_exception_handler(PageError, on_page_error)
    app.add_exception_handler(SignInRequired, on_sign_in_required)
