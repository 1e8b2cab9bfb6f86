"""Errors of ``imgwired images`` name the CLI's flags, and under ``--json`` keep the API's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgwired.accounts.organization import Initialized
from tests.cli.images.conftest import run
from tests.client.servers import base_url_of, bound_socket


def test_a_missing_key_names_the_flag_and_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMGWIRED_API_KEY")
    code, _, err = run(capsys, "list")

    assert code == 1
    assert err.startswith("imgwired: no API key: pass --api-key or set IMGWIRED_API_KEY")
    assert "api_key" not in err.replace("--api-key", "")


def test_a_wrong_key_names_where_it_came_from(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "list", "--api-key", "sk_wrong")
    assert code == 1
    assert err == (
        "imgwired: the key in --api-key is not valid for this server (InvalidApiKeyError)\n"
    )

    monkeypatch.setenv("IMGWIRED_API_KEY", "not-a-key")
    code, _, err = run(capsys, "list")
    assert code == 1
    assert err.startswith("imgwired: IMGWIRED_API_KEY is not an API key: keys start with sk_")
    assert "Authorization" not in err


def test_a_client_key_is_told_it_needs_a_server_key_or_an_upload_token(
    capsys: pytest.CaptureFixture[str], installed: Initialized, photo: Path
) -> None:
    client_key = installed.client_key.secret
    code, _, err = run(capsys, "list", "--api-key", client_key)
    assert code == 1
    assert "needs a server key" in err and "--api-key" in err

    code, _, err = run(capsys, "upload", str(photo), "--api-key", client_key)
    assert code == 1
    assert err.startswith("imgwired: this client key needs an upload token: pass --upload-token")
    assert "?upload_token=" not in err

    code, _, err = run(
        capsys, "upload", str(photo), "--api-key", client_key, "--upload-token", "ut_" + "x" * 43
    )
    assert code == 1
    assert err.startswith("imgwired: --upload-token was refused: The upload token is not valid")


def test_the_admin_token_is_told_to_name_an_environment(
    capsys: pytest.CaptureFixture[str], installed: Initialized
) -> None:
    admin = installed.admin_token
    code, _, err = run(capsys, "list", "--api-key", admin)
    assert code == 1
    assert "--env/--environment-id" in err
    assert "X-Environment-Id" not in err

    code, out, err = run(capsys, "list", "--api-key", admin, "--env", str(installed.environment.id))
    assert (code, err) == (0, "")
    assert out.startswith("ID")

    code, _, err = run(capsys, "list", "--api-key", admin, "--environment-id", "staging")
    assert code == 1
    assert err.startswith("imgwired: --env/--environment-id must be an environment's id")


def test_a_refused_connection_names_the_url_and_where_it_came_from(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with bound_socket() as closed:  # bound, never listening: connections are refused
        url = base_url_of(closed)
        code, _, err = run(capsys, "list", "--base-url", url)
        assert code == 1
        assert err == (
            f"imgwired: no imgwired answers at {url} (from --base-url); "
            "is `imgwired serve` running?\n"
        )

        monkeypatch.setenv("IMGWIRED_BASE_URL", url)
        code, _, err = run(capsys, "list")
        assert f"no imgwired answers at {url} (from IMGWIRED_BASE_URL)" in err

    code, _, err = run(capsys, "list", "--base-url", "localhost:8000")
    assert code == 1
    assert err == "imgwired: --base-url must be an http(s) URL, not 'localhost:8000'\n"


def test_errors_under_json_are_one_object_in_the_api_error_shape(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "list", "--api-key", "sk_wrong", "--json")
    assert (code, out) == (1, "")
    error = json.loads(err)
    assert error["error_type"] == "InvalidApiKeyError"
    assert error["detail"] == "the key in --api-key is not valid for this server"
    assert error["request_id"]  # the server's, to quote when reporting it

    monkeypatch.delenv("IMGWIRED_API_KEY")
    code, _, err = run(capsys, "get", "00000000-0000-0000-0000-000000000000", "--json")
    assert code == 1
    assert json.loads(err) == {
        "detail": "no API key: pass --api-key or set IMGWIRED_API_KEY "
        "(the server key `imgwired serve` printed on its first start)",
        "error_type": "MissingApiKeyError",
        "request_id": None,
    }


def test_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], photo: Path) -> None:
    code, _, err = run(capsys, "upload", str(photo.with_name("missing.jpg")))

    assert code == 1
    assert err == f"imgwired: no such file: {photo.with_name('missing.jpg')}\n"
