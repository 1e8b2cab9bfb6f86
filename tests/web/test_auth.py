"""Authentication: who may call what, and the reasons given when they may not."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from imgwired.accounts.auth import Access
from imgwired.config import Settings
from imgwired.errors import ImgwiredError
from imgwired.web.app import create_app
from tests.conftest import Tenant

KEYS = "/api/v1/api_keys/"
ENVS = "/api/v1/environments/"


@pytest.mark.parametrize(
    ("authorization", "error_type"),
    [
        (None, "MissingCredentialsError"),
        ("", "MissingCredentialsError"),
        ("Bearer", "InvalidApiKeyError"),
        ("Basic dXNlcjpwYXNz", "InvalidApiKeyError"),
        ("Bearer sk_ two parts", "InvalidApiKeyError"),
        ("Bearer sk_" + "a" * 43, "InvalidApiKeyError"),
        ("Bearer ck_" + "b" * 43, "InvalidApiKeyError"),
        ("Bearer adm_" + "c" * 43, "InvalidApiKeyError"),
        ("Bearer sk_not/valid", "InvalidApiKeyError"),
        ("Bearer xyz", "InvalidApiKeyError"),
        ("Bearer " + "sk_" + "a" * 5000, "InvalidApiKeyError"),
    ],
)
def test_bad_credentials_are_401_with_a_reason(
    client: TestClient, tenant: Tenant, authorization: str | None, error_type: str
) -> None:
    headers = {"X-Environment-Id": str(tenant.environment_id)}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.get(KEYS, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error_type"] == error_type
    assert body["detail"] and isinstance(body["detail"], str)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_bearer_scheme_is_case_insensitive(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "Authorization": f"bearer {tenant.admin_token}"}
    assert client.get(KEYS, headers=headers).status_code == 200


@pytest.mark.parametrize("kind", ["server", "client"])
@pytest.mark.parametrize("url", [KEYS, ENVS])
def test_api_keys_cannot_manage_the_install(
    client: TestClient, tenant: Tenant, kind: str, url: str
) -> None:
    response = client.get(url, headers=getattr(tenant, kind))
    assert response.status_code == 401
    assert response.json()["error_type"] == "AdminTokenRequiredError"


def test_admin_token_needs_an_environment_for_environment_resources(
    client: TestClient, tenant: Tenant
) -> None:
    response = client.get(KEYS, headers={"Authorization": f"Bearer {tenant.admin_token}"})
    assert response.status_code == 400
    assert response.json()["error_type"] == "EnvironmentRequiredError"
    assert "X-Environment-Id" in response.json()["detail"]


def test_admin_token_with_an_unknown_environment_is_404(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "X-Environment-Id": "00000000-0000-7000-8000-000000000001"}
    response = client.get(KEYS, headers=headers)
    assert response.status_code == 404
    assert response.json()["error_type"] == "EnvironmentNotFoundError"


def test_a_wrong_admin_token_is_refused(client: TestClient, tenant: Tenant) -> None:
    forged = "adm_" + tenant.admin_token[4:][::-1]
    response = client.get(ENVS, headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["error_type"] == "InvalidApiKeyError"


def test_key_used_with_another_environments_id_is_refused(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    headers = {**tenant.server, "X-Environment-Id": str(other_tenant.environment_id)}
    response = client.get(KEYS, headers=headers)
    assert response.status_code == 403
    assert response.json()["error_type"] == "EnvironmentMismatchError"


def test_configured_admin_token_is_accepted(database_url: str, tmp_path: object) -> None:
    settings = Settings(
        database_url=database_url, migrate_on_start=False, admin_token=SecretStr("let-me-in-1234")
    )
    app: FastAPI = create_app(settings)
    with TestClient(app) as client:
        app.state.services.organization.initialize(environment_name="production")
        ok = client.get(ENVS, headers={"Authorization": "Bearer let-me-in-1234"})
        assert ok.status_code == 200 and len(ok.json()) == 1
        wrong = client.get(ENVS, headers={"Authorization": "Bearer let-me-in-12345"})
        assert wrong.status_code == 401


def test_admin_calls_before_init_say_so(client: TestClient) -> None:
    response = client.get(ENVS, headers={"Authorization": "Bearer adm_" + "x" * 43})
    assert response.status_code == 503
    assert response.json()["error_type"] == "NotInitializedError"
    assert "imgwired init" in response.json()["detail"]


@pytest.mark.parametrize(
    ("kind", "access", "refusal"),
    [
        ("client", Access.SERVER, "ClientKeyNotAllowedError"),
        ("client", Access.SERVER_OR_CLIENT, None),
        ("server", Access.SERVER, None),
        ("server", Access.SERVER_OR_CLIENT, None),
        ("server", Access.ENVIRONMENT_ADMIN, "AdminTokenRequiredError"),
        ("client", Access.ORGANIZATION_ADMIN, "AdminTokenRequiredError"),
    ],
)
def test_each_access_level_admits_the_right_keys(
    app: FastAPI, tenant: Tenant, kind: str, access: Access, refusal: str | None
) -> None:
    secret = tenant.server_key if kind == "server" else tenant.client_key
    auth = app.state.services.auth
    if refusal is None:
        caller = auth.authenticate(f"Bearer {secret}", None, access)
        assert caller.kind.value == kind
        assert caller.environment_id == tenant.environment_id
    else:
        with pytest.raises(ImgwiredError) as raised:
            auth.authenticate(f"Bearer {secret}", None, access)
        assert raised.value.error_type == refusal


def test_admin_token_acts_as_a_server_key_for_the_named_environment(
    app: FastAPI, tenant: Tenant
) -> None:
    caller = app.state.services.auth.authenticate(
        f"Bearer {tenant.admin_token}", str(tenant.environment_id), Access.SERVER
    )
    assert caller.kind.value == "admin"
    assert caller.environment() == tenant.environment_id
