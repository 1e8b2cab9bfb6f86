"""One running app with uploaded sources, for tests that make many CDN requests of it.

Each request is a case, not a new install: a module builds the app once with ``served()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.db import migrate
from imgwired.db.engine import Database
from imgwired.web.app import create_app
from tests.conftest import ON_POSTGRES, private_postgres_database
from tests.images.helpers import upload


@dataclass(frozen=True)
class ServedApp:
    """The app, its in-process client, and each uploaded source as the API shows it."""

    app: FastAPI
    client: TestClient
    images: Mapping[str, dict[str, Any]]


@contextmanager
def served(template: str, directory: Path, sources: Mapping[str, bytes]) -> Iterator[ServedApp]:
    """The app on a database copied from ``template``, with ``sources`` (name: PNG) uploaded."""
    with _database_url(template, directory) as url:
        settings = Settings(
            data_dir=directory / "data",
            database_url=url,
            migrate_on_start=False,
            public_url="http://imgwired.test",
            run_jobs_in_process=False,
        )
        app = create_app(settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            installed = app.state.services.organization.initialize(environment_name="served")
            headers = {"Authorization": f"Bearer {installed.server_key.secret}"}
            images = {
                name: upload(app, client, headers, data, file_name=f"{name}.png")
                for name, data in sources.items()
            }
            yield ServedApp(app, client, images)


@contextmanager
def _database_url(template: str, directory: Path) -> Iterator[str]:
    if not ON_POSTGRES:
        copy = directory / "imgwired.db"
        copy.write_bytes(Path(template).read_bytes())
        yield f"sqlite:///{copy}"
        return
    with private_postgres_database("imgwired_served") as url:
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        yield url
