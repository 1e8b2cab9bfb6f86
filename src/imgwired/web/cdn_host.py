"""Delivery by Host header: a CDN host of its own serves ``/cdn/...`` at its root path.

With ``IMGWIRED_CDN_BASE_URL=https://cdn.example.com`` a request for
``https://cdn.example.com/<org>/<env>/<image>`` is served as ``/cdn/<org>/<env>/<image>``; a base
with a path (``https://example.com/images``) strips that path instead. Other hosts, and paths
outside the base on the CDN host, are left as they are.

On a CONNECTED custom domain, ``https://images.example.com/<image>[@preset]?params`` is served
as ``/cdn/<organization>/<environment>/<image>[@preset]``: every path on such a host is a
delivery path; the API is not reachable there.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from imgwired.custom_domains.connected import ConnectedDomains
from imgwired.custom_domains.hostnames import normalise_host_header
from imgwired.paths import CDN_PREFIX

# Maps a request's host (lowercase, port included as sent) and path to the path that serves it,
# or None when the host is not a delivery host.
PathResolver = Callable[[str, str], str | None]
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CdnHostMiddleware:
    def __init__(self, app: ASGIApp, *, resolvers: list[PathResolver]) -> None:
        self.app = app
        self.resolvers = resolvers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.resolvers:
            host = _host_of(scope)
            if host:
                for resolve in self.resolvers:
                    path = resolve(host, scope["path"])
                    if path is not None:
                        scope = {**scope, "path": path, "raw_path": path.encode()}
                        break
        await self.app(scope, receive, send)


def configured_cdn_host(cdn_base_url: str | None, public_url: str) -> PathResolver | None:
    """The resolver for a configured CDN base on a host other than the API's, else None."""
    if not cdn_base_url:
        return None
    cdn = urlsplit(cdn_base_url.rstrip("/"))
    api = urlsplit(public_url)
    cdn_host = _authority(cdn.scheme, cdn.hostname, cdn.port)
    if cdn_host is None or cdn_host == _authority(api.scheme, api.hostname, api.port):
        return None  # served under /cdn on the API's own host: nothing to rewrite
    base_path = cdn.path
    hosts = _spellings(cdn.scheme, cdn.hostname or "", cdn.port)

    def resolve(host: str, path: str) -> str | None:
        if host not in hosts:
            return None
        if base_path:
            if not path.startswith(base_path + "/"):
                return None
            path = path[len(base_path) :]
        return CDN_PREFIX.rstrip("/") + path

    return resolve


def _host_of(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"host":
            host: str = value.decode("latin-1").lower()
            return host
    return None


def _authority(scheme: str, hostname: str | None, port: int | None) -> str | None:
    if not hostname:
        return None
    return f"{hostname.lower()}:{port or _DEFAULT_PORTS.get(scheme, 80)}"


def _spellings(scheme: str, hostname: str, port: int | None) -> frozenset[str]:
    """How a Host header may name this host: with its port, and without it when it is the
    scheme's default."""
    hostname = f"[{hostname.lower()}]" if ":" in hostname else hostname.lower()
    effective = port or _DEFAULT_PORTS.get(scheme, 80)
    names = {f"{hostname}:{effective}"}
    if effective == _DEFAULT_PORTS.get(scheme):
        names.add(hostname)
    return frozenset(names)


def custom_domain_resolver(domains: ConnectedDomains) -> PathResolver:
    """A ``CdnHostMiddleware`` resolver over the connected domains (memory only, any port)."""

    def resolve(host: str, path: str) -> str | None:
        hostname = normalise_host_header(host)
        domain = domains.by_hostname(hostname) if hostname else None
        if domain is None:
            return None
        return f"{CDN_PREFIX}{domain.organization_id}/{domain.environment_id}{path}"

    return resolve
