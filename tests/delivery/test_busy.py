"""Renders are bounded: beyond the threads and the queue, a clear 503 instead of a pile-up."""

from __future__ import annotations

import anyio
import httpx
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.images.helpers import noisy_jpeg, path_of, upload


def test_renders_beyond_the_threads_and_the_queue_are_refused(
    settings: Settings, tenant: Tenant
) -> None:
    narrow = create_app(
        settings.model_copy(update={"transform_threads": 1, "transform_queue_limit": 0})
    )
    with TestClient(narrow, raise_server_exceptions=False) as client:
        image = upload(narrow, client, tenant.server, noisy_jpeg(3000, 2000))
        base = path_of(image["cdn_url"])

        async def burst() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=narrow)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                responses: list[httpx.Response] = []

                async def fetch(width: int) -> None:
                    responses.append(await http.get(f"{base}?w={width}&format=png"))

                async with anyio.create_task_group() as group:
                    for width in range(300, 306):
                        group.start_soon(fetch, width)
                return responses

        answers = anyio.run(burst)
    statuses = sorted(response.status_code for response in answers)
    assert 200 in statuses and 503 in statuses, statuses
    refused = next(response for response in answers if response.status_code == 503)
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error_type"] == "ServiceBusyError"
