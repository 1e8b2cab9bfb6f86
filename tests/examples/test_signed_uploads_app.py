"""The signed-uploads example's token route, against a real imgwired in this process.

The example app reaches imgwired through httpx's ASGI transport; imgwired's lifespan runs in
its own TestClient (the ``client`` fixture), as it would in its own process.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.examples import signed_uploads

TOKEN_ROUTE = "/api/imgwire/upload-token"
ExampleFactory = Callable[..., TestClient]


@pytest.fixture
def example(app: FastAPI, client: TestClient, tenant: Tenant) -> Iterator[ExampleFactory]:
    """Start the example app with config overrides; a TestClient (cookies kept) on it."""
    module = signed_uploads.load()
    started: list[TestClient] = []

    def start(*, transport: httpx.AsyncBaseTransport | None = None, **overrides: Any) -> TestClient:
        settings = {
            "imgwired_url": "http://imgwired.test",
            "server_key": tenant.server_key,
            "client_key": tenant.client_key,
            **overrides,
        }
        example_app = module.create_app(
            module.Config(**settings),
            transport=httpx.ASGITransport(app=app) if transport is None else transport,
        )
        test_client = TestClient(example_app, raise_server_exceptions=False)
        test_client.__enter__()
        started.append(test_client)
        return test_client

    yield start
    for test_client in started:
        test_client.__exit__(None, None, None)


def sign_in(browser: TestClient, user: str) -> None:
    response = browser.post("/sign-in", data={"user": user, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_signed_out_visitor_gets_401(example: ExampleFactory) -> None:
    browser = example()

    response = browser.post(TOKEN_ROUTE)

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to upload images"}


def test_forged_session_cookie_gets_401(example: ExampleFactory) -> None:
    browser = example()
    browser.cookies.set("example_session", "ada.0000")

    assert browser.post(TOKEN_ROUTE).status_code == 401


def test_signed_in_user_without_upload_rights_gets_403(example: ExampleFactory) -> None:
    browser = example()
    sign_in(browser, "mallory")

    response = browser.post(TOKEN_ROUTE)

    assert response.status_code == 403
    assert response.json() == {"detail": "Mallory (read-only) is not allowed to upload images"}


def test_token_lets_the_client_key_create_one_upload(
    example: ExampleFactory, client: TestClient, tenant: Tenant
) -> None:
    browser = example()
    sign_in(browser, "ada")

    response = browser.post(TOKEN_ROUTE)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    token = response.json()["uploadToken"]
    assert token.startswith("ut_")
    # imgwired takes it from a client key that requires signed uploads, exactly once.
    upload = "/api/v1/images/standard_upload"
    first = client.post(
        upload, params={"upload_token": token}, json={"file_name": "a.jpg"}, headers=tenant.client
    )
    assert first.status_code == 200, first.text
    again = client.post(
        upload, params={"upload_token": token}, json={"file_name": "a.jpg"}, headers=tenant.client
    )
    assert again.status_code == 401
    assert again.json()["detail"] == "The upload token has already been used"


def test_app_level_limit_gives_429_per_user(example: ExampleFactory) -> None:
    ada = example(uploads_per_window=2, window_seconds=3600.0)
    sign_in(ada, "ada")

    statuses = [ada.post(TOKEN_ROUTE).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    refused = ada.post(TOKEN_ROUTE)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "You have reached the limit of 2 uploads per 1 hour; try again later"
    }
    assert refused.headers["retry-after"] == "3600"
    # The limit is each user's own.
    ada.cookies.clear()
    sign_in(ada, "grace")
    assert ada.post(TOKEN_ROUTE).status_code == 200


def test_imgwired_refusing_the_server_key_gives_a_generic_500(
    example: ExampleFactory, caplog: pytest.LogCaptureFixture
) -> None:
    browser = example(server_key="sk_not_a_real_key", uploads_per_window=1)
    sign_in(browser, "ada")

    with caplog.at_level(logging.ERROR, logger="signed_uploads"):
        response = browser.post(TOKEN_ROUTE)

    assert response.status_code == 500
    assert response.json() == {"detail": "Could not start the upload; please try again later"}
    # The operator's log has the reason; the browser does not.
    logged = caplog.text
    assert "creating an upload token for user 'ada' failed" in logged
    assert "InvalidApiKeyError" in logged
    assert "InvalidApiKey" not in response.text
    # A failed attempt does not count against the user's limit.
    assert browser.post(TOKEN_ROUTE).status_code == 500


def test_imgwired_unreachable_gives_a_generic_500(
    example: ExampleFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        browser = example(imgwired_url=url, transport=httpx.AsyncHTTPTransport())
        sign_in(browser, "ada")

        with caplog.at_level(logging.ERROR, logger="signed_uploads"):
            response = browser.post(TOKEN_ROUTE)

    assert response.status_code == 500
    assert response.json() == {"detail": "Could not start the upload; please try again later"}
    assert "APIConnectionError" in caplog.text
    assert url not in response.text


def cors_configuration(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    """The environment's CORS origins (id, pattern) and its CORS policy, as listed right now."""
    origins = client.get("/api/v1/cors_origins/", headers=tenant.server)
    policy = client.get("/api/v1/cors_policy", headers=tenant.server)
    assert origins.status_code == 200 and policy.status_code == 200
    return {
        "origins": [(origin["id"], origin["pattern"]) for origin in origins.json()],
        "policy": policy.json(),
    }


