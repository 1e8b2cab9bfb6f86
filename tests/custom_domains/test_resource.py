"""``/api/v1/custom_domain``: one hostname per environment, each hostname once, server keys only."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.custom_domains.helpers import DOMAIN, TARGET, TEST_CONNECTION, create
from tests.custom_domains.test_hostnames import BAD_HOSTNAMES

FIELDS = {
    "id",
    "environment_id",
    "hostname",
    "cname_record",
    "cname_value",
    "dcv_cname_record",
    "dcv_cname_value",
    "certificate_status",
    "status",
    "last_verified_at",
    "created_at",
    "updated_at",
}


def test_create_returns_a_pending_domain_and_its_dns_records(
    client: TestClient, tenant: Tenant
) -> None:
    domain = create(client, tenant, "Images.Example.com.")
    assert set(domain) == FIELDS
    assert domain["hostname"] == "images.example.com"
    assert domain["environment_id"] == str(tenant.environment_id)
    assert (domain["status"], domain["certificate_status"]) == ("PENDING", "PENDING")
    assert domain["last_verified_at"] is None
    assert domain["cname_record"] == "images.example.com"
    assert domain["cname_value"] == TARGET
    assert domain["dcv_cname_record"] == "_acme-challenge.images.example.com"
    assert domain["dcv_cname_value"] == f"images.example.com.dcv.{TARGET}"
    fetched = client.get(DOMAIN, headers=tenant.server)
    assert fetched.status_code == 200
    assert fetched.json() == domain


def test_an_idn_is_stored_and_shown_as_punycode(client: TestClient, tenant: Tenant) -> None:
    domain = create(client, tenant, "Bilder.Bücher.example")
    assert domain["hostname"] == "bilder.xn--bcher-kva.example"
    assert domain["dcv_cname_record"] == "_acme-challenge.bilder.xn--bcher-kva.example"


# A NUL never reaches the hostname rules over HTTP: every request body refuses it first.
BAD_HOSTNAMES_OVER_HTTP = [(raw, words) for raw, words in BAD_HOSTNAMES if "\x00" not in raw]


@pytest.mark.parametrize(("hostname", "words"), BAD_HOSTNAMES_OVER_HTTP)
def test_bad_hostnames_are_422_saying_why(
    client: TestClient, tenant: Tenant, hostname: str, words: str
) -> None:
    response = client.post(DOMAIN, json={"hostname": hostname}, headers=tenant.server)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_type"] == "InvalidHostnameError"
    [item] = body["detail"]
    assert item["loc"] == ["body", "hostname"]
    assert words in item["msg"].lower(), item["msg"]
    assert client.get(DOMAIN, headers=tenant.server).status_code == 404


@pytest.mark.parametrize("body", [{}, {"hostname": None}, {"hostname": 7}, {"host": "a.b.com"}])
def test_malformed_bodies_are_422(
    client: TestClient, tenant: Tenant, body: dict[str, object]
) -> None:
    response = client.post(DOMAIN, json=body, headers=tenant.server)
    assert response.status_code == 422
    assert response.json()["error_type"] == "RequestValidationError"


@pytest.mark.parametrize(
    "hostname", ["api.imgwired.test", "media.imgwired.test", TARGET.upper(), f"dcv.{TARGET}"]
)
def test_the_servers_own_hosts_cannot_be_claimed(
    settings: Settings, hostname: str, tenant: Tenant
) -> None:
    configured = settings.model_copy(
        update={
            "public_url": "https://api.imgwired.test",
            "cdn_base_url": "https://media.imgwired.test",
        }
    )
    app = create_app(configured)
    with TestClient(app, raise_server_exceptions=False) as own_client:
        response = own_client.post(DOMAIN, json={"hostname": hostname}, headers=tenant.server)
    assert response.status_code == 422, response.text
    assert "own host" in response.json()["detail"][0]["msg"]


def test_a_second_domain_for_the_environment_is_409(client: TestClient, tenant: Tenant) -> None:
    create(client, tenant, "images.example.com")
    for hostname in ("media.example.com", "images.example.com"):
        again = client.post(DOMAIN, json={"hostname": hostname}, headers=tenant.server)
        assert again.status_code == 409
        assert again.json()["error_type"] == "CustomDomainConflictError"
        assert "delete it first" in again.json()["detail"]
    assert client.get(DOMAIN, headers=tenant.server).json()["hostname"] == "images.example.com"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("images.example.com", "images.example.com"),
        ("images.example.com", "IMAGES.Example.COM."),
        ("bilder.bücher.example", "BILDER.BÜCHER.example"),
        ("bilder.bücher.example", "bilder.xn--bcher-kva.example"),
    ],
)
def test_a_hostname_of_another_environment_is_409(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, first: str, second: str
) -> None:
    create(client, tenant, first)
    taken = client.post(DOMAIN, json={"hostname": second}, headers=other_tenant.server)
    assert taken.status_code == 409
    assert taken.json()["error_type"] == "CustomDomainConflictError"
    assert "another environment" in taken.json()["detail"]
    assert client.get(DOMAIN, headers=other_tenant.server).status_code == 404


def test_delete_frees_the_environment_and_the_hostname(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    domain = create(client, tenant, "images.example.com")
    deleted = client.delete(DOMAIN, headers=tenant.server)
    assert deleted.status_code == 200
    assert deleted.json() == {
        "id": domain["id"],
        "hostname": "images.example.com",
        "status": "deleted",
    }
    assert client.get(DOMAIN, headers=tenant.server).status_code == 404
    moved = create(client, other_tenant, "images.example.com")
    assert moved["environment_id"] == str(other_tenant.environment_id)
    assert create(client, tenant, "media.example.com")["hostname"] == "media.example.com"


def test_a_deleted_environment_gives_up_its_hostname(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    create(client, other_tenant, "images.example.com")
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    gone = client.delete(f"/api/v1/environments/{other_tenant.environment_id}", headers=admin)
    assert gone.status_code == 200, gone.text
    assert create(client, tenant, "images.example.com")["environment_id"] == str(
        tenant.environment_id
    )


def test_without_a_domain_every_operation_is_404(client: TestClient, tenant: Tenant) -> None:
    for method, path in (("GET", DOMAIN), ("DELETE", DOMAIN), ("POST", TEST_CONNECTION)):
        response = client.request(method, path, headers=tenant.server)
        assert response.status_code == 404, (method, path)
        assert response.json()["error_type"] == "CustomDomainNotFoundError"


def test_environments_see_only_their_own_domain(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = create(client, tenant, "images.example.com")
    theirs = create(client, other_tenant, "images.example.org")
    assert client.get(DOMAIN, headers=tenant.server).json()["id"] == mine["id"]
    assert client.get(DOMAIN, headers=other_tenant.server).json()["id"] == theirs["id"]
    assert client.delete(DOMAIN, headers=other_tenant.server).status_code == 200
    assert client.get(DOMAIN, headers=tenant.server).json()["id"] == mine["id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", DOMAIN), ("POST", DOMAIN), ("DELETE", DOMAIN), ("POST", TEST_CONNECTION)],
)
def test_client_keys_and_anonymous_callers_are_refused(
    client: TestClient, tenant: Tenant, method: str, path: str
) -> None:
    create(client, tenant, "images.example.com")
    body = {"hostname": "media.example.com"} if method == "POST" else None
    as_client = client.request(method, path, json=body, headers=tenant.client)
    assert as_client.status_code == 401
    assert as_client.json()["error_type"] == "ClientKeyNotAllowedError"
    assert client.request(method, path, json=body).status_code == 401
    assert client.get(DOMAIN, headers=tenant.server).json()["hostname"] == "images.example.com"


def test_the_admin_token_acts_on_the_environment_it_names(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = client.post(
        DOMAIN, json={"hostname": "images.example.com"}, headers=other_tenant.admin
    )
    assert created.status_code == 200, created.text
    assert created.json()["environment_id"] == str(other_tenant.environment_id)
    assert client.get(DOMAIN, headers=tenant.server).status_code == 404
    unknown = {**tenant.admin, "X-Environment-Id": str(uuid.uuid4())}
    assert client.get(DOMAIN, headers=unknown).status_code == 404


def test_dns_targets_default_to_the_cdn_host(settings: Settings, tenant: Tenant) -> None:
    configured = settings.model_copy(
        update={"custom_domain_cname_target": None, "cdn_base_url": "https://CDN.imgwired.test/"}
    )
    app = create_app(configured)
    with TestClient(app, raise_server_exceptions=False) as cdn_client:
        domain = create(cdn_client, tenant, "images.example.com")
    assert domain["cname_value"] == "cdn.imgwired.test"
    assert domain["dcv_cname_value"] == "images.example.com.dcv.cdn.imgwired.test"


def test_dns_targets_can_be_set(settings: Settings, tenant: Tenant) -> None:
    configured = settings.model_copy(
        update={
            "custom_domain_cname_target": "Edge.Example.NET.",
            "custom_domain_dcv_target": "acme.example.net",
        }
    )
    app = create_app(configured)
    with TestClient(app, raise_server_exceptions=False) as own_client:
        domain = create(own_client, tenant, "images.example.com")
    assert domain["cname_value"] == "edge.example.net"
    assert domain["dcv_cname_value"] == "images.example.com.acme.example.net"
