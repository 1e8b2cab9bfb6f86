"""SDK fixtures: the real app, reached in this process or over a real socket.

``server`` runs the app one of two ways (tests that take it run once each): ``in_process``
(its lifespan run by the TestClient, requests through ``PortalTransport`` / ``ASGITransport``)
or ``socket`` (uvicorn in a thread on loopback). ``connect`` / ``aconnect`` make SDK clients
wired to it. The app's public URL is the socket's address in both ways, so upload URLs point
back at it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from imgwired.accounts.organization import Initialized
from imgwired.client import AsyncImgwireClient, ImgwireClient
from imgwired.config import Settings
from tests.client.servers import Server, base_url_of, bound_socket, serve_in_thread
from tests.client.transports import PortalTransport


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = bound_socket()
    with sock:
        yield sock


@pytest.fixture
def settings(settings: Settings, listener: socket.socket) -> Settings:
    # Jobs run in the app, as in production: ``upload(wait=True)`` waits for them to finish.
    update = {"public_url": base_url_of(listener), "run_jobs_in_process": True}
    return settings.model_copy(update=update)


@pytest.fixture(params=["in_process", "socket"])
def server(
    request: pytest.FixtureRequest, app: FastAPI, listener: socket.socket
) -> Iterator[Server]:
    if request.param == "in_process":
        request.getfixturevalue("client")  # the TestClient runs the app's lifespan
        yield Server(app, base_url_of(listener), over_socket=False)
        return
    with serve_in_thread(app, listener) as base_url:
        yield Server(app, base_url, over_socket=True)


@pytest.fixture
def installed(app: FastAPI, server: Server) -> Initialized:
    """``init`` on the running app (the shared fixture would start a TestClient)."""
    initialized: Initialized = app.state.services.organization.initialize(
        environment_name="production"
    )
    return initialized


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as blocking_portal:
        yield blocking_portal


Connect = Callable[..., ImgwireClient]
AsyncConnect = Callable[..., AsyncImgwireClient]


@pytest.fixture
def connect(server: Server, portal: BlockingPortal) -> Iterator[Connect]:
    """``connect(api_key, **options)``: a sync SDK client of ``server``, closed afterwards."""
    made: list[ImgwireClient] = []

    def make(api_key: str, **options: Any) -> ImgwireClient:
        if not server.over_socket:
            options.setdefault("transport", PortalTransport(server.app, portal))
        sdk = ImgwireClient(api_key=api_key, base_url=server.base_url, **options)
        made.append(sdk)
        return sdk

    yield make
    for sdk in made:
        sdk.close()


@pytest.fixture
def aconnect(server: Server) -> AsyncConnect:
    """``aconnect(api_key, **options)``: an async SDK client of ``server``; use ``async with``."""

    def make(api_key: str, **options: Any) -> AsyncImgwireClient:
        if not server.over_socket:
            options.setdefault("transport", httpx.ASGITransport(app=server.app))
        return AsyncImgwireClient(api_key=api_key, base_url=server.base_url, **options)

    return make
