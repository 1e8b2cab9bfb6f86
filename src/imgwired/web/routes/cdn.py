"""``GET|HEAD /cdn/{organization_id}/{environment_id}/{image_id}[@preset]``: image delivery.

Public: no key, ``Access-Control-Allow-Origin: *`` (added by the CORS layer). Transformations
come as query parameters; see docs/transformations.md. A request that must render counts
against its client address's render limit; anything already stored is served unlimited.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive

from imgwired.container import Services
from imgwired.delivery.service import CdnAddress, Delivery
from imgwired.errors import ImageNotFoundError
from imgwired.ids import canonical_id
from imgwired.paths import CDN_ROUTE
from imgwired.web.conditional import is_not_modified
from imgwired.web.rate_limits import client_of, remember

router = APIRouter()

CACHE_CONTROL = "public, max-age=31536000, immutable"


async def deliver(request: Request) -> Response:
    """A plain Starlette endpoint: the hottest path of the server skips FastAPI's parameter and
    dependency machinery, which would cost more than serving a cached rendition does."""
    services: Services = request.app.state.services
    params = request.path_params
    address = _address(params["organization_id"], params["environment_id"], params["image_ref"])
    head = request.method == "HEAD"
    resolved = await services.delivery.resolve(
        address, request.query_params.multi_items(), accept=request.headers.get("accept")
    )
    headers = _headers(resolved.etag, resolved.vary_accept)
    if is_not_modified(request.headers.get("if-none-match"), resolved.etag):
        # The client's copy is current: no blob read, no render.
        services.usage.record_delivery(
            resolved.environment_id, bytes_sent=0, cache_hit=True, transformed=False
        )
        return Response(status_code=304, headers=headers)
    if resolved.renders:
        # Only a first hit costs a render; what is stored or cached is served unlimited.
        client = client_of(request.scope, services.rate_limits)
        limits = services.rate_limits
        admission = await run_in_threadpool(limits.admit_render, resolved.environment_id, client)
        remember(request.scope, [admission])
    delivery = await resolved.fetch(
        body=not head, client_gone=partial(_until_disconnected, request.receive)
    )
    response = _response(delivery, headers, head)
    sent = 0 if head else delivery.size
    services.usage.record_delivery(
        delivery.environment_id,
        bytes_sent=sent,
        cache_hit=delivery.cache_hit,
        transformed=delivery.transformed,
    )
    return response


router.add_route(
    CDN_ROUTE,
    deliver,
    methods=["GET", "HEAD"],
    name="cdn_deliver",
    include_in_schema=False,
)


async def _until_disconnected(receive: Receive) -> None:
    """Return once the client has closed the connection (a GET's empty body is skipped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _address(organization_id: str, environment_id: str, image_ref: str) -> CdnAddress:
    """The address a CDN path names; only the canonical spelling of each id names one, so an
    edge cache holds one entry per image rather than one per spelling."""
    image_text, at, preset = image_ref.partition("@")
    organization = canonical_id(organization_id)
    environment = canonical_id(environment_id)
    image = canonical_id(image_text)
    if organization is None or environment is None or image is None:
        raise ImageNotFoundError(
            f"No image is delivered at {image_ref[:80]!r}; ids are written in lower case, "
            "with hyphens"
        )
    return CdnAddress(organization, environment, image, preset if at else None)


def _headers(etag: str, vary_accept: bool) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
    if vary_accept:
        headers["Vary"] = "Accept"
    return headers


def _response(delivery: Delivery, headers: dict[str, str], head: bool) -> Response:
    headers["Content-Length"] = str(delivery.size)
    if delivery.chunks is not None:
        return StreamingResponse(
            iterate_in_threadpool(delivery.chunks),
            media_type=delivery.content_type,
            headers=headers,
        )
    # HEAD: the headers of the GET, no body (Content-Length says what the GET would send).
    body = b"" if head else (delivery.body or b"")
    response = Response(body, media_type=delivery.content_type, headers=headers)
    response.headers["Content-Length"] = str(delivery.size)
    return response
