"""Settings come from IMGWIRED_* variables; nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgwired.config import Settings
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
