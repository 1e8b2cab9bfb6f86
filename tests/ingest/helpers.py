"""Test helpers for the fetcher: a scriptable HTTP server on 127.0.0.1 and a resolver stub."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address, ip_network
from typing import Any

from imgwired.ingest import IPAddress

LOOPBACK_ONLY = (ip_network("127.0.0.1/32"),)

Route = Callable[["Handler"], None]


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


@dataclass
class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 whose paths are answered by ``routes``."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Server(ThreadingHTTPServer):
    # Join handler threads on close, so no test leaves a socket or thread behind.
    daemon_threads = False
    block_on_close = True

    def __init__(self, owner: LoopbackServer) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # The fetcher hangs up early on purpose in the limit tests.


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # A safety net: no handler outlives a broken test for long.
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.requests.append(
            SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
        )
        route = owner.routes.get(self.path.split("?", 1)[0])
        if route is None:
            respond(self, b"not found", status=404)
        else:
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def respond(
    handler: Handler,
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/octet-stream",
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with a complete body and close the connection."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def body(data: bytes, **kwargs: Any) -> Route:
    return lambda handler: respond(handler, data, **kwargs)


def redirect(location: str, status: int = 302) -> Route:
    return lambda handler: respond(handler, b"", status=status, headers={"Location": location})


def chunked(chunk: bytes, count: int) -> Route:
    """Send ``count`` copies of ``chunk`` with chunked transfer encoding (no Content-Length)."""

    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(count):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")

    return route


def drip(interval: float) -> Route:
    """Announce a large body, then send one byte per ``interval`` until the client hangs up."""

    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.send_header("Connection", "close")
        handler.end_headers()
        while not handler.server.owner.stop.wait(interval):
            handler.wfile.write(b"x")

    return route


def stall(handler: Handler) -> None:
    """Send headers, then nothing, until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Length", "10")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.rfile.read(1)  # Returns when the client closes the connection.


@contextmanager
def running_server(tls: ssl.SSLContext | None = None) -> Iterator[LoopbackServer]:
    """Serve on a free port of 127.0.0.1 (over TLS if given a context) until the block ends."""
    owner = LoopbackServer()
    httpd = _Server(owner)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    owner.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield owner
    finally:
        owner.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


Answer = Sequence[str] | Callable[[], Sequence[str]]


class StubResolver:
    """Maps names to fixed answers (or a callable per lookup) and records every lookup."""

    def __init__(self, answers: Mapping[str, Answer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answer = self.answers[host]
        return [ip_address(a) for a in (answer() if callable(answer) else answer)]


class Chunks(list[bytes]):
    """A sink that keeps every chunk it is given."""

    def __call__(self, chunk: bytes) -> None:
        self.append(chunk)

    @property
    def size(self) -> int:
        return sum(len(c) for c in self)


def closed_port() -> int:
    """A loopback port with nothing listening on it (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
