"""``/api/v1/custom_domain``: the environment's one custom domain and its DNS check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from imgwired.accounts.auth import Access, Caller
from imgwired.web.deps import ServicesDep, auth_errors, require
from imgwired.web.error_responses import error_responses
from imgwired.web.schemas.custom_domain import CustomDomainCreateSchema, CustomDomainSchema

router = APIRouter(
    prefix="/api/v1/custom_domain", tags=["CustomDomain"], responses=auth_errors(Access.SERVER)
)
Server = Annotated[Caller, Depends(require(Access.SERVER))]


@router.get("/", operation_id="CustomDomain_retrieve", summary="Get Custom Domain")
def get_custom_domain(caller: Server, services: ServicesDep) -> CustomDomainSchema:
    return CustomDomainSchema.of(services.custom_domains.get(caller.environment()))


@router.post(
    "/",
    operation_id="CustomDomain_create",
    summary="Create Custom Domain",
    responses=error_responses(409),
)
def create_custom_domain(
    body: CustomDomainCreateSchema, caller: Server, services: ServicesDep
) -> CustomDomainSchema:
    view = services.custom_domains.create(caller.environment(), body.hostname)
    return CustomDomainSchema.of(view)


@router.delete("/", operation_id="CustomDomain_delete", summary="Delete Custom Domain")
def delete_custom_domain(caller: Server, services: ServicesDep) -> dict[str, str]:
    domain = services.custom_domains.delete(caller.environment())
    return {"id": str(domain.id), "hostname": domain.hostname, "status": "deleted"}


# A plain ``def``: the DNS query blocks for up to the timeout, so it runs in a worker thread.
@router.post(
    "/test_connection",
    operation_id="CustomDomain_testConnection",
    summary="Test Custom Domain Connection",
)
def test_custom_domain_connection(caller: Server, services: ServicesDep) -> CustomDomainSchema:
    return CustomDomainSchema.of(services.custom_domains.test_connection(caller.environment()))
