"""``/api/v1/environments``: admin-token management of the install's environments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from imgwired.accounts.auth import Access, Caller
from imgwired.web.deps import PageDep, ServicesDep, auth_errors, require
from imgwired.web.error_responses import error_responses
from imgwired.web.ids import EnvironmentIdPath
from imgwired.web.pagination import PAGINATED, set_pagination_headers
from imgwired.web.schemas.environments import (
    EnvironmentCreateSchema,
    EnvironmentSchema,
    EnvironmentUpdateSchema,
)

router = APIRouter(
    prefix="/api/v1/environments",
    tags=["Environments"],
    responses=auth_errors(Access.ORGANIZATION_ADMIN),
)
Admin = Annotated[Caller, Depends(require(Access.ORGANIZATION_ADMIN))]


@router.get(
    "/",
    operation_id="list_environments_api_v1_environments__get",
    summary="List Environments",
    responses=PAGINATED,
)
def list_environments(
    caller: Admin, services: ServicesDep, page: PageDep, response: Response
) -> list[EnvironmentSchema]:
    result = services.environments.list(caller.organization_id, page)
    set_pagination_headers(response, result)
    return [EnvironmentSchema.model_validate(env) for env in result.items]


@router.post(
    "/",
    operation_id="create_environment_api_v1_environments__post",
    summary="Create Environment",
    responses=error_responses(409),
)
def create_environment(
    body: EnvironmentCreateSchema, caller: Admin, services: ServicesDep
) -> EnvironmentSchema:
    environment = services.environments.create(caller.organization_id, name=body.name)
    return EnvironmentSchema.model_validate(environment)


@router.get(
    "/{environment_id}",
    operation_id="get_environment_by_id_api_v1_environments__environment_id__get",
    summary="Get Environment By ID",
)
def get_environment(
    environment_id: EnvironmentIdPath, caller: Admin, services: ServicesDep
) -> EnvironmentSchema:
    environment = services.environments.get(caller.organization_id, environment_id)
    return EnvironmentSchema.model_validate(environment)


@router.patch(
    "/{environment_id}",
    operation_id="update_environment_by_id_api_v1_environments__environment_id__patch",
    summary="Update Environment By ID",
    responses=error_responses(409),
)
def update_environment(
    environment_id: EnvironmentIdPath,
    body: EnvironmentUpdateSchema,
    caller: Admin,
    services: ServicesDep,
) -> EnvironmentSchema:
    environment = services.environments.rename(
        caller.organization_id, environment_id, name=body.name
    )
    return EnvironmentSchema.model_validate(environment)


@router.delete(
    "/{environment_id}",
    operation_id="delete_environment_by_id_api_v1_environments__environment_id__delete",
    summary="Delete Environment By ID",
    responses=error_responses(409),
)
def delete_environment(
    environment_id: EnvironmentIdPath, caller: Admin, services: ServicesDep
) -> dict[str, str]:
    environment = services.environments.delete(caller.organization_id, environment_id)
    return {"id": str(environment.id), "status": "deleted"}
