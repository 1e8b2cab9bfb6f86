"""The dashboard's session cookie: its name, its attributes, and whether the browser reached us
over https (directly, or through a trusted proxy that says so).

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page
sends it), ``Path=/`` (the Resource API accepts it too) and ``Secure`` whenever the browser
spoke https, so it never travels in clear once it was set over a secure link.
"""

from __future__ import annotations

import re

from starlette.requests import HTTPConnection
from starlette.responses import Response

from imgwired.ratelimits.client_ip import TrustedProxies, parse_address

COOKIE_NAME = "imgwired_session"
# The secrets we hand out are 43 URL-safe characters; anything else is not ours.
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")


def session_secret_of(connection: HTTPConnection) -> str | None:
    """The session secret the request's cookie carries, if it has the shape of one."""
    value = connection.cookies.get(COOKIE_NAME)
    if value is None or not _SECRET_SHAPE.fullmatch(value):
        return None
    return value


def is_https(connection: HTTPConnection, proxies: TrustedProxies) -> bool:
    """Whether the browser reached us over https: the connection itself, or, when the peer is
    a trusted proxy, the ``X-Forwarded-Proto`` it added (the last value: its own)."""
    if connection.url.scheme in ("https", "wss"):
        return True
    peer = connection.client.host if connection.client else None
    address = parse_address(peer or "")
    if address is None or not proxies.trusts(address):
        return False
    values = connection.headers.getlist("x-forwarded-proto")
    hops = [hop.strip().lower() for value in values for hop in value.split(",")]
    return bool(hops) and hops[-1] == "https"


def set_session_cookie(response: Response, secret: str, *, max_age: int, secure: bool) -> None:
    response.headers.append("Set-Cookie", _cookie(secret, max_age, secure))


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.headers.append("Set-Cookie", _cookie("", 0, secure))


def _cookie(value: str, max_age: int, secure: bool) -> str:
    # Written out rather than through Response.set_cookie, which spells SameSite in lowercase.
    attributes = [f"{COOKIE_NAME}={value}", f"Max-Age={max_age}", "Path=/", "HttpOnly"]
    attributes.append("SameSite=Strict")
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)