def stop(example_client: TestClient) -> None:
    """Stop the example app as Ctrl+C would: its lifespan ends."""
    example_client.__exit__(None, None, None)


def test_the_apps_origin_is_allowed_while_it_runs_and_removed_when_it_stops(
    example: ExampleFactory, client: TestClient, tenant: Tenant
) -> None:
    theirs = client.post(
        "/api/v1/cors_origins/", json={"pattern": "https://shop.example"}, headers=tenant.server
    )
    assert theirs.status_code == 200
    before = cors_configuration(client, tenant)

    running = example(public_origin="http://localhost:3000")
    patterns = [pattern for _, pattern in cors_configuration(client, tenant)["origins"]]
    assert sorted(patterns) == ["http://localhost:3000", "https://shop.example"]
    stop(running)

    assert cors_configuration(client, tenant) == before
    # A restart adds it again, and takes it away again.
    stop(example(public_origin="http://localhost:3000"))
    assert cors_configuration(client, tenant) == before


def test_an_origin_that_was_allowed_before_the_app_started_stays(
    example: ExampleFactory, client: TestClient, tenant: Tenant
) -> None:
    added = client.post(
        "/api/v1/cors_origins/", json={"pattern": "http://localhost:3000"}, headers=tenant.server
    )
    assert added.status_code == 200
    before = cors_configuration(client, tenant)

    stop(example(public_origin="http://localhost:3000"))

    assert cors_configuration(client, tenant) == before


def test_an_origin_it_could_not_remove_is_named_in_the_log(
    example: ExampleFactory, client: TestClient, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    running = example(public_origin="http://localhost:3000")
    [(origin_id, _)] = cors_configuration(client, tenant)["origins"]
    # The server key is revoked while the app runs: it can no longer remove its origin.
    keys = client.get("/api/v1/api_keys/", headers=tenant.admin).json()
    [server_key] = [key for key in keys if key["key_type"] == "SERVER"]
    revoked = client.delete(f"/api/v1/api_keys/{server_key['id']}", headers=tenant.admin)
    assert revoked.status_code == 200

    with caplog.at_level(logging.ERROR, logger="signed_uploads"):
        stop(running)

    assert f"delete it with DELETE /api/v1/cors_origins/{origin_id}" in caplog.text


def test_page_carries_the_client_key_and_never_the_server_key(
    example: ExampleFactory, tenant: Tenant
) -> None:
    browser = example()
    sign_in(browser, "grace")

    page = browser.get("/?reuse-token")

    assert page.status_code == 200
    assert '"@imgwired/js": "http://imgwired.test/sdk/imgwire.js"' in page.text
    assert tenant.client_key in page.text
    assert tenant.server_key not in page.text
    assert 'Signed in as <strong id="signed-in-as">Grace</strong>' in page.text
    # Signing in or out comes back to the same page, query included.
    assert 'name="next" value="/?reuse-token"' in page.text


def test_sign_in_never_redirects_to_another_site(example: ExampleFactory) -> None:
    browser = example()

    response = browser.post(
        "/sign-in", data={"user": "ada", "next": "//evil.example"}, follow_redirects=False
    )

    assert response.headers["location"] == "/"
