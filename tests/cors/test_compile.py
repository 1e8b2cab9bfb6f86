"""Compiling stored CORS rows: what cannot be read costs only itself, never another environment."""

from __future__ import annotations

import logging
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from imgwired.config import Settings
from imgwired.cors import repository as cors_repository
from imgwired.cors.origins import parse_origin
from imgwired.cors.runtime import CorsRuntime
from imgwired.db.engine import Database
from imgwired.db.models import CorsPolicyRecord
from imgwired.web.app import create_app
from tests.conftest import Tenant

ORIGINS = "/api/v1/cors_origins/"
POLICY = "/api/v1/cors_policy"


def add(client: TestClient, tenant: Tenant, pattern: str) -> None:
    response = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
    assert response.status_code == 200, response.text


def admits(runtime: CorsRuntime, environment_id: uuid.UUID, origin: str) -> bool:
    return runtime.actual_for(environment_id, parse_origin([origin])).allowed


def test_an_unreadable_policy_row_is_skipped_for_the_default_policy(
    client: TestClient, tenant: Tenant, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    add(client, tenant, "app.example.com")
    database = Database(settings.resolved_database_url)
    try:
        with database.transaction() as session:
            session.execute(
                insert(CorsPolicyRecord).values(
                    environment_id=tenant.environment_id,
                    allowed_methods=["GET", "TRACE"],
                    allowed_headers=["X-\u00dc"],
                    expose_headers=[],
                    max_age=10**9,
                    allow_credentials=False,
                    allow_private_network=False,
                    mode="loose",
                )
            )
    finally:
        database.dispose()
    caplog.set_level(logging.WARNING, logger="imgwired.cors")
    with TestClient(create_app(settings), raise_server_exceptions=False) as restarted:
        [warning] = [r.getMessage() for r in caplog.records if "policy" in r.getMessage()]
        assert str(tenant.environment_id) in warning
        shown = restarted.get(POLICY, headers=tenant.server)
        assert shown.status_code == 200, shown.text
        assert shown.json()["allowed_methods"] == ["GET", "HEAD", "POST", "PUT"]
        upload = restarted.post(
            "/api/v1/images/standard_upload",
            json={"file_name": "a.jpg"},
            headers={**tenant.server, "Origin": "https://app.example.com"},
        )
        assert upload.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        mended = restarted.patch(POLICY, json={"max_age": 60}, headers=tenant.server)
        assert mended.status_code == 200, mended.text
        assert mended.json()["max_age"] == 60


def test_an_environment_that_cannot_compile_refuses_alone_and_is_retried(
    app: FastAPI,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add(client, tenant, "app.example.com")
    add(client, other_tenant, "staging.example.com")
    runtime: CorsRuntime = app.state.services.cors_runtime
    real = cors_repository.patterns_of

    def failing(session: Session, environment_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
        # Stands in for a failure nobody foresaw, in one environment only.
        if environment_id == tenant.environment_id:
            raise RuntimeError("unforeseen")
        return real(session, environment_id)

    monkeypatch.setattr(cors_repository, "patterns_of", failing)
    runtime.load_all()
    assert admits(runtime, other_tenant.environment_id, "https://staging.example.com")
    # Kept as it was compiled before; a process that never compiled it would admit nothing.
    assert admits(runtime, tenant.environment_id, "https://app.example.com")
    fresh = CorsRuntime(app.state.services.database)
    fresh.load_all()
    assert admits(fresh, other_tenant.environment_id, "https://staging.example.com")
    assert not admits(fresh, tenant.environment_id, "https://app.example.com")
    assert not admits(fresh, tenant.environment_id, "https://evil.example.org")

    monkeypatch.setattr(cors_repository, "patterns_of", real)
    fresh.poll()  # nothing changed in the database: the failed environment is retried anyway
    assert admits(fresh, tenant.environment_id, "https://app.example.com")
