"""Fetch a user-supplied URL from the server side without letting it reach internal services.

Each hop (the first URL and every redirect) is parsed, resolved once, and every resolved address
checked before one byte is sent; the connection then goes to those checked addresses, never to a
fresh lookup of the name. Redirects are followed by hand so that each hop passes the same checks.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import ip_address

import httpx

from imgwired.ingest import pinning
from imgwired.ingest.addresses import IPAddress, IPNetwork, check_address
from imgwired.ingest.errors import (
    FetchFailedError,
    FetchTimeoutError,
    FetchTooLargeError,
    ForbiddenAddressError,
    InvalidFetchUrlError,
    TooManyRedirectsError,
)
from imgwired.ingest.urls import FetchTarget, parse_fetch_url, resolve_location

Resolver = Callable[[str, int], list[IPAddress]]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a successful fetch delivered; ``content_type`` is the raw header value, if any."""

    final_url: str
    status: int
    content_type: str | None
    size: int
    redirects: int


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve ``host`` with ``getaddrinfo``: every distinct TCP address, in libc's order."""
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ip_address(str(sockaddr[0]))
            if address not in addresses:
                addresses.append(address)
    return addresses


def fetch(
    url: str,
    sink: Callable[[bytes], None],
    *,
    max_bytes: int = 100 * 1024 * 1024,
    connect_timeout: float = 5,
    read_timeout: float = 15,
    total_timeout: float = 60,
    max_redirects: int = 5,
    allowed_networks: Sequence[IPNetwork] = (),
    resolver: Resolver = system_resolver,
    user_agent: str = "imgwired/0.1",
) -> FetchResult:
    """GET ``url``, following safe redirects, and pass the body to ``sink`` chunk by chunk.

    Raises a ``FetchError`` subclass for a refused URL or address, too many redirects, a body over
    ``max_bytes``, a timeout (``total_timeout`` covers every hop and the body) or a non-2xx
    answer. The sink may already have received part of the body when an error is raised.
    """
    deadline = time.monotonic() + total_timeout
    timeout = httpx.Timeout(
        connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
    )
    headers = {
        "User-Agent": user_agent,
        "Accept": "*/*",
        # Decoding gzip would let a small body expand past max_bytes within a single chunk.
        "Accept-Encoding": "identity",
    }
    target = parse_fetch_url(url)
    redirects = 0
    while True:
        addresses = resolve_checked(target, resolver, allowed_networks)
        with _exchange(target, addresses, deadline, total_timeout, timeout, headers) as response:
            location = response.headers.get("location")
            if response.status_code not in _REDIRECT_STATUSES or location is None:
                size = _stream_body(target, response, sink, max_bytes, deadline, total_timeout)
                return FetchResult(
                    final_url=target.url,
                    status=response.status_code,
                    content_type=response.headers.get("content-type"),
                    size=size,
                    redirects=redirects,
                )
        if redirects >= max_redirects:
            raise TooManyRedirectsError(f"more than {max_redirects} redirects")
        redirects += 1
        target = resolve_location(target, location)


def resolve_checked(
    target: FetchTarget, resolver: Resolver, allowed_networks: Sequence[IPNetwork] = ()
) -> list[IPAddress]:
    """Resolve the target's host once; return its addresses if every one passes check_address."""
    literal = target.address
    if literal is not None:
        check_address(literal, allowed_networks=allowed_networks)
        return [literal]
    try:
        addresses = resolver(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise FetchFailedError(f"could not resolve {target.host}") from exc
    if not addresses:
        raise FetchFailedError(f"{target.host} has no addresses")
    # One forbidden record refuses the lot: an attacker can publish public and private records
    # side by side and hope the client tries the private one.
    for address in addresses:
        try:
            check_address(address, allowed_networks=allowed_networks)
        except ForbiddenAddressError as exc:
            # The caller sees the category, not the internal address the name points at.
            raise ForbiddenAddressError(
                f"{target.host} resolves to a forbidden address ({exc.category})",
                category=exc.category,
            ) from exc
    return addresses


@contextmanager
def _exchange(
    target: FetchTarget,
    addresses: Sequence[IPAddress],
    deadline: float,
    total_timeout: float,
    timeout: httpx.Timeout,
    headers: dict[str, str],
) -> Iterator[httpx.Response]:
    """Send one GET over a connection pinned to ``addresses`` and yield the streaming response."""
    backend = pinning.PinnedBackend(host=target.host, addresses=addresses, deadline=deadline)
    with (
        _translate_errors(target, deadline, total_timeout),
        # trust_env=False: a proxy from HTTP(S)_PROXY would dial the name itself, unpinned.
        httpx.Client(
            transport=pinning.PinnedTransport(backend),
            trust_env=False,
            follow_redirects=False,
            timeout=timeout,
            headers=headers,
        ) as client,
        client.stream("GET", target.url) as response,
    ):
        yield response


def _stream_body(
    target: FetchTarget,
    response: httpx.Response,
    sink: Callable[[bytes], None],
    max_bytes: int,
    deadline: float,
    total_timeout: float,
) -> int:
    """Check the final response, then copy its body to ``sink``; return the byte count."""
    status = response.status_code
    if not 200 <= status < 300:
        raise FetchFailedError(f"{target.host} answered with HTTP status {status}")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise FetchFailedError(f"{target.host} sent a {encoding}-encoded body despite identity")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchTooLargeError(f"the body is {declared} bytes; the limit is {max_bytes}")
    size = 0
    # iter_raw, not iter_bytes: the bytes counted are the bytes received, never a decoded expansion.
    for chunk in response.iter_raw():
        if size + len(chunk) > max_bytes:
            raise FetchTooLargeError(f"the body is larger than the limit of {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise _total_timeout(target, total_timeout)
        sink(chunk)
        size += len(chunk)
    return size


@contextmanager
def _translate_errors(target: FetchTarget, deadline: float, total_timeout: float) -> Iterator[None]:
    """Turn httpx's transport errors into fetch errors whose detail names only the host."""
    try:
        yield
    except httpx.TimeoutException as exc:
        if time.monotonic() >= deadline:
            raise _total_timeout(target, total_timeout) from exc
        action = "connecting to" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
        raise FetchTimeoutError(f"timed out {action} {target.host}") from exc
    except httpx.ConnectError as exc:
        raise FetchFailedError(_connect_failure(target.host, exc)) from exc
    except httpx.HTTPError as exc:
        raise FetchFailedError(f"{target.host} sent an invalid or incomplete response") from exc
    except httpx.InvalidURL as exc:
        raise InvalidFetchUrlError(f"the URL for {target.host} is not valid") from exc


def _connect_failure(host: str, exc: BaseException) -> str:
    """Say whether TLS or the connection itself failed, without the OS's wording or addresses."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the TLS certificate of {host} could not be verified"
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake with {host} failed"
        cause = cause.__cause__ or cause.__context__
    return f"could not connect to {host}"


def _total_timeout(target: FetchTarget, total_timeout: float) -> FetchTimeoutError:
    return FetchTimeoutError(f"fetching from {target.host} took longer than {total_timeout:g} s")
