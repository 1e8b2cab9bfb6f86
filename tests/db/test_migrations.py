"""Migrations: they build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from imgwired.db import migrate
from imgwired.db.base import Base
from imgwired.db.engine import Database


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()


def test_upgrading_again_is_a_no_op(database_url: str) -> None:
    database = Database(database_url)
    try:
        migrate.upgrade(database)
        tables = set(inspect(database.engine).get_table_names())
        assert {"organizations", "environments", "api_keys", "alembic_version"} <= tables
    finally:
        database.dispose()


def test_processes_starting_together_migrate_once(empty_database_url: str) -> None:
    """Several API processes may start at once on an empty database; all must come up."""
    env = {**os.environ, "IMGWIRED_DATABASE_URL": empty_database_url}
    command = [sys.executable, "-m", "imgwired", "migrate"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=60), p.communicate()) for p in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    database = Database(empty_database_url)
    try:
        assert "api_keys" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def test_threads_migrating_together_are_serialised(database_url: str) -> None:
    databases = [Database(database_url) for _ in range(3)]
    failures: list[BaseException] = []

    def run(database: Database) -> None:
        try:
            migrate.upgrade(database)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(db,)) for db in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in databases:
        database.dispose()
    assert failures == []
