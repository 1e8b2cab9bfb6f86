"""What every dashboard page is rendered with: the signed-in session, the environment it works
in, the environments it may switch to, the navigation and the CSRF token (``View``); and the
one way a page is rendered or refused.

A page route takes ``ViewDep`` and returns ``render(view, "its_template.html", **data)``.
Without a live session the dependency sends the browser to the sign-in page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from imgwired.accounts.auth import SignedIn
from imgwired.db.models import SessionKind
from imgwired.errors import (
    EnvironmentMismatchError,
    EnvironmentNotFoundError,
    SessionExpiredError,
)
from imgwired.pagination import MAX_LIMIT, PageRequest
from imgwired.web.dashboard.csrf import csrf_token
from imgwired.web.dashboard.nav import NAV, NavItem, href
from imgwired.web.dashboard.session import session_secret_of
from imgwired.web.services import ServicesDep

SIGN_IN_PATH = "/dashboard/sign-in"


@dataclass(frozen=True, slots=True)
class EnvironmentChoice:
    id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class View:
    """A signed-in page request: who, where, and what the layout needs."""

    request: Request
    session: SignedIn
    # None only when the install has no live environment left.
    environment: EnvironmentChoice | None
    # Those the environment switcher offers: every one for the admin, the key's own otherwise.
    environments: tuple[EnvironmentChoice, ...]
    csrf_token: str

    @property
    def environment_id(self) -> uuid.UUID | None:
        return self.environment.id if self.environment else None

    @property
    def is_admin(self) -> bool:
        return self.session.kind is SessionKind.ADMIN


class PageError(Exception):
    """A dashboard request refused with an HTML page (``error.html``) rather than JSON."""

    def __init__(
        self, status: int, title: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers or {}


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page."""


def current_view(request: Request, services: ServicesDep) -> View:
    """The ``View`` of a page request (a sync dependency: FastAPI runs it in the thread pool,
    as it reads the database)."""
    secret = session_secret_of(request)
    if secret is None:
        raise SignInRequired
    try:
        signed_in = services.auth.signed_in(secret)
    except SessionExpiredError:
        raise SignInRequired from None
    organization_id = signed_in.organization_id
    choices: tuple[EnvironmentChoice, ...]
    if signed_in.api_key is not None:
        environment = signed_in.api_key.environment
        choices = (EnvironmentChoice(environment.id, environment.name),)
    else:
        listed = services.environments.list(organization_id, PageRequest(1, MAX_LIMIT)).items
        choices = tuple(EnvironmentChoice(env.id, env.name) for env in listed)
    chosen = _chosen_environment(request, services, signed_in, choices)
    return View(request, signed_in, chosen, choices, csrf_token(secret))


ViewDep = Annotated[View, Depends(current_view)]


def _chosen_environment(
    request: Request,
    services: ServicesDep,
    signed_in: SignedIn,
    choices: tuple[EnvironmentChoice, ...],
) -> EnvironmentChoice | None:
    """``?env=`` when given (remembered as the session's choice), else the session's last
    choice, else the first environment."""
    by_id = {choice.id: choice for choice in choices}
    asked = request.query_params.get("env")
    if asked:
        try:
            environment_id = uuid.UUID(asked.strip())
        except ValueError:
            raise PageError(404, "Environment not found", "That is no environment id.") from None
        try:
            services.dashboard_sessions.choose_environment(signed_in, environment_id)
        except EnvironmentMismatchError:
            raise PageError(
                403,
                "Another environment",
                "This session signed in with a server key, which reaches its own environment "
                "only. Sign in with the admin token to work in every environment.",
            ) from None
        except EnvironmentNotFoundError:
            raise PageError(404, "Environment not found", "No environment has that id.") from None
        return by_id.get(environment_id)
    if signed_in.environment_id in by_id:
        return by_id[signed_in.environment_id]
    return choices[0] if choices else None


def render(view: View, template: str, *, status: int = 200, **data: Any) -> HTMLResponse:
    """``template`` (under ``templates/``) with the layout's context and ``data``."""
    context = {
        "view": view,
        "environment": view.environment,
        "environments": view.environments,
        "csrf_token": view.csrf_token,
        "nav": nav_links(view),
        **data,
    }
    return render_page(view.request, template, context, status=status)


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A template rendered outside a session too (sign-in, errors)."""
    templates: jinja2.Environment = request.app.state.dashboard_templates
    body = templates.get_template(template).render(request=request, **context)
    return HTMLResponse(body, status_code=status, headers=headers)


@dataclass(frozen=True, slots=True)
class NavLink:
    item: NavItem
    url: str
    current: bool


def nav_links(view: View) -> list[NavLink]:
    path = view.request.url.path
    return [NavLink(item, href(item, view.environment_id), path == item.path) for item in NAV]


def page_error_response(request: Request, error: PageError) -> Response:
    context = {"title": error.title, "message": error.message, "status": error.status}
    return render_page(request, "error.html", context, status=error.status, headers=error.headers)


def sign_in_redirect() -> Response:
    return RedirectResponse(SIGN_IN_PATH, status_code=303)
