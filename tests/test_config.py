"""Settings come from IMGWIRED_* variables; nothing is read at import time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imgwired.config import OTHER_VARIABLES, Settings, known_variables, misspelt_variables
from imgwired.pagination import Page, PageRequest


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMGWIRED_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMGWIRED_PORT", "9123")
    settings = Settings()
    assert settings.port == 9123
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'imgwired.db').resolve()}"
    assert settings.base_url == "http://localhost:9123"


def test_postgres_urls_use_the_bundled_driver() -> None:
    settings = Settings(database_url="postgresql://u@db:5432/images")
    assert settings.resolved_database_url == "postgresql+psycopg://u@db:5432/images"
    assert Settings(database_url="postgres://u@db/x").resolved_database_url.startswith(
        "postgresql+psycopg://"
    )


def test_public_url_wins_and_loses_its_trailing_slash() -> None:
    assert Settings(public_url="https://img.example.com/").base_url == "https://img.example.com"


def test_invalid_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGWIRED_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()


@pytest.mark.parametrize(
    ("total", "page", "limit", "prev", "next_"),
    [(0, 1, 20, None, None), (5, 1, 2, None, 2), (5, 3, 2, 2, None), (4, 2, 2, 1, None)],
)
def test_page_neighbours(
    total: int, page: int, limit: int, prev: int | None, next_: int | None
) -> None:
    request = PageRequest(page, limit)
    items = list(range(total))[request.offset : request.offset + limit]
    result = Page(items, total, request)
    assert (result.prev_page, result.next_page) == (prev, next_)


@pytest.mark.parametrize(("page", "limit"), [(0, 20), (1, 0), (1, 101)])
def test_page_requests_are_bounded(page: int, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        PageRequest(page, limit)


# -- .env ----------------------------------------------------------------------------------------


def test_dotenv_in_the_working_directory_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("IMGWIRED_PORT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("IMGWIRED_PORT=9001\nIMGWIRED_HOST=0.0.0.0\n")

    assert (Settings().port, Settings().host) == (9001, "0.0.0.0")

    monkeypatch.setenv("IMGWIRED_PORT", "9002")  # the environment wins over .env
    assert (Settings().port, Settings().host) == (9002, "0.0.0.0")


# -- every IMGWIRED_ name, known and documented --------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"IMGWIRED_[A-Z0-9_]*[A-Z0-9]")
# Misspellings made on purpose, to see them warned about (and to show the warning in the docs).
DELIBERATE_MISSPELLINGS = {"IMGWIRED_PROT", "IMGWIRED_FOO", "IMGWIRED_MAXPIXELS"}


def names_in(*paths: Path) -> set[str]:
    found: set[str] = set()
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if "node_modules" in file.parts or file.suffix in {".pyc", ".png", ".jpg", ".db"}:
                continue
            found |= set(NAME.findall(file.read_text(errors="ignore")))
    return found


def test_every_name_read_anywhere_is_known() -> None:
    read = names_in(*(ROOT / p for p in ("src", "tests", "bench", "examples", ".ci", "tasks.py")))
    assert read - DELIBERATE_MISSPELLINGS <= known_variables()
    assert set(OTHER_VARIABLES) <= read  # and nothing is listed that nothing reads


def test_every_variable_is_documented_in_one_place() -> None:
    documented = names_in(ROOT / "docs" / "configuration.md") - DELIBERATE_MISSPELLINGS
    assert documented == known_variables()


def test_no_page_documents_a_variable_that_does_not_exist() -> None:
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    assert names_in(*pages) - DELIBERATE_MISSPELLINGS <= known_variables()


# -- misspellings --------------------------------------------------------------------------------


def test_a_misspelt_name_is_warned_about_with_the_closest_one(tmp_path: Path) -> None:
    environ = {
        "IMGWIRED_PROT": "1",
        "IMGWIRED_MAXPIXELS": "1",
        "IMGWIRED_FOO": "1",
        "IMGWIRED_PORT": "8000",
        "IMGWIRED_API_KEY": "sk_x",
        "HOME": "/",
    }
    assert misspelt_variables(environ, tmp_path / "missing.env") == [
        "IMGWIRED_FOO is not a setting",
        "IMGWIRED_MAXPIXELS is not a setting; did you mean IMGWIRED_MAX_PIXELS?",
        "IMGWIRED_PROT is not a setting; did you mean IMGWIRED_PORT?",
    ]


def test_a_misspelt_name_in_dotenv_is_warned_about_once(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("IMGWIRED_PROT=1\nIMGWIRED_PORT=2\n")
    assert misspelt_variables({"IMGWIRED_PROT": "1"}, env_file) == [
        "IMGWIRED_PROT is not a setting; did you mean IMGWIRED_PORT?"
    ]
    assert misspelt_variables({}, env_file) == [
        f"IMGWIRED_PROT in {env_file} is not a setting; did you mean IMGWIRED_PORT?"
    ]
