"""Custom-domain fixtures: a DNS server on loopback, and the app pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imgwired.config import Settings
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import resolving_through


@pytest.fixture
def dns_server() -> Iterator[FakeDns]:
    with FakeDns() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, dns_server: FakeDns) -> Settings:
    """The shared settings, resolving through ``dns_server`` with a short timeout."""
    return resolving_through(settings, dns_server)
