"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from imgwired import __version__
from imgwired.web.deps import ServicesDep

router = APIRouter()


@router.get(
    "/health",
    operation_id="health_check_health_get",
    summary="Health Check",
    response_model=dict[str, str],
    responses={503: {"model": dict[str, str], "description": "The database does not answer"}},
)
async def health(services: ServicesDep) -> JSONResponse:
    """``ok`` when the database answers; 503 with the reason when it does not."""
    try:
        await run_in_threadpool(services.database.ping)
    except Exception as exc:  # any database failure means "not ready"
        body = {"status": "unavailable", "database": type(exc).__name__, "version": __version__}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": __version__})
