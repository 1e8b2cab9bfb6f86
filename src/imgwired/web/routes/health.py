"""Liveness and readiness: the database answers and the blob store stores."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from imgwired import __version__
from imgwired.storage.base import StorageError
from imgwired.web.deps import ServicesDep

router = APIRouter()


# The contract's schema is a map of strings, kept so; its keys are written in the descriptions.
_KEYS = (
    '`status` ("ok" or "unavailable"), `database` and `blob_store` (each "ok" or why it is '
    "down), `version`"
)


@router.get(
    "/health",
    operation_id="health_check_health_get",
    summary="Health Check",
    response_model=dict[str, str],
    responses={
        200: {"description": f"Ready: {_KEYS}"},
        503: {
            "model": dict[str, str],
            "description": f"The database or the blob store is down: {_KEYS}",
        },
    },
)
async def health(services: ServicesDep) -> JSONResponse:
    """``ok`` when the database answers and the blob store stores a blob, reads it back and
    deletes it; 503 naming the part that does not, with the reason."""
    database, blob_store = "ok", "ok"

    async def check_database() -> None:
        nonlocal database
        try:
            await run_in_threadpool(services.database.ping)
        except Exception as exc:  # any database failure means "not ready"
            database = type(exc).__name__

    async def check_blob_store() -> None:
        nonlocal blob_store
        try:
            await run_in_threadpool(services.blobs.probe)
        except StorageError as exc:
            blob_store = exc.detail

    async with anyio.create_task_group() as checks:  # both at once: each may take a while
        checks.start_soon(check_database)
        checks.start_soon(check_blob_store)
    up = database == blob_store == "ok"
    body = {
        "status": "ok" if up else "unavailable",
        "database": database,
        "blob_store": blob_store,
        "version": __version__,
    }
    return JSONResponse(body, status_code=200 if up else 503)
