"""``PUT /upload/{environment_id}/{image_id}`` (ours): where an ``upload_url`` points.

The signature in the query is the credential: no API key is sent, so a browser can PUT the file
straight from a page (the CORS layer applies the image's environment's policy).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool

from imgwired.paths import UPLOAD_ROUTE
from imgwired.web.deps import ServicesDep
from imgwired.web.error_responses import error_responses
from imgwired.web.ids import EnvironmentIdPath, ImageIdPath
from imgwired.web.rate_limits import client_of, remember
from imgwired.web.schemas.images import ImageSchema

router = APIRouter(tags=["Uploads"])


@router.put(
    UPLOAD_ROUTE,
    operation_id="Uploads_put",
    summary="Upload an image's bytes to its signed upload URL (imgwired)",
    responses=error_responses(400, 403, 404, 429, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def put_upload(
    environment_id: EnvironmentIdPath,
    image_id: ImageIdPath,
    request: Request,
    services: ServicesDep,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
    content_length: Annotated[int | None, Header(ge=0)] = None,
) -> ImageSchema:
    # Counted per client address before a byte is read: the URL, not a key, is the credential.
    client = client_of(request.scope, services.rate_limits)
    admission = await run_in_threadpool(services.rate_limits.admit_client, environment_id, client)
    remember(request.scope, [admission])
    image = await services.uploads.receive(
        environment_id,
        image_id,
        expires=expires,
        signature=signature,
        declared_length=content_length,
        body=request.stream(),
    )
    cdn_url = await run_in_threadpool(services.images.cdn_url, image)
    return ImageSchema.of(image, cdn_url)
