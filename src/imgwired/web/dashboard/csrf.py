"""Cross-site request forgery: a request made with the session cookie must come from the
dashboard itself.

Two independent checks, both on every state-changing request (POST, PUT, PATCH, DELETE):

- where it comes from: ``Sec-Fetch-Site`` must be ``same-origin`` and ``Origin`` (when sent)
  must be this server's own origin. Browsers set both and no page can forge them. A read made
  with the cookie (GET) is refused from another origin too: the session must not become a way
  for another page to read the API, whatever its CORS allowlist says.
- a token only the dashboard's pages know: derived from the session secret (HMAC), sent as the
  ``csrf_token`` form field or the ``X-CSRF-Token`` header, compared in constant time. The
  cookie is HttpOnly, so a page of another origin can neither read the token nor compute it.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection

from imgwired.errors import CrossSiteRequestError
from imgwired.ratelimits.client_ip import TrustedProxies
from imgwired.web.dashboard.session import is_https

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PURPOSE = b"imgwired dashboard csrf token"


def csrf_token(session_secret: str) -> str:
    """The session's token; the same for the session's whole life, never the secret itself."""
    return hmac.new(session_secret.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def check_token(session_secret: str, submitted: str | None) -> None:
    """Refuse a state-changing request whose token is missing or not the session's."""
    expected = csrf_token(session_secret)
    if not submitted or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise CrossSiteRequestError(
            f"This request needs the dashboard's CSRF token (the {FORM_FIELD} form field or "
            f"the {HEADER} header); reload the page and try again"
        )


def check_origin(headers: Headers, method: str, own_origins: frozenset[str]) -> None:
    """Refuse a request that a page of another origin made.

    A top-level navigation that the user typed (``Sec-Fetch-Site: none``) is fine for a read;
    anything that changes state must say ``same-origin``. Old browsers send neither header: the
    token alone then protects the request.
    """
    site = headers.get("sec-fetch-site")
    allowed_sites = ("same-origin",) if method in UNSAFE_METHODS else ("same-origin", "none")
    if site is not None and site not in allowed_sites:
        raise CrossSiteRequestError(
            f"A request from another site ({site}) cannot use the dashboard session"
        )
    origins = headers.getlist("origin")
    if len(origins) > 1 or (origins and origins[0] not in own_origins):
        shown = ", ".join(origins)[:256]
        raise CrossSiteRequestError(
            f"A request from the origin {shown!r} cannot use the dashboard session"
        )


def own_origins(host: str | None, https: bool, public_url: str) -> frozenset[str]:
    """The origins the dashboard is served from: the one the browser reached and the
    configured public URL's."""
    origins = {origin_of(public_url)}
    if host:
        origins.add(f"{'https' if https else 'http'}://{host.lower()}")
    return frozenset(origins)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, as browsers serialise an origin (default port left
    out)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def verify_request(
    connection: HTTPConnection,
    *,
    session_secret: str,
    submitted_token: str | None,
    proxies: TrustedProxies,
    public_url: str,
) -> None:
    """Both checks for a request made with the session cookie: its origin always, its token
    when it changes state. Raises ``CrossSiteRequestError`` (403)."""
    method = connection.scope["method"]
    origins = own_origins(connection.headers.get("host"), is_https(connection, proxies), public_url)
    check_origin(connection.headers, method, origins)
    if method in UNSAFE_METHODS:
        check_token(session_secret, submitted_token)
