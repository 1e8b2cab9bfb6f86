"""A CONNECTED domain serves its environment's images by Host header, and ``cdn_url`` uses it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import DOMAIN, TARGET, check, connect, create
from tests.images.helpers import jpeg, path_of, upload

HOST = "images.example.com"


@pytest.fixture
def photo(app: FastAPI, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, tenant.server, jpeg(80, 60), file_name="photo.jpg")


def cdn_url(client: TestClient, tenant: Tenant, image: dict[str, Any]) -> str:
    response = client.get(f"/api/v1/images/{image['id']}", headers=tenant.server)
    assert response.status_code == 200
    url: str = response.json()["cdn_url"]
    return url


@pytest.mark.parametrize(
    "host", [HOST, f"{HOST}:443", f"{HOST}:8000", "Images.Example.COM.", f"{HOST}."]
)
def test_a_connected_domain_serves_the_image_at_its_root(
    client: TestClient, tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any], host: str
) -> None:
    connect(client, tenant, dns_server, HOST)
    served = client.get(f"/{photo['id']}", headers={"Host": host})
    assert served.status_code == 200, served.text
    assert served.content == jpeg(80, 60)
    assert served.headers["Content-Type"] == "image/jpeg"


def test_presets_and_parameters_work_on_the_domain(
    client: TestClient, tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any]
) -> None:
    connect(client, tenant, dns_server, HOST)
    resized = client.get(f"/{photo['id']}?w=40&format=png", headers={"Host": HOST})
    assert resized.status_code == 200, resized.text
    assert resized.headers["Content-Type"] == "image/png"
    thumbnail = client.get(f"/{photo['id']}@thumbnail", headers={"Host": HOST})
    assert thumbnail.status_code == 200, thumbnail.text
    assert thumbnail.content != jpeg(80, 60)


def test_only_images_are_reachable_on_the_domain(
    client: TestClient, tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any]
) -> None:
    connect(client, tenant, dns_server, HOST)
    for path in ("/api/v1/custom_domain/", "/health", "/", f"/cdn/{photo['id']}"):
        response = client.get(path, headers={"Host": HOST, **tenant.server})
        assert response.status_code == 404, path


def test_cdn_url_follows_the_domain_and_returns_after_delete(
    client: TestClient, tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any]
) -> None:
    default = photo["cdn_url"]
    assert default.startswith("http://imgwired.test/cdn/")

    create(client, tenant, HOST)
    assert cdn_url(client, tenant, photo) == default  # PENDING: not yet

    dns_server.point(HOST, TARGET)
    assert check(client, tenant)["status"] == "CONNECTED"
    assert cdn_url(client, tenant, photo) == f"https://{HOST}/{photo['id']}"
    listed = client.get("/api/v1/images/", headers=tenant.server).json()
    assert [image["cdn_url"] for image in listed] == [f"https://{HOST}/{photo['id']}"]
    at_domain = client.get(path_of(cdn_url(client, tenant, photo)), headers={"Host": HOST})
    assert at_domain.status_code == 200

    assert client.delete(DOMAIN, headers=tenant.server).status_code == 200
    assert cdn_url(client, tenant, photo) == default
    assert client.get(f"/{photo['id']}", headers={"Host": HOST}).status_code == 404
    # The default URL served all along.
    assert client.get(path_of(default)).status_code == 200


def test_a_failed_domain_stops_serving(
    client: TestClient, tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any]
) -> None:
    connect(client, tenant, dns_server, HOST)
    dns_server.point(HOST, "elsewhere.example.net")
    assert check(client, tenant)["status"] == "FAILED"
    assert client.get(f"/{photo['id']}", headers={"Host": HOST}).status_code == 404
    assert cdn_url(client, tenant, photo) == photo["cdn_url"]


def test_a_pending_domain_does_not_serve(
    client: TestClient, tenant: Tenant, photo: dict[str, Any]
) -> None:
    create(client, tenant, HOST)
    assert client.get(f"/{photo['id']}", headers={"Host": HOST}).status_code == 404


def test_a_domain_serves_only_its_own_environment(
    app: FastAPI,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    dns_server: FakeDns,
    photo: dict[str, Any],
) -> None:
    theirs = upload(app, client, other_tenant.server, jpeg(30, 20), file_name="theirs.jpg")
    connect(client, tenant, dns_server, HOST)
    connect(client, other_tenant, dns_server, "images.example.org")
    assert client.get(f"/{theirs['id']}", headers={"Host": HOST}).status_code == 404
    assert client.get(f"/{photo['id']}", headers={"Host": "images.example.org"}).status_code == 404
    mine = client.get(f"/{photo['id']}", headers={"Host": HOST})
    assert mine.content == jpeg(80, 60)
    other = client.get(f"/{theirs['id']}", headers={"Host": "images.example.org"})
    assert other.content == jpeg(30, 20)
    assert cdn_url(client, other_tenant, theirs) == f"https://images.example.org/{theirs['id']}"


def test_the_scheme_of_cdn_url_is_configurable(
    settings: Settings, tenant: Tenant, dns_server: FakeDns
) -> None:
    plain = create_app(settings.model_copy(update={"custom_domain_scheme": "http"}))
    with TestClient(plain, raise_server_exceptions=False) as plain_client:
        image = upload(plain, plain_client, tenant.server, jpeg(20, 20))
        connect(plain_client, tenant, dns_server, HOST)
        assert cdn_url(plain_client, tenant, image) == f"http://{HOST}/{image['id']}"


def test_other_processes_see_a_connection_on_their_next_poll(
    settings: Settings,
    client: TestClient,
    tenant: Tenant,
    dns_server: FakeDns,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second app on the same database stands for another process."""
    other = create_app(settings.model_copy(update={"custom_domain_poll_seconds": 0.05}))
    domains = other.state.services.custom_domains.connected
    polled = threading.Event()
    reload = domains.refresh

    def refresh_and_tell() -> None:
        reload()
        if domains.by_hostname(HOST) is not None:
            polled.set()

    monkeypatch.setattr(domains, "refresh", refresh_and_tell)
    with TestClient(other, raise_server_exceptions=False) as other_client:
        image = upload(other, other_client, tenant.server, jpeg(20, 20))
        assert domains.by_hostname(HOST) is None
        connect(client, tenant, dns_server, HOST)  # through the first app only
        assert polled.wait(timeout=10), "the second app never picked the domain up"
        served = other_client.get(f"/{image['id']}", headers={"Host": HOST})
        assert served.status_code == 200
        assert cdn_url(other_client, tenant, image) == f"https://{HOST}/{image['id']}"


