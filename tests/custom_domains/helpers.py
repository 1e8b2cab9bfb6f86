"""The small steps of the custom-domain flow, through HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from imgwired.config import Settings
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns

DOMAIN = "/api/v1/custom_domain/"
TEST_CONNECTION = "/api/v1/custom_domain/test_connection"
TARGET = "cdn.imgwired.example"


def resolving_through(settings: Settings, dns_server: FakeDns) -> Settings:
    """``settings`` resolving through ``dns_server``, with a short timeout and our CNAME target."""
    return settings.model_copy(
        update={
            "custom_domain_dns_servers": [dns_server.address],
            "custom_domain_dns_timeout_seconds": 0.5,
            "custom_domain_cname_target": TARGET,
        }
    )


def create(client: TestClient, tenant: Tenant, hostname: str) -> dict[str, Any]:
    response = client.post(DOMAIN, json={"hostname": hostname}, headers=tenant.server)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def check(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    """POST test_connection; the domain as it now is."""
    response = client.post(TEST_CONNECTION, headers=tenant.server)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def connect(client: TestClient, tenant: Tenant, dns: FakeDns, hostname: str) -> dict[str, Any]:
    """Create ``hostname``, point its CNAME at us and test it: a CONNECTED domain."""
    create(client, tenant, hostname)
    dns.point(hostname, TARGET)
    domain = check(client, tenant)
    assert domain["status"] == "CONNECTED", domain
    return domain
