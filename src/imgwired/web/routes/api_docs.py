"""``GET /docs`` (Swagger UI) and ``GET /redoc`` (ReDoc), with every asset served from here.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from Google), so
they are blank on a machine without internet and tell a third party who reads the docs. These
pages load the bundles the ``fastapi-offline`` package ships, under ``/docs/assets/``: the pages
make no request that leaves the origin, and their Content-Security-Policy says so to the browser.

The pages hold no inline script: each loads its bundle, then a small start script of ours that
reads the OpenAPI document's URL from a ``data-`` attribute, so the policy needs no
``'unsafe-inline'`` for scripts. Styles do: both bundles set styles at run time.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from imgwired.web.conditional import is_not_modified

router = APIRouter()

SWAGGER_UI_ROUTE = "/docs"
REDOC_ROUTE = "/redoc"
ASSETS_PREFIX = "/docs/assets/"

# The PyPI package whose ``static/`` folder holds the Swagger UI and ReDoc bundles.
_BUNDLES_PACKAGE = "fastapi_offline"
_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
# Short, then revalidated by ETag: the bundles change when the server is upgraded.
_CACHE_CONTROL = "public, max-age=300, must-revalidate"

# Everything from this origin; data: images are Swagger UI's icons, blob: workers ReDoc's search.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)

_SWAGGER_START = """\
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // The validator badge would send the document to validator.swagger.io.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""

_REDOC_START = """\
const root = document.getElementById("redoc");
// The system's fonts: ReDoc's default (Roboto, Montserrat) would have to come from elsewhere.
const fonts = "system-ui, -apple-system, 'Segoe UI', sans-serif";
Redoc.init(root.dataset.openapiUrl, {
  theme: {typography: {fontFamily: fonts, headings: {fontFamily: fonts}}},
}, root);
"""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
{head}</head>
<body>
<div id="{root_id}" data-openapi-url="{openapi_url}"></div>
<script src="{assets}{bundle}"></script>
<script src="{assets}{start}"></script>
</body>
</html>
"""


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    media_type: str
    etag: str


def _bundled(name: str) -> bytes:
    return resources.files(_BUNDLES_PACKAGE).joinpath("static", name).read_bytes()


# ReDoc's "API docs by Redocly" link shows a logo from redoc.ly, and no option turns it off; an
# empty data: URL fails to load, and ReDoc then leaves the logo out.
_REDOC_REMOTE_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'


def _redoc_bundle() -> bytes:
    return _bundled("redoc.standalone.js").replace(_REDOC_REMOTE_LOGO, b'"data:,"')


# name under /docs/assets/ -> (its bytes, when first asked for; its media type)
_SOURCES: dict[str, tuple[Callable[[], bytes], str]] = {
    "swagger-ui-bundle.js": (partial(_bundled, "swagger-ui-bundle.js"), _JS),
    "swagger-ui.css": (partial(_bundled, "swagger-ui.css"), _CSS),
    "redoc.standalone.js": (_redoc_bundle, _JS),
    "swagger-start.js": (_SWAGGER_START.encode, _JS),
    "redoc-start.js": (_REDOC_START.encode, _JS),
}


@cache
def _asset(name: str) -> _Asset:
    """One asset's bytes and ETag, read once, on first use (nothing is read at import)."""
    read, media_type = _SOURCES[name]
    body = read()
    return _Asset(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


async def serve_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _SOURCES:
        raise HTTPException(404)
    asset = _asset(name)
    headers = {"ETag": asset.etag, "Cache-Control": _CACHE_CONTROL}
    if is_not_modified(request.headers.get("if-none-match"), asset.etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(asset.body))
        return Response(media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def _page(
    request: Request,
    *,
    title: str,
    root_id: str,
    bundle: str,
    start: str,
    stylesheet: str | None = None,
) -> Response:
    """The page that loads ``bundle`` then ``start`` into ``<div id=root_id>``."""
    root = request.scope.get("root_path", "")
    head = ""
    if stylesheet is not None:
        head = f'<link rel="stylesheet" href="{html.escape(root + ASSETS_PREFIX)}{stylesheet}">\n'
    body = _PAGE.format(
        title=html.escape(f"{request.app.title} - {title}"),
        head=head,
        root_id=root_id,
        openapi_url=html.escape(f"{root}{request.app.openapi_url}"),
        assets=html.escape(root + ASSETS_PREFIX),
        bundle=bundle,
        start=start,
    )
    return HTMLResponse(body, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


async def swagger_ui(request: Request) -> Response:
    return _page(
        request,
        title="Swagger UI",
        root_id="swagger-ui",
        bundle="swagger-ui-bundle.js",
        start="swagger-start.js",
        stylesheet="swagger-ui.css",
    )


async def redoc(request: Request) -> Response:
    return _page(
        request,
        title="ReDoc",
        root_id="redoc",
        bundle="redoc.standalone.js",
        start="redoc-start.js",
    )


_READ = ["GET", "HEAD"]
router.add_route(SWAGGER_UI_ROUTE, swagger_ui, methods=_READ, include_in_schema=False)
router.add_route(REDOC_ROUTE, redoc, methods=_READ, include_in_schema=False)
router.add_route(ASSETS_PREFIX + "{name}", serve_asset, methods=_READ, include_in_schema=False)
