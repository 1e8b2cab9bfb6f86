"""FastAPI dependencies: the services, the authenticated caller and the page request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool

from imgwired.accounts.auth import Access, Caller, CallerKind
from imgwired.container import Services
from imgwired.errors import CorsOriginNotAllowedError
from imgwired.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, PageRequest
from imgwired.web.cors import CorsContext
from imgwired.web.dashboard import csrf
from imgwired.web.dashboard.session import session_secret_of
from imgwired.web.error_responses import error_responses
from imgwired.web.rate_limits import client_of, remember
from imgwired.web.services import ServicesDep as ServicesDep
from imgwired.web.services import get_services as get_services


def auth_errors(access: Access) -> dict[int | str, dict[str, Any]]:
    """The error responses authenticating a caller for ``access`` can answer, for ``responses=``.

    401 for missing or unusable credentials; 403 for a key sent with another environment's
    ``X-Environment-Id`` (or a browser origin the environment refuses); 404 for an admin token
    naming an unknown environment; 422 for an ``X-Environment-Id`` that is not a UUID; 503
    before ``init``; 400 for the admin token without ``X-Environment-Id`` where an operation
    acts on one environment; and 429 for a key (or an address) over its rate limit where client
    keys are accepted (the client-callable operations, the only ones limited).
    """
    statuses: tuple[int, ...] = (401, 403, 404, 422, 503)
    if access is not Access.ORGANIZATION_ADMIN:
        statuses = (400, *statuses)
    if access is Access.SERVER_OR_CLIENT:
        statuses = (*statuses, 429)
    return error_responses(*statuses)


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

        environment_admin.access = access  # type: ignore[attr-defined]
        return environment_admin

    async def caller(request: Request, services: ServicesDep) -> Caller:
        return await _authenticate(request, services, access)

    # Read by the test that the routes and the endpoint-class table (paths.py) agree.
    caller.access = access  # type: ignore[attr-defined]
    return caller


async def _authenticate(request: Request, services: ServicesDep, access: Access) -> Caller:
    headers = request.headers
    context = request.scope.get("state", {}).get("cors")
    # Only client-callable endpoints (the CORS layer's context marks them) are rate-limited:
    # what a browser can be made to call. Server-only operations are the owner's own traffic.
    client = client_of(request.scope, services.rate_limits) if context is not None else None

    authorization = headers.get("authorization")
    # A dashboard session acts as its admin token or server key; a bearer credential wins.
    session_secret = None if authorization else session_secret_of(request)

    def authenticate() -> Caller:
        environment = headers.get("x-environment-id")
        if session_secret is not None:
            csrf.verify_request(
                request,
                session_secret=session_secret,
                submitted_token=headers.get(csrf.HEADER),
                proxies=services.rate_limits.proxies,
                public_url=services.settings.base_url,
            )
            caller = services.auth.authenticate_session(session_secret, environment, access)
        else:
            caller = services.auth.authenticate(authorization, environment, access)
        if isinstance(context, CorsContext) and context.origin_header is not None:
            _enforce_cors(services, context, caller.environment())
        _admit(services, request, caller, client)
        return caller

    # Key lookup (and, the first time, compiling the CORS configuration) reads the database.
    caller = await run_in_threadpool(authenticate)
    if caller.environment_id is not None:
        request.state.environment_id = caller.environment_id  # for the access log
    return caller


def _admit(services: Services, request: Request, caller: Caller, client: str | None) -> None:
    """On a client-callable endpoint (``client`` is the caller's address), take a token for the
    caller's key and, for a client key, for its address; raises ``RateLimitExceededError`` when
    either bucket is empty.

    Server-only operations are the owner's own traffic and are not limited. The admin token is
    the operator's and is not limited either. A server key's calls come from its owner's
    backend, one address for all its users: its own bucket limits it.
    """
    environment_id = caller.environment_id
    key = caller.api_key
    if client is None or environment_id is None or key is None:
        return
    limits = services.rate_limits
    admissions = [limits.admit_key(environment_id, key.id)]
    if caller.kind is CallerKind.CLIENT:
        admissions.append(limits.admit_client(environment_id, client))
    remember(request.scope, admissions)


def _enforce_cors(services: Services, context: CorsContext, environment_id: uuid.UUID) -> None:
    """Refuse a browser request from an origin the caller's environment does not allow.

    Simple requests (a multipart or text/plain POST) are never preflighted, so this check, made
    before the route runs, is what keeps them from creating anything.
    """
    decision = services.cors_runtime.compiled(environment_id).actual(context.origin)
    context.decision = decision
    origin = context.origin_header or ""
    if services.cors_runtime.enforce(environment_id, context.endpoint.name, origin, decision):
        raise CorsOriginNotAllowedError(
            f"The origin {origin[:256]!r} is not allowed to call this endpoint "
            "in this environment; add it with POST /api/v1/cors_origins/"
        )


def page_request(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, title="Page")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, title="Limit")] = DEFAULT_LIMIT,
) -> PageRequest:
    """The page of every list, bounded here so that no list can reach the database with an
    offset it cannot hold: out of range is a 422 in the validation shape."""
    return PageRequest(page=page, limit=limit)


PageDep = Annotated[PageRequest, Depends(page_request)]
