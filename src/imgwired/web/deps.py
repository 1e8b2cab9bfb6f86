"""FastAPI dependencies: the services, the authenticated caller and the page request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool

from imgwired.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from imgwired.services.auth import Access, Caller
from imgwired.services.container import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def require(access: Access) -> Callable[..., Any]:
    """A dependency that authenticates the caller for an operation needing ``access``."""

    if access is Access.ENVIRONMENT_ADMIN:
        # Declared so that the OpenAPI document lists it as the contract does.
        async def environment_admin(
            request: Request,
            services: ServicesDep,
            x_environment_id: Annotated[
                uuid.UUID | None, Header(alias="X-Environment-Id", title="X-Environment-Id")
            ] = None,
        ) -> Caller:
            return await _authenticate(request, services, access)

        return environment_admin

    async def caller(request: Request, services: ServicesDep) -> Caller:
        return await _authenticate(request, services, access)

    return caller


async def _authenticate(request: Request, services: ServicesDep, access: Access) -> Caller:
    headers = request.headers
    # Key lookup is a database read: keep it off the event loop.
    return await run_in_threadpool(
        services.auth.authenticate,
        headers.get("authorization"),
        headers.get("x-environment-id"),
        access,
    )


def page_request(
    page: Annotated[int, Query(ge=1, title="Page")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, title="Limit")] = DEFAULT_LIMIT,
) -> PageRequest:
    return PageRequest(page=page, limit=limit)


PageDep = Annotated[PageRequest, Depends(page_request)]
