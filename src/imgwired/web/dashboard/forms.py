"""Form posts to the dashboard: read the urlencoded body, and refuse one that another site made.

Every state-changing dashboard route takes ``FormDep`` (signed in) or calls ``read_form`` after
``check_origin`` (the sign-in form, before any session exists);
``tests/dashboard/test_csrf.py`` checks that no unsafe route goes without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from imgwired.errors import CrossSiteRequestError
from imgwired.web.dashboard import csrf
from imgwired.web.dashboard.session import is_https, session_secret_of
from imgwired.web.dashboard.views import PageError, SignInRequired
from imgwired.web.services import ServicesDep

_FORM_TYPE = "application/x-www-form-urlencoded"
_MAX_FIELDS = 50


@dataclass(frozen=True, slots=True)
class Form:
    """A verified form post: its fields and the session secret it was made with."""

    fields: dict[str, str]
    session_secret: str


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an urlencoded body (the size limit already applies); a 400 page for
    anything else."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM_TYPE:
        raise PageError(400, "Not a form", f"The dashboard's forms are sent as {_FORM_TYPE}.")
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise PageError(400, "Unreadable form", "The form could not be read.") from None
    return dict(pairs)


def refuse_cross_site(
    request: Request,
    services: ServicesDep,
    session_secret: str | None,
    token: str | None = None,
) -> None:
    """The CSRF checks as a 403 page (the Resource API answers the same refusal in JSON):
    the origin alone before a session exists, the origin and ``token`` after."""
    try:
        if session_secret is None:
            origins = csrf.own_origins(
                request.headers.get("host"),
                is_https(request, services.rate_limits.proxies),
                services.settings.base_url,
            )
            csrf.check_origin(request.headers, request.method, origins)
        else:
            csrf.verify_request(
                request,
                session_secret=session_secret,
                submitted_token=token,
                proxies=services.rate_limits.proxies,
                public_url=services.settings.base_url,
            )
    except CrossSiteRequestError as error:
        raise PageError(403, "Request refused", error.detail) from None


async def verified_form(request: Request, services: ServicesDep) -> Form:
    """The form of a signed-in post, once its origin and CSRF token are checked."""
    secret = session_secret_of(request)
    if secret is None:
        raise SignInRequired
    try:
        fields = await read_form(request)
    except PageError as unreadable:
        # A body that is no form carries no token: refused as cross-site first (403), which
        # is what it most likely is; the 400 only if the checks somehow pass.
        refuse_cross_site(request, services, secret, None)
        raise unreadable
    refuse_cross_site(request, services, secret, fields.get(csrf.FORM_FIELD))
    return Form(fields, secret)


FormDep = Annotated[Form, Depends(verified_form)]
