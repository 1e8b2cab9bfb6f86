"""The CLI and the API are two faces of the same services: they refuse the same input with the
same sentence, delete and revoke by the same rules."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from imgwired.cli.main import main
from tests.cli.conftest import failed_json, run_json
from tests.conftest import Tenant

pytestmark = pytest.mark.usefixtures("configured")

ENVS = "/api/v1/environments/"
KEYS = "/api/v1/api_keys/"
LONG = "x" * 300


def api_error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    body.pop("request_id")
    return body


def cli_error(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, body = failed_json(capsys, *argv)
    assert code == 1
    assert body.pop("request_id") is None
    return dict(body)


@pytest.mark.parametrize("name", ["", "   ", LONG])
def test_environment_names_are_refused_alike(
    capsys: pytest.CaptureFixture[str], client: TestClient, tenant: Tenant, name: str
) -> None:
    from_api = api_error(client.post(ENVS, json={"name": name}, headers=tenant.admin))
    from_cli = cli_error(capsys, "env", "create", name)
    assert from_cli == from_api
    assert from_cli["detail"][0]["loc"] == ["body", "name"]
    assert "1 to 255 characters" in from_cli["detail"][0]["msg"]
    names = {e["name"] for e in run_json(capsys, "env", "list")}
    assert names == {"production"}


def test_names_are_trimmed_alike(
    capsys: pytest.CaptureFixture[str], client: TestClient, tenant: Tenant
) -> None:
    assert run_json(capsys, "env", "create", "  staging  ")["name"] == "staging"
    response = client.post(ENVS, json={"name": " qa "}, headers=tenant.admin)
    assert response.json()["name"] == "qa"


@pytest.mark.parametrize(
    ("flags", "body"),
    [
        (["--maximum-upload-bytes", "5119"], {"maximum_upload_bytes": 5119}),
        (["--maximum-upload-bytes", "104857601"], {"maximum_upload_bytes": 104857601}),
        (["--maximum-pending-uploads", "4"], {"maximum_pending_uploads": 4}),
        (["--maximum-pending-uploads", str(2**31)], {"maximum_pending_uploads": 2**31}),
        (["--allowed-mime-types", ""], {"allowed_mime_types": []}),
        (["--allowed-mime-types", "image/svg+xml"], {"allowed_mime_types": ["image/svg+xml"]}),
        (["--allowed-mime-types", "image/png,"], {"allowed_mime_types": ["image/png", ""]}),
        (
            ["--allowed-mime-types", ",".join(["image/png"] * 33)],
            {"allowed_mime_types": ["image/png"] * 33},
        ),
        (["--name", ""], {"name": ""}),
        (["--name", LONG], {"name": LONG}),
    ],
)
def test_key_settings_are_refused_alike(
    capsys: pytest.CaptureFixture[str],
    client: TestClient,
    tenant: Tenant,
    flags: list[str],
    body: dict[str, Any],
) -> None:
    request = {"name": "k", "key_type": "CLIENT", **body}
    from_api = api_error(client.post(KEYS, json=request, headers=tenant.admin))
    from_cli = cli_error(capsys, "keys", "create", "--type", "client", *flags)
    assert from_cli == from_api
    assert len(run_json(capsys, "keys", "list")) == 2  # only init's two


def test_an_empty_mime_type_list_is_not_every_type(capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "init")
    assert main(["keys", "create", "--type", "client", "--allowed-mime-types", ""]) == 1
    assert "at least one type" in capsys.readouterr().err
    every = run_json(capsys, "keys", "create", "--type", "client")
    assert every["allowed_mime_types"] is None


def test_revoke_says_why_a_key_cannot_be_revoked(
    capsys: pytest.CaptureFixture[str], client: TestClient, tenant: Tenant
) -> None:
    staging = run_json(capsys, "env", "create", "staging")
    key = run_json(capsys, "keys", "create", "--type", "server", "--env", "staging")

    code, error = failed_json(capsys, "keys", "revoke", key["id"])
    assert code == 1 and error["error_type"] == "ApiKeyNotFoundError"
    assert f"belongs to environment 'staging' ({staging['id']})" in error["detail"]
    assert "not to environment 'production'" in error["detail"]

    assert run_json(capsys, "keys", "revoke", key["id"], "--env", "staging")["status"] == "revoked"
    code, error = failed_json(capsys, "keys", "revoke", key["id"], "--env", "staging")
    assert code == 1 and error["error_type"] == "ApiKeyNotFoundError"
    assert error["detail"].startswith(f"API key {key['id']} was already revoked at 20")
    assert error["detail"].endswith("Z")

    unknown = "01a21cfd-0000-7000-8000-000000000000"
    assert main(["keys", "revoke", unknown]) == 1
    assert capsys.readouterr().err == (
        f"imgwired: API key {unknown} was not found in environment 'production' "
        f"({tenant.environment_id})\n"
    )
    # The API's DELETE is the same service call: the same 404, the same sentence.
    in_staging = {**tenant.admin, "X-Environment-Id": staging["id"]}
    response = client.delete(f"{KEYS}{key['id']}", headers=in_staging)
    assert response.status_code == 404
    assert response.json()["detail"] == error["detail"]


def test_env_delete_is_the_apis_delete(
    capsys: pytest.CaptureFixture[str], client: TestClient, tenant: Tenant
) -> None:
    staging = run_json(capsys, "env", "create", "staging")
    key = run_json(capsys, "keys", "create", "--type", "server", "--env", "staging")
    deleted = run_json(capsys, "env", "delete", "staging", "--yes")
    assert deleted == {"id": staging["id"], "status": "deleted"}
    assert {e["name"] for e in run_json(capsys, "env", "list")} == {"production"}
    # Its keys stopped working at once, as after the API's DELETE.
    revoked = {"Authorization": f"Bearer {key['server_key']}"}
    response = client.get("/api/v1/images", headers=revoked)
    assert response.status_code == 401

    code, from_cli = failed_json(capsys, "env", "delete", "production", "--yes")
    assert code == 1 and from_cli["error_type"] == "DefaultEnvironmentError"
    from_api = client.delete(f"{ENVS}{tenant.environment_id}", headers=tenant.admin).json()
    assert from_cli["detail"] == from_api["detail"]

    code, missing = failed_json(capsys, "env", "delete", "staging", "--yes")
    assert code == 1 and missing["error_type"] == "EnvironmentNotFoundError"


def test_env_delete_off_a_terminal_needs_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    run_json(capsys, "init")
    run_json(capsys, "env", "create", "staging")
    monkeypatch.setattr("sys.stdin", io.StringIO("staging\n"))
    assert main(["env", "delete", "staging"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert {e["name"] for e in run_json(capsys, "env", "list")} == {"production", "staging"}


def test_undecodable_names_are_a_sentence_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_json(capsys, "init")
    assert main(["env", "create", b"caf\xe9".decode("utf-8", "surrogateescape")]) == 1
    assert capsys.readouterr().err == "imgwired: An environment name must be Unicode text\n"
