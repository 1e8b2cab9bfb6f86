"""``/api/v1/api_keys``: admin-token management of one environment's keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from imgwired.accounts.api_keys import CLIENT_SETTINGS, NewApiKey
from imgwired.accounts.auth import Access, Caller
from imgwired.db.models import ApiKeyType
from imgwired.web.deps import PageDep, ServicesDep, auth_errors, require
from imgwired.web.ids import ApiKeyIdPath
from imgwired.web.pagination import PAGINATED, set_pagination_headers
from imgwired.web.schemas.api_keys import (
    ApiKeyCreateResponseSchema,
    ApiKeyCreateSchema,
    ApiKeyListItemSchema,
    ApiKeyUpdateSchema,
)

router = APIRouter(
    prefix="/api/v1/api_keys", tags=["ApiKeys"], responses=auth_errors(Access.ENVIRONMENT_ADMIN)
)
Admin = Annotated[Caller, Depends(require(Access.ENVIRONMENT_ADMIN))]


@router.get(
    "/",
    operation_id="list_api_keys_api_v1_api_keys__get",
    summary="List Api Keys",
    responses=PAGINATED,
)
def list_api_keys(
    caller: Admin,
    services: ServicesDep,
    page: PageDep,
    response: Response,
    key_type: Annotated[ApiKeyType | None, Query(title="Key Type")] = None,
) -> list[ApiKeyListItemSchema]:
    result = services.api_keys.list(caller.environment(), key_type, page)
    set_pagination_headers(response, result)
    return [ApiKeyListItemSchema.of(key) for key in result.items]


@router.post(
    "/",
    operation_id="create_api_key_api_v1_api_keys__post",
    summary="Create Api Key",
)
def create_api_key(
    body: ApiKeyCreateSchema, caller: Admin, services: ServicesDep
) -> ApiKeyCreateResponseSchema:
    new = NewApiKey(
        name=body.name,
        key_type=body.key_type,
        scopes=body.scopes,
        settings=body.model_dump(include=set(CLIENT_SETTINGS)),
    )
    issued = services.api_keys.create(caller.environment(), new)
    return ApiKeyCreateResponseSchema.of(issued.key, issued.secret)


@router.get(
    "/{api_key_id}",
    operation_id="get_api_key_by_id_api_v1_api_keys__api_key_id__get",
    summary="Get Api Key By ID",
)
def get_api_key(
    api_key_id: ApiKeyIdPath, caller: Admin, services: ServicesDep
) -> ApiKeyListItemSchema:
    return ApiKeyListItemSchema.of(services.api_keys.get(caller.environment(), api_key_id))


@router.patch(
    "/{api_key_id}",
    operation_id="update_api_key_by_id_api_v1_api_keys__api_key_id__patch",
    summary="Update Api Key By ID",
)
def update_api_key(
    api_key_id: ApiKeyIdPath, body: ApiKeyUpdateSchema, caller: Admin, services: ServicesDep
) -> ApiKeyListItemSchema:
    changes = body.model_dump(exclude_unset=True)
    key = services.api_keys.update(caller.environment(), api_key_id, changes)
    return ApiKeyListItemSchema.of(key)


@router.delete(
    "/{api_key_id}",
    operation_id="delete_api_key_by_id_api_v1_api_keys__api_key_id__delete",
    summary="Delete Api Key By ID",
)
def delete_api_key(
    api_key_id: ApiKeyIdPath, caller: Admin, services: ServicesDep
) -> dict[str, str]:
    key = services.api_keys.revoke(caller.environment(), api_key_id)
    return {"id": str(key.id), "status": "revoked"}
