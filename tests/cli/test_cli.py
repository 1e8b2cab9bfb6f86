"""The ``imgwired`` command, run in-process against a real database."""

from __future__ import annotations

import json
import uuid

import pytest

from imgwired.cli.main import main
from imgwired.db import migrate
from imgwired.db.engine import Database
from tests.cli.conftest import run_json

pytestmark = pytest.mark.usefixtures("configured")


def test_init_prints_everything_a_user_needs_once(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(capsys, "init")
    assert isinstance(document, dict)
    assert document["base_url"] == "http://images.local:9000"
    assert document["server_key"].startswith("sk_")
    assert document["client_key"].startswith("ck_")
    assert document["admin_token"].startswith("adm_")
    uuid.UUID(document["organization_id"])
    assert document["environment"]["default"] is True

    assert main(["init"]) == 1
    assert "already initialised" in capsys.readouterr().err


def test_init_human_output_shows_keys_and_a_first_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "sk_" in out and "ck_" in out and "adm_" in out
    assert "curl" in out and "/api/v1/api_keys/" in out


def test_environments_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "init")
    created = run_json(capsys, "env", "create", "staging")
    assert isinstance(created, dict) and created["name"] == "staging"
    listed = run_json(capsys, "env", "list")
    assert isinstance(listed, list)
    assert {e["name"] for e in listed} == {"production", "staging"}
    assert main(["env", "create", "staging"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_keys_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "init")
    run_json(capsys, "env", "create", "staging")
    key = run_json(
        capsys,
        "keys",
        "create",
        "--type",
        "client",
        "--env",
        "staging",
        "--allowed-mime-types",
        "image/png,image/webp",
        "--maximum-upload-bytes",
        "10000",
    )
    assert isinstance(key, dict)
    assert key["client_key"].startswith("ck_")
    assert key["allowed_mime_types"] == ["image/png", "image/webp"]

    listed = run_json(capsys, "keys", "list", "--env", "staging")
    assert isinstance(listed, list) and [k["id"] for k in listed] == [key["id"]]
    assert listed[0]["key"] == "ck_****" + key["client_key"][-4:]
    assert key["client_key"] not in json.dumps(listed)

    default_env = run_json(capsys, "keys", "list")
    assert isinstance(default_env, list) and len(default_env) == 2

    assert run_json(capsys, "keys", "revoke", key["id"], "--env", "staging") == {
        "id": key["id"],
        "status": "revoked",
    }
    assert run_json(capsys, "keys", "list", "--env", "staging") == []


def test_cli_errors_are_sentences_not_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "list"]) == 1
    assert "imgwired init" in capsys.readouterr().err
    run_json(capsys, "init")
    assert main(["keys", "create", "--type", "client", "--maximum-upload-bytes", "1"]) == 1
    assert "maximum_upload_bytes" in capsys.readouterr().err
    assert main(["keys", "list", "--env", "nope"]) == 1
    assert "nope" in capsys.readouterr().err


def test_only_serve_init_and_migrate_change_the_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("IMGWIRED_DATABASE_URL", empty_database_url)
    database = Database(empty_database_url)
    database.ping()  # the database exists (on SQLite, the file), but holds no tables
    try:
        for argv in (["env", "list"], ["keys", "list"]):
            assert main(argv) == 1
            assert "imgwired init" in capsys.readouterr().err
        assert migrate.current_revision(database) is None

        assert main(["migrate"]) == 0
        assert migrate.current_revision(database) == migrate.head_revision()
    finally:
        database.dispose()


def test_the_cli_prints_the_documents_the_api_answers_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from imgwired.web.schemas.api_keys import ApiKeyCreateResponseSchema, ApiKeyListItemSchema
    from imgwired.web.schemas.environments import EnvironmentSchema

    run_json(capsys, "init")
    environment = run_json(capsys, "env", "create", "preview")
    assert isinstance(environment, dict)
    EnvironmentSchema.model_validate(environment)
    assert set(environment) == set(EnvironmentSchema.model_fields)
    created = run_json(capsys, "keys", "create", "--type", "client", "--env", "preview")
    assert isinstance(created, dict)
    ApiKeyCreateResponseSchema.model_validate(created)
    assert set(created) == set(ApiKeyCreateResponseSchema.model_fields)
    listed = run_json(capsys, "keys", "list", "--env", "preview")
    assert isinstance(listed, list)
    ApiKeyListItemSchema.model_validate({k: v for k, v in listed[0].items() if k != "key"})
    assert set(listed[0]) - {"key"} == set(ApiKeyListItemSchema.model_fields)
