"""Small steps shared by the SDK tests."""

from __future__ import annotations

import io
import zipfile

import httpx
from anyio.from_thread import BlockingPortal

from tests.client.servers import Server
from tests.client.transports import PortalTransport


def fetch(server: Server, portal: BlockingPortal, url: str) -> httpx.Response:
    """GET an absolute URL the server handed out (CDN, download), the way a browser would."""
    transport = None if server.over_socket else PortalTransport(server.app, portal)
    with httpx.Client(transport=transport) as http:
        return http.get(url)


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sorted(archive.namelist())
