"""Concurrent first hits of one rendition, spread over two processes, render it once: the
scheduler joins them within a process, the render lease (Redis, or a database row) across.

The renders are counted from the ``imgwired.renders`` debug record each one writes.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.bus.conftest import Process
from tests.conftest import Tenant
from tests.images.helpers import jpeg, path_of, upload

# Slow enough (a few hundred ms) that every request arrives while the first render runs.
SLOW = "?w=2000&blur=40"
HITS_PER_PROCESS = 4


def renders(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("rendered ")]


def test_concurrent_first_hits_over_two_processes_render_once(
    app: FastAPI,
    client: TestClient,
    tenant: Tenant,
    other: Process,
    caplog: pytest.LogCaptureFixture,
) -> None:
    image = upload(app, client, tenant.server, jpeg(2400, 1800))
    cdn = path_of(image["cdn_url"]) + SLOW
    clients = [client, other.client] * HITS_PER_PROCESS
    start = threading.Barrier(len(clients))

    def hit(each: TestClient) -> tuple[int, bytes]:
        start.wait()
        response = each.get(cdn)
        return response.status_code, response.content

    caplog.set_level(logging.DEBUG, logger="imgwired.renders")
    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(hit, clients))

    assert [status for status, _ in answers] == [200] * len(clients)
    assert len({body for _, body in answers}) == 1  # the same bytes everywhere
    assert len(renders(caplog)) == 1, renders(caplog)
    # And afterwards both serve the stored rendition without rendering again.
    assert other.client.get(cdn).status_code == 200
    assert len(renders(caplog)) == 1
