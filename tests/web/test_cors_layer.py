"""The CORS layer on the wire: preflights, actual requests, and headers on every response."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant

UPLOAD = "/api/v1/images/standard_upload"
APP = "https://app.example.com"
EVIL = "https://evil.example.org"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


@pytest.fixture
def allow_app(client: TestClient, tenant: Tenant) -> None:
    response = client.post(
        "/api/v1/cors_origins/", json={"pattern": "app.example.com"}, headers=tenant.server
    )
    assert response.status_code == 200


def ask(
    client: TestClient,
    origin: str,
    method: str = "POST",
    headers: str | None = "authorization, content-type",
    path: str = UPLOAD,
) -> object:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        sent["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=sent)


def upload(client: TestClient, headers: dict[str, str], **kwargs: object) -> object:
    kwargs.setdefault("json", {"file_name": "a.jpg"})
    return client.post(UPLOAD, headers=headers, **kwargs)  # type: ignore[arg-type]


def cors_headers(response: object) -> dict[str, str]:
    return {
        k.lower(): v
        for k, v in response.headers.items()  # type: ignore[attr-defined]
        if k.lower().startswith("access-control-") or k.lower() in ("x-cors-error", "x-cors-report")
    }


# -- preflights ------------------------------------------------------------------------------


@pytest.mark.usefixtures("allow_app")
def test_allowed_preflight(client: TestClient) -> None:
    response = ask(client, APP)
    assert response.status_code == 204  # type: ignore[attr-defined]
    assert cors_headers(response) == {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "GET, HEAD, POST, PUT",
        "access-control-allow-headers": "authorization, content-type",
        "access-control-max-age": "86400",
    }
    assert response.headers["Vary"] == PREFLIGHT_VARY  # type: ignore[attr-defined]
    assert response.headers["X-Request-Id"]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("allow_app")
@pytest.mark.parametrize(
    ("origin", "method", "headers", "reason"),
    [
        (EVIL, "POST", "authorization", "origin_not_allowed"),
        ("null", "POST", "authorization", "origin_not_allowed"),
        (APP.upper(), "POST", None, "origin_not_allowed"),
        (APP + "/", "POST", None, "origin_not_allowed"),
        (APP + ".", "POST", None, "origin_not_allowed"),
        (f"{APP}, {EVIL}", "POST", None, "origin_not_allowed"),
        (APP + "x" * 10_000, "POST", None, "origin_not_allowed"),
        (APP, "POST", "authorization, x-custom", "header_not_allowed:x-custom"),
        (APP, "POST", "," * (1024 * 1024), "request_headers_too_long"),
        (APP, "DELETE", None, "endpoint_not_cors_enabled"),
    ],
)
def test_refused_preflights_say_why(
    client: TestClient, origin: str, method: str, headers: str | None, reason: str
) -> None:
    response = ask(client, origin, method, headers)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert cors_headers(response) == {"x-cors-error": reason}
    body = response.json()  # type: ignore[attr-defined]
    assert body["error_type"] == "CorsPreflightRejectedError"
    assert reason in body["detail"]
    assert "Origin" in response.headers["Vary"]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("allow_app")
def test_two_origin_headers_never_match(client: TestClient) -> None:
    response = client.options(
        UPLOAD,
        headers=[
            ("Origin", APP),
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
        ],
    )
    assert response.status_code == 403
    assert response.headers["X-CORS-Error"] == "origin_not_allowed"


def test_method_outside_the_policy_is_refused(client: TestClient, tenant: Tenant) -> None:
    client.post("/api/v1/cors_origins/", json={"pattern": "app.example.com"}, headers=tenant.server)
    client.patch("/api/v1/cors_policy", json={"allowed_methods": ["GET"]}, headers=tenant.server)
    response = ask(client, APP)
    assert response.status_code == 403
    assert response.headers["X-CORS-Error"] == "method_not_allowed"


@pytest.mark.usefixtures("allow_app")
def test_server_only_endpoints_refuse_every_preflight(client: TestClient) -> None:
    for path, method in [
        ("/api/v1/cors_origins/", "GET"),
        ("/api/v1/api_keys/", "POST"),
        ("/api/v1/images/", "GET"),
        ("/api/v1/images/0190d0f2-0000-7000-8000-000000000000", "DELETE"),
    ]:
        response = ask(client, APP, method, path=path)
        assert response.status_code == 403, path
        assert response.headers["X-CORS-Error"] == "endpoint_not_cors_enabled"
        assert "access-control-allow-origin" not in response.headers


def test_options_without_preflight_headers_is_not_a_preflight(client: TestClient) -> None:
    assert client.options(UPLOAD, headers={"Origin": APP}).status_code == 405


# -- actual requests -------------------------------------------------------------------------


@pytest.mark.usefixtures("allow_app")
def test_allowed_request_gets_its_headers(
    client: TestClient, unsigned_client: dict[str, str]
) -> None:
    response = upload(client, {**unsigned_client, "Origin": APP})
    assert response.status_code == 200  # type: ignore[attr-defined]
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == APP
    assert "X-Request-Id" in headers["access-control-expose-headers"]
    assert "X-Total-Count" in headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in headers
    assert response.headers["Vary"] == "Origin"  # type: ignore[attr-defined]


@pytest.mark.usefixtures("allow_app")
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--x--\r\n',
        ),
        ("text/plain", b'{"file_name": "a.jpg"}'),
        ("application/x-www-form-urlencoded", b"file_name=a.jpg"),
    ],
)
def test_simple_requests_from_a_refused_origin_are_refused_by_the_server(
    client: TestClient, tenant: Tenant, content_type: str, body: bytes
) -> None:
    headers = {**tenant.client, "Origin": EVIL, "Content-Type": content_type}
    response = client.post(UPLOAD, content=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["error_type"] == "CorsOriginNotAllowedError"
    assert EVIL in response.json()["detail"]
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["X-CORS-Error"] == "origin_not_allowed"


@pytest.mark.usefixtures("allow_app")
def test_refused_origin_is_refused_for_every_kind_of_caller(
    client: TestClient, tenant: Tenant
) -> None:
    for headers in (tenant.client, tenant.server, tenant.admin):
        response = upload(client, {**headers, "Origin": EVIL})
        assert response.status_code == 403, headers


@pytest.mark.usefixtures("allow_app")
def test_requests_without_origin_are_untouched(
    client: TestClient, unsigned_client: dict[str, str]
) -> None:
    response = upload(client, unsigned_client)
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Origin"


def test_an_empty_allowlist_admits_any_origin(
    client: TestClient, unsigned_client: dict[str, str]
) -> None:
    response = upload(client, {**unsigned_client, "Origin": EVIL})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert ask(client, EVIL).headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.usefixtures("allow_app")
def test_another_environments_allowlist_does_not_apply(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    client.post(
        "/api/v1/cors_origins/",
        json={"pattern": "staging.example.com"},
        headers=other_tenant.server,
    )
    staging = "https://staging.example.com"
    assert upload(client, {**tenant.server, "Origin": staging}).status_code == 403
    assert upload(client, {**other_tenant.server, "Origin": staging}).status_code == 200
    assert upload(client, {**other_tenant.server, "Origin": APP}).status_code == 403


# -- errors carry CORS headers ---------------------------------------------------------------


@pytest.mark.usefixtures("allow_app")
@pytest.mark.parametrize(
    ("status", "make"),
    [
        (401, lambda t: {"headers": {"Authorization": "Bearer ck_" + "x" * 43}}),
        (401, lambda t: {"headers": {}}),
        (422, lambda t: {"headers": t.client, "json": {"file_name": ""}}),
        (422, lambda t: {"headers": t.client, "content": b"{bad", "json": None}),
        (413, lambda t: {"headers": t.client, "content": b"x" * (2 * 1024 * 1024), "json": None}),
    ],
)
def test_error_responses_are_readable_by_an_allowed_origin(
    client: TestClient, tenant: Tenant, status: int, make: object
) -> None:
    kwargs = make(tenant)  # type: ignore[operator]
    kwargs["headers"] = {**kwargs["headers"], "Origin": APP, "Content-Type": "application/json"}
    if kwargs.get("json", "unset") is None:
        del kwargs["json"]
    response = upload(client, **kwargs)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["Access-Control-Allow-Origin"] == APP  # type: ignore[attr-defined]
    assert "Origin" in response.headers["Vary"]  # type: ignore[attr-defined]
    assert response.json()["request_id"]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("allow_app")
def test_a_500_is_readable_by_an_allowed_origin(
    app: FastAPI, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(app.state.services.auth, "authenticate", broken)
    response = upload(client, {**tenant.client, "Origin": APP})
    assert response.status_code == 500
    assert response.json()["error_type"] == "InternalServerError"
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert "Origin" in response.headers["Vary"]


@pytest.mark.usefixtures("allow_app")
def test_server_only_responses_never_carry_cors_headers(client: TestClient, tenant: Tenant) -> None:
    for response in (
        client.get("/api/v1/cors_origins/", headers={**tenant.server, "Origin": APP}),
        client.get("/api/v1/cors_origins/", headers={"Origin": APP}),
        client.get("/health", headers={"Origin": APP}),
    ):
        assert cors_headers(response) == {}


# -- policy options --------------------------------------------------------------------------


@pytest.mark.usefixtures("allow_app")
def test_credentials_when_the_policy_allows_them(client: TestClient, tenant: Tenant) -> None:
    client.patch("/api/v1/cors_policy", json={"allow_credentials": True}, headers=tenant.server)
    assert ask(client, APP).headers["Access-Control-Allow-Credentials"] == "true"
    response = upload(client, {**tenant.client, "Origin": APP})
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Origin"] == APP


@pytest.mark.usefixtures("allow_app")
def test_report_only_serves_refused_origins_and_counts_them(
    client: TestClient, tenant: Tenant
) -> None:
    client.patch("/api/v1/cors_policy", json={"mode": "report_only"}, headers=tenant.server)
    response = upload(client, {**tenant.server, "Origin": EVIL})
    assert response.status_code == 200  # the route ran
    assert response.headers["Access-Control-Allow-Origin"] == EVIL
    assert response.headers["X-CORS-Report"] == "origin_not_allowed"
    rejections = client.get("/api/v1/cors_origins/rejections", headers=tenant.server).json()
    assert [(r["origin"], r["count"]) for r in rejections] == [(EVIL, 1)]


@pytest.mark.usefixtures("allow_app")
def test_policy_changes_apply_at_once(client: TestClient, tenant: Tenant) -> None:
    assert ask(client, APP, headers="x-trace").status_code == 403
    client.patch(
        "/api/v1/cors_policy",
        json={"allowed_headers": ["Authorization", "Content-Type", "X-Trace"]},
        headers=tenant.server,
    )
    assert ask(client, APP, headers="x-trace").status_code == 204


def test_removing_a_pattern_applies_at_once(client: TestClient, tenant: Tenant) -> None:
    kept = {"pattern": "other.example.com"}
    client.post("/api/v1/cors_origins/", json=kept, headers=tenant.server)
    created = client.post(
        "/api/v1/cors_origins/", json={"pattern": "app.example.com"}, headers=tenant.server
    ).json()
    assert ask(client, APP).status_code == 204
    client.delete(f"/api/v1/cors_origins/{created['id']}", headers=tenant.server)
    assert ask(client, APP).status_code == 403
    assert upload(client, {**tenant.client, "Origin": APP}).status_code == 403


# -- the public delivery class ---------------------------------------------------------------


def test_public_delivery_is_open_to_every_origin(app: FastAPI) -> None:
    @app.get("/cdn/{rest:path}")
    def delivered(rest: str) -> dict[str, str]:
        return {"path": rest}

    with TestClient(app) as client:
        response = client.get("/cdn/org/env/image", headers={"Origin": EVIL})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Timing-Allow-Origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        no_origin = client.get("/cdn/org/env/image")
        assert no_origin.headers["Access-Control-Allow-Origin"] == "*"
        preflight = ask(client, EVIL, "GET", "range", path="/cdn/org/env/image")
        assert preflight.status_code == 204  # type: ignore[attr-defined]
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"  # type: ignore[attr-defined]


# -- preflights whose URL names the environment ------------------------------------------------

STAGING = "https://staging.example.com"


@pytest.fixture
def split_origins(client: TestClient, tenant: Tenant, other_tenant: Tenant) -> None:
    """The first environment allows APP only, the second allows STAGING only."""
    for who, pattern in ((tenant, "app.example.com"), (other_tenant, "staging.example.com")):
        response = client.post(
            "/api/v1/cors_origins/", json={"pattern": pattern}, headers=who.server
        )
        assert response.status_code == 200, response.text


@pytest.mark.usefixtures("split_origins")
def test_image_preflight_uses_the_images_environment(
    client: TestClient, other_tenant: Tenant
) -> None:
    created = client.post(UPLOAD, json={"file_name": "a.jpg"}, headers=other_tenant.server)
    image_path = f"/api/v1/images/{created.json()['image']['id']}"
    # APP is allowed somewhere, but not by the environment that owns the image.
    refused = ask(client, APP, method="GET", headers="authorization", path=image_path)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert refused.headers["X-CORS-Error"] == "origin_not_allowed"  # type: ignore[attr-defined]
    allowed = ask(client, STAGING, method="GET", headers="authorization", path=image_path)
    assert allowed.status_code == 204  # type: ignore[attr-defined]
    assert allowed.headers["Access-Control-Allow-Origin"] == STAGING  # type: ignore[attr-defined]
    # Asked again: answered from what was remembered, with the same result.
    again = ask(client, APP, method="GET", headers="authorization", path=image_path)
    assert again.status_code == 403  # type: ignore[attr-defined]


@pytest.mark.usefixtures("split_origins")
def test_unknown_image_preflight_falls_back_to_any_environment(client: TestClient) -> None:
    for path in (
        "/api/v1/images/0190a4d5-7f6e-7c3b-9d1e-2f4a5b6c7d8e",
        "/api/v1/images/not-a-uuid",
    ):
        for origin in (APP, STAGING):
            response = ask(client, origin, method="GET", headers="authorization", path=path)
            assert response.status_code == 204, (path, origin)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("split_origins")
def test_upload_token_preflight_uses_the_tokens_environment(
    client: TestClient, other_tenant: Tenant
) -> None:
    issued = client.post("/api/v1/images/token", headers=other_tenant.server)
    assert issued.status_code == 200, issued.text
    path = f"{UPLOAD}?upload_token={issued.json()['token']}"
    refused = ask(client, APP, path=path)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert refused.headers["X-CORS-Error"] == "origin_not_allowed"  # type: ignore[attr-defined]
    assert ask(client, STAGING, path=path).status_code == 204  # type: ignore[attr-defined]
    # Without a token, or with one nobody issued, either environment's origin may ask.
    for unknown in (
        UPLOAD,
        f"{UPLOAD}?upload_token=ut_nobody",
        f"{UPLOAD}?upload_token=" + "x" * 999,
    ):
        assert ask(client, APP, path=unknown).status_code == 204  # type: ignore[attr-defined]
