"""``--json`` on every command, errors included, and exit statuses: 1 refused, 2 usage."""

from __future__ import annotations

import pytest

from imgwired.cli.main import _parser, main
from tests.cli.conftest import failed_json, run_json

pytestmark = pytest.mark.usefixtures("configured")


def leaf_commands() -> list[list[str]]:
    """Every command the parser knows, as the words that name it."""
    found: list[list[str]] = []

    def walk(parser: object, words: list[str]) -> None:
        actions = getattr(parser, "_subparsers", None)
        if actions is None:
            found.append(words)
            return
        for action in actions._group_actions:
            for name, sub in action.choices.items():
                walk(sub, [*words, name])

    walk(_parser(), [])
    return found


def test_every_command_takes_json(capsys: pytest.CaptureFixture[str]) -> None:
    commands = leaf_commands()
    assert ["worker"] in commands and ["env", "delete"] in commands
    assert ["images", "upload"] in commands and len(commands) >= 15
    for words in commands:
        with pytest.raises(SystemExit) as exited:
            main([*words, "--help"])
        assert exited.value.code == 0
        assert "--json" in capsys.readouterr().out, words


def test_migrate_and_init_answer_json_naming_the_database(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    migrated = run_json(capsys, "migrate")
    assert migrated["status"] == "up to date" and migrated["revision"]
    initialized = run_json(capsys, "init")
    assert initialized["database"] == migrated["database"]
    assert migrated["database"] in database_url
    main(["migrate"])
    assert f"database {migrated['database']} is up to date" in capsys.readouterr().out


def test_usage_errors_exit_2_in_json_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, error = failed_json(capsys, "worker", "--threads", "0")
    assert code == 2
    assert error == {
        "detail": "--threads: must be at least 1, not 0 (see `imgwired worker --help`)",
        "error_type": "UsageError",
        "request_id": None,
    }
    assert main(["worker", "--threads", "0"]) == 2
    assert capsys.readouterr().err == (
        "imgwired: --threads: must be at least 1, not 0 (see `imgwired worker --help`)\n"
    )

    code, error = failed_json(capsys, "keys", "create")
    assert code == 2 and "--type" in error["detail"]
    code, error = failed_json(capsys, "serve", "--port", "70000")
    assert code == 2 and "--port" in error["detail"]
    code, error = failed_json(capsys, "keys", "revoke", "not-a-uuid")
    assert code == 2 and "not a key id" in error["detail"]


def test_invalid_settings_are_a_configuration_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMGWIRED_JOB_POLL_SECONDS", "soon")
    code, error = failed_json(capsys, "env", "list")
    assert code == 2 and error["error_type"] == "ConfigurationError"
    assert "IMGWIRED_JOB_POLL_SECONDS" in error["detail"]


def test_refusals_exit_1_in_the_apis_error_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, error = failed_json(capsys, "keys", "list")
    assert code == 1 and error["error_type"] == "NotInitializedError"
    run_json(capsys, "init")
    code, error = failed_json(capsys, "init")
    assert code == 1 and error["error_type"] == "ConflictError"
    assert "already initialised" in error["detail"]
    code, error = failed_json(capsys, "keys", "list", "--env", "nope")
    assert (code, error["error_type"]) == (1, "EnvironmentNotFoundError")


def test_images_errors_are_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, error = failed_json(
        capsys, "images", "list", "--base-url", "http://127.0.0.1:9", "--api-key", "sk_x"
    )
    assert code == 1 and error["error_type"] and error["detail"]
