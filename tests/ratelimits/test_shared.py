"""Two app instances on one database: with Redis they share each bucket, without it each
process counts on its own (the control that shows the sharing is Redis's doing)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.ratelimits.conftest import REDIS_URL

BURST = 6
# One token a minute: a run of this test sees at most one refill.
PER_SECOND = 1 / 60
REQUESTS = 3 * BURST


@contextmanager
def two_instances(settings: Settings) -> Iterator[list[TestClient]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(TestClient(create_app(settings), raise_server_exceptions=False))
            for _ in range(2)
        ]


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"rate_limit_key_per_second": PER_SECOND, "rate_limit_key_burst": BURST}
    )


def admitted_across(instances: list[TestClient], tenant: Tenant) -> int:
    # A client-callable endpoint (only those are limited); the image does not exist: 404.
    image = f"/api/v1/images/{uuid.uuid4()}"
    statuses = [
        instance.get(image, headers=tenant.server).status_code
        for instance in itertools.islice(itertools.cycle(instances), REQUESTS)
    ]
    assert set(statuses) <= {404, 429}
    return statuses.count(404)


def test_instances_sharing_redis_share_the_limit(
    limited: Settings, redis_prefix: str, tenant: Tenant
) -> None:
    shared = limited.model_copy(
        update={"redis_url": REDIS_URL, "rate_limit_redis_prefix": redis_prefix}
    )
    with two_instances(shared) as instances:
        assert BURST <= admitted_across(instances, tenant) <= BURST + 1


def test_instances_without_redis_count_on_their_own(limited: Settings, tenant: Tenant) -> None:
    with two_instances(limited) as instances:
        assert admitted_across(instances, tenant) >= 2 * BURST
