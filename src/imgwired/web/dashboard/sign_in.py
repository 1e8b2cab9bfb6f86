"""``/dashboard/sign-in`` and ``/dashboard/sign-out``: a token becomes a session, and back.

Attempts are counted per client address before the token is looked at (the ``sign_in`` rate
limit), so guessing is as slow for a right guess as for a wrong one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from imgwired.errors import (
    AuthenticationError,
    ClientKeyNotAllowedError,
    NotInitializedError,
    RateLimitExceededError,
    SessionExpiredError,
)
from imgwired.web.dashboard.forms import FormDep, read_form, refuse_cross_site
from imgwired.web.dashboard.nav import HOME
from imgwired.web.dashboard.session import (
    clear_session_cookie,
    is_https,
    session_secret_of,
    set_session_cookie,
)
from imgwired.web.dashboard.views import SIGN_IN_PATH, PageError, render_page, sign_in_redirect
from imgwired.web.rate_limits import client_of, refusal_headers
from imgwired.web.services import ServicesDep

router = APIRouter()

_WRONG_TOKEN = "That is not a valid admin token or server key."  # noqa: S105 (a message)


@router.get(SIGN_IN_PATH, name="dashboard.sign_in")
def sign_in_page(request: Request, services: ServicesDep) -> Response:
    secret = session_secret_of(request)
    if secret is not None:
        try:
            services.auth.signed_in(secret)
            return RedirectResponse(HOME.path, status_code=303)
        except SessionExpiredError:
            pass
    return _form(request)


@router.post(SIGN_IN_PATH, name="dashboard.sign_in_submit")
async def sign_in(request: Request, services: ServicesDep) -> Response:
    # Before a session exists there is no token to check: the origin alone says who posts.
    refuse_cross_site(request, services, None)
    try:
        services.rate_limits.admit_sign_in(client_of(request.scope, services.rate_limits))
    except RateLimitExceededError as error:
        raise PageError(
            429,
            "Too many attempts",
            f"Too many sign-in attempts from this address; try again in {error.retry_after} s.",
            refusal_headers(error),
        ) from None
    fields = await read_form(request)
    token = fields.get("token", "").strip()
    if not token:
        return _form(request, "Enter the admin token or a server key.", status=400)
    try:
        created = await run_in_threadpool(services.dashboard_sessions.sign_in, token)
    except ClientKeyNotAllowedError as error:
        return _form(request, error.detail, status=401)
    except NotInitializedError as error:
        return _form(request, error.detail, status=503)
    except AuthenticationError:
        return _form(request, _WRONG_TOKEN, status=401)
    previous = session_secret_of(request)
    if previous is not None:
        await run_in_threadpool(services.dashboard_sessions.sign_out, previous)
    response = RedirectResponse(HOME.path, status_code=303)
    lifetime = services.dashboard_sessions.lifetime
    secure = is_https(request, services.rate_limits.proxies)
    max_age = int(lifetime.total_seconds())
    set_session_cookie(response, created.secret, max_age=max_age, secure=secure)
    return response


@router.post("/dashboard/sign-out", name="dashboard.sign_out")
def sign_out(request: Request, services: ServicesDep, form: FormDep) -> Response:
    services.dashboard_sessions.sign_out(form.session_secret)
    response = sign_in_redirect()
    clear_session_cookie(response, secure=is_https(request, services.rate_limits.proxies))
    return response


def _form(request: Request, error: str | None = None, *, status: int = 200) -> Response:
    return render_page(request, "sign_in.html", {"error": error}, status=status)