def test_tls_ask_allows_only_connected_domains(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, dns_server: FakeDns
) -> None:
    def ask(domain: str) -> int:
        response = client.get("/tls/ask", params={"domain": domain})
        if response.status_code == 200:
            assert response.json() == {"allowed": True}
        return response.status_code

    assert ask(HOST) == 404
    create(client, tenant, HOST)
    assert ask(HOST) == 404  # PENDING
    dns_server.point(HOST, TARGET)
    check(client, tenant)
    assert [ask(HOST), ask("IMAGES.example.com."), ask(f"{HOST}:443")] == [200, 200, 200]
    assert ask("other.example.com") == 404
    assert ask("imgwired.test") == 404  # the API's own host is not an on-demand name
    assert ask("") == 404
    assert client.get("/tls/ask").status_code == 422

    create(client, other_tenant, "images.example.org")
    assert ask("images.example.org") == 404  # PENDING in the other environment

    dns_server.point(HOST, "elsewhere.example.net")
    check(client, tenant)
    assert ask(HOST) == 404  # FAILED
    dns_server.point(HOST, TARGET)
    check(client, tenant)
    assert ask(HOST) == 200
    client.delete(DOMAIN, headers=tenant.server)
    assert ask(HOST) == 404


def test_tls_ask_allows_a_cdn_host_of_its_own(settings: Settings) -> None:
    separate = create_app(
        settings.model_copy(update={"cdn_base_url": "https://media.imgwired.test"})
    )
    with TestClient(separate, raise_server_exceptions=False) as separate_client:
        allowed = separate_client.get("/tls/ask", params={"domain": "media.imgwired.test"})
        assert allowed.status_code == 200
        assert (
            separate_client.get("/tls/ask", params={"domain": "imgwired.test"}).status_code == 404
        )
