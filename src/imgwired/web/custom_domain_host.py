"""Delivery on a CONNECTED custom domain: ``https://images.example.com/<image>[@preset]?params``
is served as ``/cdn/<organization>/<environment>/<image>[@preset]``.

Every path on such a host is a delivery path; the API is not reachable there.
"""

from __future__ import annotations

from imgwired.custom_domains.connected import ConnectedDomains
from imgwired.custom_domains.hostnames import normalise_host_header
from imgwired.paths import CDN_PREFIX
from imgwired.web.cdn_host import PathResolver


def custom_domain_resolver(domains: ConnectedDomains) -> PathResolver:
    """A ``CdnHostMiddleware`` resolver over the connected domains (memory only, any port)."""

    def resolve(host: str, path: str) -> str | None:
        hostname = normalise_host_header(host)
        domain = domains.by_hostname(hostname) if hostname else None
        if domain is None:
            return None
        return f"{CDN_PREFIX}{domain.organization_id}/{domain.environment_id}{path}"

    return resolve
