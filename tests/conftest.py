"""Shared fixtures: a real database (SQLite by default, PostgreSQL when asked), the app, a client.

``IMGWIRED_TEST_DATABASE_URL=postgresql://user@host/db`` runs every test on PostgreSQL: the
session creates a private database beside it, migrates it once and empties it before each test.
On SQLite each test gets its own copy of a migrated template file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from imgwired.accounts.organization import Initialized
from imgwired.config import Settings, normalise_database_url
from imgwired.db import migrate
from imgwired.db.base import Base
from imgwired.db.engine import Database
from imgwired.web.app import create_app

TEST_DATABASE_URL = os.environ.get("IMGWIRED_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgresql", "postgres"))


def pytest_report_header() -> str:
    return f"imgwired database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'}"


def in_ci() -> bool:
    """Whether this run is CI's (``CI`` set to anything but empty, ``0``, ``false`` or ``no``)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``postgres_only`` tests run when the suite runs on PostgreSQL. On SQLite they are
    deselected (counted in the summary), not skipped: in CI a skip fails the run, and the CI
    runs the suite on both."""
    if ON_POSTGRES:
        return
    dropped = [item for item in items if item.get_closest_marker("postgres_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # In CI a skipped test is a test that did not run: fail the run rather than hide it.
    skipped = terminalreporter.stats.get("skipped", [])
    if in_ci() and skipped:
        terminalreporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; failing the run", red=True
        )
        terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto S3 server on loopback, for the whole session."""
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "storage" / "moto_server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    assert server.stdin is not None and server.stdout is not None
    try:
        port = server.stdout.readline().strip()
        if not port.isdigit():
            pytest.fail(f"moto's S3 server did not start; see {log_path}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a template file on SQLite, a private database on PostgreSQL."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "imgwired.db"
        database = Database(f"sqlite:///{path}")
        migrate.upgrade(database)
        database.dispose()
        yield str(path)
        return
    with private_postgres_database("imgwired_test") as url:
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        yield url


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on the backend under test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with private_postgres_database("imgwired_empty") as url:
        yield url


@contextmanager
def private_postgres_database(prefix: str) -> Iterator[str]:
    """A new database on the test server, dropped afterwards."""
    server = make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if not ON_POSTGRES:
        copy = tmp_path / "imgwired.db"
        shutil.copyfile(database_template, copy)
        return f"sqlite:///{copy}"
    engine = create_engine(database_template)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()
    return database_template


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        migrate_on_start=False,
        public_url="http://imgwired.test",
        # Tests run jobs themselves (``run_jobs``), so outcomes do not depend on timing.
        run_jobs_in_process=False,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Tenant:
    """One environment and the credentials that act on it."""

    environment_id: uuid.UUID
    server_key: str
    client_key: str
    admin_token: str

    @property
    def admin(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.admin_token}",
            "X-Environment-Id": str(self.environment_id),
        }

    @property
    def server(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server_key}"}

    @property
    def client(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.client_key}"}


@pytest.fixture
def installed(app: FastAPI, client: TestClient) -> Initialized:
    """The install after ``init``: organization, default environment, keys, admin token."""
    initialized: Initialized = app.state.services.organization.initialize(
        environment_name="production"
    )
    return initialized


@pytest.fixture
def tenant(installed: Initialized) -> Tenant:
    return Tenant(
        installed.environment.id,
        installed.server_key.secret,
        installed.client_key.secret,
        installed.admin_token,
    )


@pytest.fixture
def other_tenant(client: TestClient, tenant: Tenant) -> Tenant:
    """A second environment with its own server and client keys."""
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    created = client.post("/api/v1/environments/", json={"name": "staging"}, headers=admin)
    assert created.status_code == 200, created.text
    environment_id = uuid.UUID(created.json()["id"])
    scoped = {**admin, "X-Environment-Id": str(environment_id)}
    keys = {}
    for key_type in ("SERVER", "CLIENT"):
        response = client.post(
            "/api/v1/api_keys/", json={"name": key_type, "key_type": key_type}, headers=scoped
        )
        assert response.status_code == 200, response.text
        body = response.json()
        keys[key_type] = body["server_key"] or body["client_key"]
    return Tenant(environment_id, keys["SERVER"], keys["CLIENT"], tenant.admin_token)


@pytest.fixture
def unsigned_client(client: TestClient, tenant: Tenant) -> dict[str, str]:
    """Headers of a client key that may upload without a token (init's key requires one)."""
    response = client.post(
        "/api/v1/api_keys/",
        json={"name": "unsigned", "key_type": "CLIENT", "allow_unsigned_upload": True},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['client_key']}"}
