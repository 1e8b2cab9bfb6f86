"""An httpx transport that dials addresses checked in advance and stops at a wall-clock deadline.

httpx and httpcore resolve the URL's host themselves when they connect. That second lookup is
what DNS rebinding exploits (public answer when checked, private answer when dialled), so this
network backend ignores the name it is given and dials the pinned addresses instead. The URL
keeps its hostname, so the Host header, TLS SNI and certificate checks still use the name.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
import httpx

from imgwired.ingest.addresses import IPAddress


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to ``addresses`` (in order) whatever host httpcore asks for, until ``deadline``."""

    def __init__(self, *, host: str, addresses: Sequence[IPAddress], deadline: float) -> None:
        if not addresses:
            raise ValueError("a pinned backend needs at least one address")
        self.host = host
        self.addresses = tuple(addresses)
        self.deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        # The pool only ever dials the URL's own host; anything else means a proxy or a bug.
        if host.lower() != self.host.lower():
            raise httpcore.ConnectError(f"refusing to connect to unpinned host {host!r}")
        error: httpcore.ConnectError | None = None
        for address in self.addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_clamp(timeout, self.deadline, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return DeadlineStream(stream, self.deadline)
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the fetcher never connects to Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write gives up at ``deadline``."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, self._deadline, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, self._deadline, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, self._deadline, httpcore.ConnectTimeout)
        tls = self._inner.start_tls(ssl_context, server_hostname, timeout)
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` whose connection pool dials through ``backend``."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, trust_env=False)
        # HTTPTransport takes no network_backend, so its (still unused) pool is swapped for one
        # that has ours; everything else, including exception mapping, stays httpx's own.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=1, network_backend=backend
        )


def _clamp(timeout: float | None, deadline: float, error: type[httpcore.TimeoutException]) -> float:
    """Shorten ``timeout`` to the time left before ``deadline``; raise ``error`` if none is left."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        # A zero socket timeout would mean non-blocking, not "expired", so fail here instead.
        raise error("the total time limit was reached")
    return remaining if timeout is None else min(timeout, remaining)
