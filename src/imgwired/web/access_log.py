"""The access log, without secrets: one record per request, and query values that grant access
replaced before anything is logged.

Upload tokens travel as ``?upload_token=`` and signed URLs carry ``signature=``; both would
otherwise be written in full. Headers are never logged, so neither is ``Authorization``.

In the text format (the default) uvicorn writes its own access line, with the redacting filter
on it. In the JSON format uvicorn's access log is off and ``AccessLogMiddleware`` writes the
record instead, with the route template, the environment and the duration that uvicorn cannot
know.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, unquote_plus

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgwired.ids import canonical_id
from imgwired.logs import LogFormat, json_logging_config

SECRET_PARAMETERS = frozenset({"upload_token", "signature"})
# One query parameter: its name (maybe percent-encoded) and its value.
_PARAMETER = re.compile(r"(?P<lead>(?:^|[?&]))(?P<name>[^=&?\s]*)=(?P<value>[^&\s]*)")


def _redact_parameter(match: re.Match[str]) -> str:
    # The name is compared as the server reads it, so ``upload%5Ftoken=`` is a token too.
    if unquote_plus(match["name"]).lower() not in SECRET_PARAMETERS:
        return match[0]
    return f"{match['lead']}{match['name']}=[redacted]"


access_log = logging.getLogger("imgwired.access")


def redact(target: str) -> str:
    """``target`` with the value of every secret query parameter replaced by ``[redacted]``."""
    query_start = target.find("?")
    if query_start < 0:
        return target
    return target[:query_start] + _PARAMETER.sub(_redact_parameter, target[query_start:])


class RedactSecrets(logging.Filter):
    """Rewrites the request target in uvicorn's access records (their third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


class AccessLogMiddleware:
    """Logs one ``imgwired.access`` record per request once its response is sent (or the
    request ends without one); it steps aside when that logger's INFO is off, as in the text
    format.

    It sits inside the delivery-host rewrite, so it sees the route that answered: ``path`` is the
    path as served (``/cdn/<organization>/<environment>/...`` for a CDN host or a connected
    domain), which names the environment that the host-relative path leaves implicit.
    """

    def __init__(self, app: ASGIApp, *, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self.templates = route_templates(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status: int | None = None

        async def send_watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_watched)
        except Exception:
            status = status or 500  # the server answers 500 when nothing was sent
            raise
        finally:
            # No status: the client went away before a response began.
            fields = access_fields(scope, status, began, self.templates)
            access_log.info("request", extra=fields)


def route_templates(routes: Iterable[BaseRoute]) -> dict[Callable[..., Any], str]:
    """The template of each route's endpoint, for the routes that do not name themselves in the
    scope: FastAPI puts its own routes in ``scope["route"]``, plain Starlette routes (CDN
    delivery, the browser SDK, the OpenAPI document) leave only their endpoint. An endpoint
    served at two templates is left out rather than guessed."""
    templates: dict[Callable[..., Any], str | None] = {}
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        template = getattr(route, "path", None)
        if endpoint is None or not isinstance(template, str):
            continue
        templates[endpoint] = template if templates.get(endpoint, template) == template else None
    return {endpoint: t for endpoint, t in templates.items() if t is not None}


def access_fields(
    scope: Scope, status: int | None, began: float, templates: dict[Callable[..., Any], str]
) -> dict[str, Any]:
    """The fields of one access record; the request target is redacted."""
    endpoint = scope.get("endpoint")
    template = getattr(scope.get("route"), "path", None) or (
        templates.get(endpoint) if endpoint else None
    )
    client = scope.get("client")
    target = quote(scope["path"])
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return {
        "request_id": scope.get("state", {}).get("request_id"),
        "method": scope["method"],
        "route": template,
        "path": redact(target),
        "environment_id": _environment_of(scope),
        "status": status,
        "duration_ms": round((time.perf_counter() - began) * 1000, 3),
        "client": f"{client[0]}:{client[1]}" if client else None,
    }


def _environment_of(scope: Scope) -> str | None:
    """The caller's environment once authenticated (``web/deps.py``), else the one the URL
    names (upload, download and CDN URLs), else None."""
    known = scope.get("state", {}).get("environment_id")
    if known is not None:
        return str(known)
    named = canonical_id(str(scope.get("path_params", {}).get("environment_id", "")))
    return str(named) if named is not None else None


def uvicorn_logging(log_format: LogFormat) -> dict[str, Any]:
    """``uvicorn.run`` keyword arguments for ``log_format``: its logging configuration, and
    whether its own access log runs (text) or ``AccessLogMiddleware``'s records replace it
    (json)."""
    if log_format == "json":
        return {"log_config": json_logging_config(), "access_log": False}
    return {"log_config": _uvicorn_text_config(), "access_log": True}


def _uvicorn_text_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with the redacting filter on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    config["handlers"]["access"].setdefault("filters", []).append("redact_secrets")
    # uvicorn's own access line speaks for each request here.
    config["loggers"]["imgwired.access"] = {"level": "WARNING"}
    return config
