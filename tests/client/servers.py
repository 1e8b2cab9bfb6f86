"""Real HTTP servers on loopback for SDK tests: an ASGI app under uvicorn in a thread.

``serve_in_thread`` runs any ASGI app (the imgwired app with its lifespan, or ``ScriptedApp``)
on a socket bound beforehand, so the port is known before the app is built and never raced for.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

STARTUP_SECONDS = 20


def bound_socket() -> socket.socket:
    """A TCP socket bound to a free loopback port, for ``serve_in_thread``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class _ThreadServer(uvicorn.Server):
    """uvicorn that says when it is listening, so the test waits on an event, not a clock."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextmanager
def serve_in_thread(app: ASGIApp, sock: socket.socket) -> Iterator[str]:
    """Serve ``app`` on ``sock`` (lifespan on) until the block ends; yields the base URL."""
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = _ThreadServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not server.ready.wait(STARTUP_SECONDS):
            raise RuntimeError("uvicorn did not start")
        yield base_url_of(sock)
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)


@dataclass(frozen=True)
class Server:
    """The app under test, running; ``over_socket`` is False when reached in-process."""

    app: FastAPI
    base_url: str
    over_socket: bool


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedApp:
    """Answers requests with ``replies`` in order (the last one repeats) and records them.

    ``hold`` makes every request wait until it is set (or ``hold_seconds`` pass) before the
    answer: a server that is slower than the client's timeout.
    """

    replies: list[Reply]
    seen: list[Seen] = field(default_factory=list)
    hold: threading.Event | None = None
    hold_seconds: float = 5.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.seen.append(Seen(scope["method"], scope["path"], headers, body))
        if self.hold is not None:
            await anyio.to_thread.run_sync(self.hold.wait, self.hold_seconds)
        reply = self.replies[min(len(self.seen), len(self.replies)) - 1]
        payload = json.dumps(reply.body).encode()
        raw_headers = [(b"content-type", b"application/json")]
        raw_headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        await send({"type": "http.response.start", "status": reply.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": payload})
