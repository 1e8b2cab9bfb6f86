"""The client address as ``imgwired serve`` sees it: X-Forwarded-For is believed only from
``IMGWIRED_TRUSTED_PROXIES``, never because a request came from loopback (uvicorn's default)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, serving

BURST = 3


def _statuses(base: str, client_key: str) -> list[int]:
    """One request per forwarded address, all for an image that does not exist."""
    image = f"{base}/api/v1/images/{uuid.uuid4()}"
    return [
        httpx.get(
            image,
            headers={"Authorization": f"Bearer {client_key}", "X-Forwarded-For": f"203.0.113.{n}"},
            timeout=10,
        ).status_code
        for n in range(BURST + 2)
    ]


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("[]", [404] * BURST + [429, 429]),  # one bucket: the peer's, 127.0.0.1
        ('["127.0.0.1/32"]', [404] * (BURST + 2)),  # a trusted proxy names each client
    ],
    ids=["untrusted loopback", "trusted proxy"],
)
def test_forwarded_addresses_count_only_from_trusted_proxies(
    tmp_path: Path, trusted: str, expected: list[int]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    env.update(
        IMGWIRED_DATA_DIR=str(tmp_path / "data"),
        IMGWIRED_PORT=str(free_port()),
        IMGWIRED_TRUSTED_PROXIES=trusted,
        IMGWIRED_RATE_LIMIT_IP_BURST=str(BURST),
        IMGWIRED_RATE_LIMIT_IP_PER_SECOND="0.01",
    )
    with serving(env) as server:
        found = re.search(r"ck_[A-Za-z0-9]{43}", server.text())
        assert found, server.text()
        assert _statuses(server.base, found.group(0)) == expected
