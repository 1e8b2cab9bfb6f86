"""``/api/v1/cors_origins``: the environment's allowlist, its diagnosis and its refusals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from imgwired.accounts.auth import Access, Caller
from imgwired.cors.decision import Decision
from imgwired.cors.service import Evaluation
from imgwired.web.deps import PageDep, ServicesDep, auth_errors, require
from imgwired.web.error_responses import error_responses
from imgwired.web.ids import CorsOriginIdPath
from imgwired.web.pagination import PAGINATED, set_pagination_headers
from imgwired.web.schemas.cors import (
    CorsDecisionSchema,
    CorsEvaluationCreateSchema,
    CorsEvaluationSchema,
    CorsOriginCreateSchema,
    CorsOriginSchema,
    CorsOriginUpdateSchema,
    CorsRejectionSchema,
)

router = APIRouter(
    prefix="/api/v1/cors_origins", tags=["CorsOrigins"], responses=auth_errors(Access.SERVER)
)
Server = Annotated[Caller, Depends(require(Access.SERVER))]


@router.get("/", operation_id="CorsOrigins_list", summary="List CORS Origins", responses=PAGINATED)
def list_cors_origins(
    caller: Server, services: ServicesDep, page: PageDep, response: Response
) -> list[CorsOriginSchema]:
    result = services.cors.list(caller.environment(), page)
    set_pagination_headers(response, result)
    return [CorsOriginSchema.model_validate(origin) for origin in result.items]


@router.post(
    "/",
    operation_id="CorsOrigins_create",
    summary="Create CORS Origin",
    responses=error_responses(409),
)
def create_cors_origin(
    body: CorsOriginCreateSchema, caller: Server, services: ServicesDep
) -> CorsOriginSchema:
    return CorsOriginSchema.model_validate(services.cors.create(caller.environment(), body.pattern))


@router.post(
    "/evaluate",
    operation_id="CorsOrigins_evaluate",
    summary="Evaluate a browser request against the CORS configuration (imgwired)",
)
def evaluate_cors_origin(
    body: CorsEvaluationCreateSchema, caller: Server, services: ServicesDep
) -> CorsEvaluationSchema:
    evaluation = services.cors.evaluate(
        caller.environment(), body.origin, body.method, body.request_headers
    )
    return _evaluation_schema(evaluation)


@router.get(
    "/rejections",
    operation_id="CorsOrigins_listRejections",
    summary="List refused browser origins (imgwired)",
    responses=PAGINATED,
)
def list_cors_rejections(
    caller: Server, services: ServicesDep, page: PageDep, response: Response
) -> list[CorsRejectionSchema]:
    result = services.cors_runtime.rejections(caller.environment(), page)
    set_pagination_headers(response, result)
    return [CorsRejectionSchema.model_validate(row) for row in result.items]


@router.get("/{cors_origin_id}", operation_id="CorsOrigins_retrieve", summary="Get CORS Origin")
def get_cors_origin(
    cors_origin_id: CorsOriginIdPath, caller: Server, services: ServicesDep
) -> CorsOriginSchema:
    return CorsOriginSchema.model_validate(services.cors.get(caller.environment(), cors_origin_id))


@router.patch(
    "/{cors_origin_id}",
    operation_id="CorsOrigins_update",
    summary="Update CORS Origin",
    responses=error_responses(409),
)
def update_cors_origin(
    cors_origin_id: CorsOriginIdPath,
    body: CorsOriginUpdateSchema,
    caller: Server,
    services: ServicesDep,
) -> CorsOriginSchema:
    origin = services.cors.update(caller.environment(), cors_origin_id, body.pattern)
    return CorsOriginSchema.model_validate(origin)


@router.delete(
    "/{cors_origin_id}",
    operation_id="CorsOrigins_delete",
    summary="Delete CORS Origin",
    responses=error_responses(409),
)
def delete_cors_origin(
    cors_origin_id: CorsOriginIdPath, caller: Server, services: ServicesDep
) -> dict[str, str]:
    origin = services.cors.delete(caller.environment(), cors_origin_id)
    return {"id": str(origin.id), "status": "deleted"}


def _evaluation_schema(evaluation: Evaluation) -> CorsEvaluationSchema:
    decisive = evaluation.preflight if evaluation.preflight_required else evaluation.request
    return CorsEvaluationSchema(
        origin=evaluation.origin,
        origin_is_valid=evaluation.origin_is_valid,
        allowed=decisive.allowed,
        reason=decisive.reason,
        matched_pattern=decisive.matched_pattern,
        mode=evaluation.mode.value,
        preflight_required=evaluation.preflight_required,
        preflight=_decision(evaluation.preflight, ok_status=204),
        request=_decision(evaluation.request, ok_status=200),
    )


def _decision(decision: Decision, *, ok_status: int) -> CorsDecisionSchema:
    served = decision.allowed or decision.reported
    headers = decision.header_map()
    headers["Vary"] = "Origin"
    return CorsDecisionSchema(
        status=ok_status if served else 403,
        allowed=decision.allowed,
        reason=decision.reason,
        headers=headers,
    )
