"""What is stored is what starts: a refused hostname changes nothing, and a stored hostname that
no longer parses is skipped and reported, never failing a start or the other domains.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.db.models import CustomDomain, CustomDomainCertificateStatus, CustomDomainStatus
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import DOMAIN, TARGET, TEST_CONNECTION, connect, create

BROKEN = "img.example.1"  # what 'img.example.①' was stored as before the mapping came first


def skipped_gauge(client: TestClient, tenant: Tenant) -> int | None:
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    label = f'environment_id="{tenant.environment_id}"'
    for line in client.get("/metrics", headers=admin).text.splitlines():
        if line.startswith("imgwired_custom_domains_skipped{") and label in line:
            return int(line.rsplit(" ", 1)[1])
    return None


def tls_allowed(client: TestClient, hostname: str) -> bool:
    return client.get("/tls/ask", params={"domain": hostname}).status_code == 200


@pytest.mark.parametrize(
    "hostname", ["img.example.\u2460", "img.example.com\u3002\u3002", "\uff0a.example.com"]
)
def test_a_refused_hostname_changes_nothing(
    client: TestClient, tenant: Tenant, settings: Settings, hostname: str
) -> None:
    refused = client.post(DOMAIN, json={"hostname": hostname}, headers=tenant.server)
    assert refused.status_code == 422, refused.text
    assert client.get(DOMAIN, headers=tenant.server).status_code == 404
    with TestClient(create_app(settings), raise_server_exceptions=False) as restarted:
        assert restarted.get(DOMAIN, headers=tenant.server).status_code == 404
        assert create(restarted, tenant, "img.example.com")["hostname"] == "img.example.com"


def test_a_stored_hostname_that_no_longer_parses_is_skipped_and_reported(
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    settings: Settings,
    dns_server: FakeDns,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connect(client, other_tenant, dns_server, "images.example.com")
    database = Database(settings.resolved_database_url)
    try:
        with database.transaction() as session:
            session.execute(
                insert(CustomDomain).values(
                    environment_id=tenant.environment_id,
                    hostname=BROKEN,
                    status=CustomDomainStatus.CONNECTED,
                    certificate_status=CustomDomainCertificateStatus.ACTIVE,
                )
            )
    finally:
        database.dispose()
    caplog.set_level(logging.WARNING, logger="imgwired.custom_domains")
    with TestClient(create_app(settings), raise_server_exceptions=False) as restarted:
        # The start completed; the other environment's domain is served, this one is not.
        assert tls_allowed(restarted, "images.example.com")
        assert not tls_allowed(restarted, BROKEN)
        # The first app reloads every second too, so it may report the same row.
        warnings = [r.getMessage() for r in caplog.records if BROKEN in r.getMessage()]
        assert warnings
        for warning in warnings:
            assert str(tenant.environment_id) in warning
            assert "1 connected custom domain(s) skipped" in warning
        assert skipped_gauge(restarted, tenant) == 1
        assert skipped_gauge(restarted, other_tenant) is None

        # The row is shown as stored; testing it is refused and changes nothing.
        shown = restarted.get(DOMAIN, headers=tenant.server).json()
        assert (shown["hostname"], shown["status"]) == (BROKEN, "CONNECTED")
        dns_server.point(BROKEN, TARGET)
        tested = restarted.post(TEST_CONNECTION, headers=tenant.server)
        assert tested.status_code == 409, tested.text
        assert "delete it and create it again" in tested.json()["detail"]
        assert restarted.get(DOMAIN, headers=tenant.server).json() == shown

        # Deleting it and claiming a valid name works, and the report clears.
        assert restarted.delete(DOMAIN, headers=tenant.server).status_code == 200
        connect(restarted, tenant, dns_server, "img.example.com")
        assert tls_allowed(restarted, "img.example.com")
        assert skipped_gauge(restarted, tenant) is None
