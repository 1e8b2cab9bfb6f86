"""Bring a database to the newest schema; safe to call from several processes at once."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from imgwired.db.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant will do: it only has to be the same in every imgwired process.
_PG_MIGRATION_LOCK = 0x1A6_312ED
_in_process = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(database: Database) -> None:
    """Apply every migration not yet applied."""
    # Alembic keeps its context in module globals: one migration at a time per process.
    with (
        _in_process,
        database.engine.execution_options(imgwired_write=True).connect() as connection,
    ):
        if connection.dialect.name == "postgresql":
            # Several API processes may start together; one migrates while the rest wait.
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
                connection.commit()


def current_revision(database: Database) -> str | None:
    """The revision the database is at; None for a database no migration has touched."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this version of imgwired knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
