"""The Custom domain page over HTTP: the create form without a domain; with one, its status,
the DNS records from the service, and the last test's result as DNS answered it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imgwired.config import Settings
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import TARGET, check, create, resolving_through
from tests.dashboard.conftest import Dashboard

HOSTNAME = "images.example.com"


@pytest.fixture
def dns_server() -> Iterator[FakeDns]:
    with FakeDns() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, dns_server: FakeDns) -> Settings:
    return resolving_through(settings, dns_server)


def test_without_a_domain_the_page_offers_to_add_one(server_dashboard: Dashboard) -> None:
    page = server_dashboard.client.get("/dashboard/custom-domain")
    assert page.status_code == 200
    assert 'id="domain-create"' in page.text
    assert f"<code>{TARGET}</code>" in page.text
    assert 'id="domain-test"' not in page.text


def test_the_page_shows_status_records_and_the_last_test(
    server_dashboard: Dashboard, tenant: Tenant, dns_server: FakeDns
) -> None:
    client = server_dashboard.client
    created = create(client, tenant, HOSTNAME)
    text = client.get("/dashboard/custom-domain").text
    assert "Not tested yet" in text
    for record in ("cname_record", "cname_value", "dcv_cname_record", "dcv_cname_value"):
        assert f"<code>{created[record]}</code>" in text
    assert 'id="domain-create"' not in text

    assert check(client, tenant)["status"] == "FAILED"
    text = client.get("/dashboard/custom-domain").text
    assert "Not connected" in text
    assert 'id="domain-error"' in text

    dns_server.point(HOSTNAME, TARGET)
    assert check(client, tenant)["status"] == "CONNECTED"
    text = client.get("/dashboard/custom-domain").text
    assert '<strong class="status-ok">Connected</strong>' in text
    assert 'id="domain-error"' not in text
    assert "<dt>Last connected</dt><dd><time" in text
