"""``POST /custom_domain/test_connection``: a real DNS query decides, and every outcome is kept."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.custom_domains import repository as repo
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import DOMAIN, TARGET, TEST_CONNECTION, check, create

HOST = "images.example.com"


def last_error(app: FastAPI, tenant: Tenant) -> str:
    """What the last failed test found (ours: stored, not in the contract's schema)."""
    with app.state.services.database.reading() as session:
        domain = repo.get_for_environment(session, tenant.environment_id)
        assert domain is not None
        return domain.last_error or ""


@pytest.mark.parametrize("target", [TARGET, TARGET.upper() + ".", "Cdn.ImgWired.Example"])
def test_pending_to_connected(
    app: FastAPI, client: TestClient, tenant: Tenant, dns_server: FakeDns, target: str
) -> None:
    created = create(client, tenant, HOST)
    dns_server.point(HOST, target)
    domain = check(client, tenant)
    assert (domain["status"], domain["certificate_status"]) == ("CONNECTED", "ACTIVE")
    verified = datetime.fromisoformat(domain["last_verified_at"])
    assert verified >= datetime.fromisoformat(created["created_at"])
    assert domain["updated_at"] >= created["updated_at"]
    assert dns_server.queries == [HOST]
    assert last_error(app, tenant) == ""
    assert client.get(DOMAIN, headers=tenant.server).json() == domain


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda dns: None, "NXDOMAIN"),
        (lambda dns: dns.exists.add(HOST), "no CNAME"),
        (lambda dns: dns.point(HOST, "elsewhere.example.net."), "CNAME to elsewhere.example.net"),
        (lambda dns: dns.point(HOST, "dcv.cdn.imgwired.example"), "CNAME to dcv.cdn"),
        (lambda dns: dns.servfail.add(HOST), "SERVFAIL"),
        (lambda dns: dns.drop.add(HOST), "timeout"),
    ],
)
def test_pending_to_failed_says_what_dns_showed(
    app: FastAPI, client: TestClient, tenant: Tenant, dns_server: FakeDns, setup: object, words: str
) -> None:
    create(client, tenant, HOST)
    assert callable(setup)
    setup(dns_server)
    domain = check(client, tenant)
    assert (domain["status"], domain["certificate_status"]) == ("FAILED", "PENDING")
    assert domain["last_verified_at"] is None
    assert words in last_error(app, tenant)


def test_connected_failed_connected_connected(
    app: FastAPI, client: TestClient, tenant: Tenant, dns_server: FakeDns
) -> None:
    create(client, tenant, HOST)
    dns_server.point(HOST, TARGET)
    connected = check(client, tenant)
    assert connected["status"] == "CONNECTED"

    dns_server.point(HOST, "old-cdn.example.net")
    failed = check(client, tenant)
    assert (failed["status"], failed["certificate_status"]) == ("FAILED", "FAILING")
    # The last successful verification is kept through failures.
    assert failed["last_verified_at"] == connected["last_verified_at"]
    assert "old-cdn.example.net" in last_error(app, tenant)

    dns_server.forget(HOST)
    still_failing = check(client, tenant)
    assert (still_failing["status"], still_failing["certificate_status"]) == ("FAILED", "FAILING")
    assert still_failing["last_verified_at"] == connected["last_verified_at"]

    dns_server.point(HOST, TARGET)
    again = check(client, tenant)
    assert (again["status"], again["certificate_status"]) == ("CONNECTED", "ACTIVE")
    assert again["last_verified_at"] > connected["last_verified_at"]
    assert last_error(app, tenant) == ""

    once_more = check(client, tenant)
    assert (once_more["status"], once_more["certificate_status"]) == ("CONNECTED", "ACTIVE")
    assert once_more["last_verified_at"] > again["last_verified_at"]


def test_failed_then_connected(client: TestClient, tenant: Tenant, dns_server: FakeDns) -> None:
    create(client, tenant, HOST)
    assert check(client, tenant)["status"] == "FAILED"
    dns_server.point(HOST, TARGET)
    domain = check(client, tenant)
    assert (domain["status"], domain["certificate_status"]) == ("CONNECTED", "ACTIVE")
    assert domain["last_verified_at"] is not None


def test_a_timeout_is_reported_not_raised(
    app: FastAPI, client: TestClient, tenant: Tenant, dns_server: FakeDns
) -> None:
    create(client, tenant, HOST)
    dns_server.drop.add(HOST)
    response = client.post(TEST_CONNECTION, headers=tenant.server)
    assert response.status_code == 200
    assert response.json()["status"] == "FAILED"
    assert "0.5 seconds" in last_error(app, tenant)


def test_an_unreachable_dns_server_is_a_failure_not_a_500(
    settings: Settings, tenant: Tenant
) -> None:
    # Port 9 (discard) on loopback: nothing listens, so the query is refused or times out.
    configured = settings.model_copy(update={"custom_domain_dns_servers": ["127.0.0.1:9"]})
    app = create_app(configured)
    with TestClient(app, raise_server_exceptions=False) as offline:
        create(offline, tenant, HOST)
        response = offline.post(TEST_CONNECTION, headers=tenant.server)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "FAILED"


def test_each_environment_tests_its_own_domain(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, dns_server: FakeDns
) -> None:
    create(client, tenant, HOST)
    create(client, other_tenant, "images.example.org")
    dns_server.point(HOST, TARGET)
    assert check(client, other_tenant)["status"] == "FAILED"
    assert client.get(DOMAIN, headers=tenant.server).json()["status"] == "PENDING"
    assert check(client, tenant)["status"] == "CONNECTED"
    assert client.get(DOMAIN, headers=other_tenant.server).json()["status"] == "FAILED"
