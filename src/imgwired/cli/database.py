"""Which database a command works on, and the services on it for the command's duration.

Only ``serve``, ``init`` and ``migrate`` create a database or change its schema. Every other
command first checks that the database is there: opening a SQLite file that does not exist
would create it (and its directory) wherever the command happened to run, and then report an
empty install instead of the real mistake, a wrong directory or ``IMGWIRED_DATA_DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from imgwired.config import Settings
from imgwired.container import Services
from imgwired.db import migrate
from imgwired.db.engine import Database
from imgwired.errors import NotInitializedError

from .output import UsageError


@contextmanager
def open_services(
    settings: Settings, *, migrate_first: bool, job_threads: int = 2
) -> Iterator[Services]:
    """Services on the database, migrated first or else checked to exist and be current;
    closed again when the command is done."""
    if not migrate_first:
        require_database(settings)
    database = Database(settings.resolved_database_url)
    try:
        if migrate_first:
            migrate.upgrade(database)
        else:
            _require_current_schema(database, settings)
        services = Services.build(settings, database, job_threads=job_threads)
        try:
            yield services
        finally:
            services.bus.close()
    finally:
        database.dispose()


def database_label(settings: Settings) -> str:
    """The database as a person would name it: a SQLite file's path, else its URL without
    the password."""
    path = sqlite_path(settings)
    if path is not None:
        return str(path)
    url = settings.resolved_database_url
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        rest = f"{credentials.split(':', 1)[0]}:***@{host}"
    return f"{scheme}{separator}{rest}"


def sqlite_path(settings: Settings) -> Path | None:
    """The file of a SQLite database; None for other databases and in-memory ones."""
    url = settings.resolved_database_url
    scheme, _, rest = url.partition(":///")
    if not scheme.startswith("sqlite"):
        return None
    path = rest.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def require_database(settings: Settings) -> None:
    """Refuse, in one line that says where it looked and what to do, to work on a SQLite
    database that does not exist."""
    path = sqlite_path(settings)
    if path is None or path.exists():
        return
    if settings.database_url:
        source = f"IMGWIRED_DATABASE_URL={settings.database_url}"
        remedy = "run `imgwired init` with these settings, or set IMGWIRED_DATABASE_URL"
    else:
        given = os.environ.get("IMGWIRED_DATA_DIR")
        source = f"IMGWIRED_DATA_DIR={given}" if given else "IMGWIRED_DATA_DIR unset: ./data"
        remedy = "run `imgwired serve` or `imgwired init` there, or set IMGWIRED_DATA_DIR"
    raise UsageError(
        f"no imgwired database at {path} ({source}): {remedy}",
        error_type="DatabaseNotFoundError",
    )


def _require_current_schema(database: Database, settings: Settings) -> None:
    current = migrate.current_revision(database)
    label = database_label(settings)
    if current is None:
        raise NotInitializedError(f"The database {label} is empty: run `imgwired init` first")
    if current != migrate.head_revision():
        raise NotInitializedError(
            f"The database {label} has an older schema ({current}) than this imgwired: "
            "run `imgwired migrate` first"
        )
