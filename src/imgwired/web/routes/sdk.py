"""``GET|HEAD /sdk/imgwire.js``: the browser SDK, served so a page can import it from its server.

Public like the CDN (``Access-Control-Allow-Origin: *``, added by the CORS layer): a module
script from another origin is fetched in CORS mode, and the file holds no secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from fastapi import APIRouter, Request
from starlette.responses import Response

from imgwired.paths import SDK_ROUTE
from imgwired.web.conditional import is_not_modified

router = APIRouter()

MEDIA_TYPE = "text/javascript; charset=utf-8"
# Short, then revalidated by ETag: the module changes when the server is upgraded, and a page
# should not keep an old one for long.
CACHE_CONTROL = "public, max-age=300, must-revalidate"


@dataclass(frozen=True, slots=True)
class _Module:
    body: bytes
    etag: str


@cache
def _module() -> _Module:
    """The SDK's bytes and ETag, read once from the installed package on first use."""
    body = resources.files("imgwired").joinpath("sdk_js", "imgwire.js").read_bytes()
    return _Module(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


async def serve_sdk(request: Request) -> Response:
    module = _module()
    headers = {"ETag": module.etag, "Cache-Control": CACHE_CONTROL}
    if is_not_modified(request.headers.get("if-none-match"), module.etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(module.body))
        return Response(media_type=MEDIA_TYPE, headers=headers)
    return Response(module.body, media_type=MEDIA_TYPE, headers=headers)


router.add_route(SDK_ROUTE, serve_sdk, methods=["GET", "HEAD"], name="sdk", include_in_schema=False)
