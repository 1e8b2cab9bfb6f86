"""``GET /downloads/{environment_id}/{id}.zip`` (ours): where a ``download_url`` points.

The signature in the query is the credential, so the link works in a browser or with curl.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import StreamingResponse

from imgwired.errors import DownloadNotFoundError
from imgwired.ids import canonical_id
from imgwired.paths import DOWNLOAD_ROUTE
from imgwired.web.deps import ServicesDep
from imgwired.web.error_responses import error_responses

router = APIRouter(tags=["Downloads"])


@router.get(
    DOWNLOAD_ROUTE,
    operation_id="Downloads_get",
    summary="Download a bulk download's zip from its signed URL (imgwired)",
    response_class=StreamingResponse,
    responses=error_responses(403, 404, 503),
)
async def get_zip(
    environment_id: Annotated[str, Path(json_schema_extra={"format": "uuid"})],
    file_name: str,
    services: ServicesDep,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
) -> StreamingResponse:
    # Like a CDN URL, a download URL is served under the canonical spelling of its ids only,
    # and anything else names no download (404, never 422).
    stem, _, suffix = file_name.rpartition(".")
    environment = canonical_id(environment_id)
    download_id = canonical_id(stem)
    if environment is None or download_id is None or suffix != "zip":
        raise DownloadNotFoundError(
            f"No download is at {environment_id[:64]!r}/{file_name[:64]!r}; ids are written "
            "in lower case, with hyphens"
        )
    job, chunks = await run_in_threadpool(
        services.downloads.open_signed, environment, download_id, expires, signature
    )
    headers = {
        "Content-Disposition": f'attachment; filename="images-{job.id}.zip"',
        "Content-Length": str(job.size_bytes or 0),
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/zip", headers=headers
    )
