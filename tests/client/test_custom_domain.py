"""``client.custom_domain``: create, check against a DNS server on loopback, delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imgwired.client import (
    ConflictError,
    CustomDomainStatus,
    NotFoundError,
    UnprocessableEntityError,
)
from imgwired.config import Settings
from tests.client.conftest import Connect
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import TARGET, resolving_through

HOST = "images.example.com"


@pytest.fixture
def dns_server() -> Iterator[FakeDns]:
    with FakeDns() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, dns_server: FakeDns) -> Settings:
    return resolving_through(settings, dns_server)


def test_create_check_and_delete(connect: Connect, tenant: Tenant, dns_server: FakeDns) -> None:
    sdk = connect(tenant.server_key)

    created = sdk.custom_domain.create("Images.Example.com")
    unpointed = sdk.custom_domain.test_connection()
    dns_server.point(HOST, TARGET)
    connected = sdk.custom_domain.test_connection()

    assert created.hostname == HOST
    assert created.status == CustomDomainStatus.PENDING
    assert created.cname_record == HOST and created.cname_value == TARGET
    assert unpointed.status == CustomDomainStatus.FAILED
    assert connected.status == CustomDomainStatus.CONNECTED
    assert connected.last_verified_at is not None
    assert sdk.custom_domain.retrieve() == connected
    assert sdk.custom_domain.delete()["status"] == "deleted"
    with pytest.raises(NotFoundError) as caught:
        sdk.custom_domain.retrieve()
    assert caught.value.error_type == "CustomDomainNotFoundError"


def test_errors(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(NotFoundError):
        sdk.custom_domain.test_connection()
    with pytest.raises(UnprocessableEntityError):
        sdk.custom_domain.create("not a hostname")
    sdk.custom_domain.create(HOST)
    with pytest.raises(ConflictError):
        sdk.custom_domain.create("other.example.com")
