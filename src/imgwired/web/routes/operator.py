"""``GET /metrics`` (ours): Prometheus metrics for operators, behind the admin token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from imgwired.accounts.auth import Access, Caller
from imgwired.metrics.prometheus import CONTENT_TYPE
from imgwired.web.deps import ServicesDep, auth_errors, require

router = APIRouter(tags=["Operator"], responses=auth_errors(Access.ORGANIZATION_ADMIN))
Admin = Annotated[Caller, Depends(require(Access.ORGANIZATION_ADMIN))]


@router.get(
    "/metrics",
    operation_id="Operator_prometheus",
    summary="Prometheus metrics (imgwired; admin token)",
    response_class=PlainTextResponse,
)
def prometheus(caller: Admin, services: ServicesDep) -> PlainTextResponse:
    return PlainTextResponse(services.prometheus.render(), media_type=CONTENT_TYPE)
