"""Server-side fetching of user-supplied URLs, refusing anything that could reach inside.

``fetch(url, sink)`` parses the URL (``urls``), resolves its host once, checks every address
(``addresses``), connects to exactly those addresses (``pinning``), follows redirects by hand
under the same rules, and streams the body to ``sink`` under size and time limits (``fetch``).

The errors::

    ImgwiredError
    └── FetchError                   base of every fetcher error
        ├── InvalidFetchUrlError     not http(s), userinfo, no host, too long, malformed
        ├── ForbiddenAddressError    the host is or resolves to a non-public address
        ├── TooManyRedirectsError    more than ``max_redirects`` redirects
        ├── FetchTooLargeError       Content-Length or the streamed body exceeds ``max_bytes``
        └── FetchFailedError         unreachable host, broken response, or a non-2xx status
            └── FetchTimeoutError    connect, read or the total time limit ran out
"""

from __future__ import annotations

from imgwired.ingest.addresses import IPAddress, IPNetwork, check_address
from imgwired.ingest.errors import (
    FetchError,
    FetchFailedError,
    FetchTimeoutError,
    FetchTooLargeError,
    ForbiddenAddressError,
    InvalidFetchUrlError,
    TooManyRedirectsError,
)
from imgwired.ingest.fetch import FetchResult, Resolver, fetch, resolve_checked, system_resolver
from imgwired.ingest.urls import FetchTarget, parse_fetch_url

__all__ = [
    "FetchError",
    "FetchFailedError",
    "FetchResult",
    "FetchTarget",
    "FetchTimeoutError",
    "FetchTooLargeError",
    "ForbiddenAddressError",
    "IPAddress",
    "IPNetwork",
    "InvalidFetchUrlError",
    "Resolver",
    "TooManyRedirectsError",
    "check_address",
    "fetch",
    "parse_fetch_url",
    "resolve_checked",
    "system_resolver",
]
