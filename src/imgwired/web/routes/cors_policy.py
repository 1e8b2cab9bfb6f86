"""``/api/v1/cors_policy`` (imgwired): what allowed origins may do in this environment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from imgwired.accounts.auth import Access, Caller
from imgwired.cors.service import StoredPolicy
from imgwired.web.deps import ServicesDep, auth_errors, require
from imgwired.web.schemas.cors import CorsPolicySchema, CorsPolicyUpdateSchema

router = APIRouter(
    prefix="/api/v1/cors_policy", tags=["CorsPolicy"], responses=auth_errors(Access.SERVER)
)
Server = Annotated[Caller, Depends(require(Access.SERVER))]


@router.get("", operation_id="CorsPolicy_retrieve", summary="Get the CORS policy (imgwired)")
def get_cors_policy(caller: Server, services: ServicesDep) -> CorsPolicySchema:
    return _schema(services.cors.policy(caller.environment()))


@router.patch("", operation_id="CorsPolicy_update", summary="Update the CORS policy (imgwired)")
def update_cors_policy(
    body: CorsPolicyUpdateSchema, caller: Server, services: ServicesDep
) -> CorsPolicySchema:
    stored = services.cors.update_policy(caller.environment(), body.model_dump(exclude_unset=True))
    return _schema(stored)


def _schema(stored: StoredPolicy) -> CorsPolicySchema:
    policy = stored.policy
    return CorsPolicySchema(
        allowed_methods=list(policy.allowed_methods),
        allowed_headers=list(policy.allowed_headers),
        expose_headers=list(policy.expose_headers),
        max_age=policy.max_age,
        allow_credentials=policy.allow_credentials,
        allow_private_network=policy.allow_private_network,
        mode=policy.mode.value,
        updated_at=stored.updated_at,
    )
