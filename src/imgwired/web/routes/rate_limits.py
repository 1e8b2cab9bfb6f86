"""``/api/v1/rate_limits`` (imgwired): an environment's own rate limits, for the operator.

Behind the admin token and ``X-Environment-Id``: a key must not be able to lift its own limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from imgwired.accounts.auth import Access, Caller
from imgwired.ratelimits.buckets import Limit
from imgwired.ratelimits.service import POLICIES, EnvironmentLimits
from imgwired.web.deps import ServicesDep, auth_errors, require
from imgwired.web.schemas.rate_limits import (
    RateLimitSchema,
    RateLimitsSchema,
    RateLimitsUpdateSchema,
)

router = APIRouter(
    prefix="/api/v1/rate_limits",
    tags=["RateLimits"],
    responses=auth_errors(Access.ENVIRONMENT_ADMIN),
)
EnvironmentAdmin = Annotated[Caller, Depends(require(Access.ENVIRONMENT_ADMIN))]


@router.get("", operation_id="RateLimits_retrieve", summary="Get the rate limits (imgwired)")
def get_rate_limits(caller: EnvironmentAdmin, services: ServicesDep) -> RateLimitsSchema:
    return _schema(services.rate_limits.limits(caller.environment()))


@router.patch("", operation_id="RateLimits_update", summary="Update the rate limits (imgwired)")
def update_rate_limits(
    body: RateLimitsUpdateSchema, caller: EnvironmentAdmin, services: ServicesDep
) -> RateLimitsSchema:
    changes = {
        policy: None if change is None else Limit(change.per_second, change.burst)
        for policy in body.model_fields_set
        for change in [getattr(body, policy)]
    }
    return _schema(services.rate_limits.update(caller.environment(), changes))


def _schema(found: EnvironmentLimits) -> RateLimitsSchema:
    limits = {
        policy: RateLimitSchema(
            per_second=found.limits.of(policy).per_second,
            burst=found.limits.of(policy).burst,
            source="environment" if policy in found.overridden else "default",
        )
        for policy in POLICIES
    }
    return RateLimitsSchema(**limits)
