"""The engine and the session factory; one ``Database`` per app, built in ``create_app``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.exc import IntegrityError as IntegrityError
from sqlalchemy.orm import Session as Session
from sqlalchemy.orm import sessionmaker


class Database:
    """Owns the engine; hands out one transaction at a time."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine = _create_engine(url, echo=echo)
        writer = self.engine.execution_options(imgwired_write=True)
        self._writes = sessionmaker(writer, expire_on_commit=False)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        # An SQLite read transaction sees one snapshot already; PostgreSQL's default (READ
        # COMMITTED) takes a new one per statement.
        snapshots = self.engine
        if self.engine.dialect.name == "postgresql":
            snapshots = self.engine.execution_options(isolation_level="REPEATABLE READ")
        self._snapshots = sessionmaker(snapshots, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits when the block ends and rolls back if it raises."""
        with self._writes.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (on SQLite it does not take the write lock)."""
        with self._reads.begin() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only unit of work whose statements all see the same committed state: a count
        and the page it describes, read one after the other, agree."""
        with self._snapshots.begin() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


# The databases the migrations are written and tested for.
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def database_problem(url: str, *, timeout_seconds: int = 5) -> str | None:
    """Why ``url`` names no database imgwired can use now, in one line; None if it does.

    Checked: the URL parses, names a supported backend whose driver loads, and a server answers
    one connection within ``timeout_seconds``. An SQLite file is not created (a missing one is
    fine: its directory is the caller's to check), and an existing one must be a database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "not a database URL (e.g. postgresql://user:password@host:5432/imgwired)"
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        return f"imgwired runs on SQLite or PostgreSQL, not {backend!r}"
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError):
        return f"the database driver {parsed.drivername!r} is not installed"
    if backend == "sqlite":
        return _sqlite_problem(parsed)
    engine = create_engine(parsed, connect_args={"connect_timeout": timeout_seconds})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        # The driver's first line says what failed (refused, unknown host, authentication);
        # it names the host and the user, never the password.
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        return f"cannot connect to the database: {reason[0] if reason else type(error).__name__}"
    finally:
        engine.dispose()
    return None


def sqlite_file(url: str | URL) -> Path | None:
    """The file of an SQLite URL; None for other backends, in-memory databases and URLs that
    do not parse (``database_problem`` says what is wrong with those)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_problem(url: URL) -> str | None:
    path = sqlite_file(url)
    if path is None or not path.exists():
        return None
    if not path.is_file():
        return f"{path} is not a file"
    try:  # read-only, so that nothing is written by a check
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error as error:
        return f"{path} is not a usable SQLite database: {error}"
    return None


def _create_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling defers it).
    dbapi_connection.isolation_level = None
    _sqlite_pragmas(dbapi_connection)


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes the lock up front: a deferred one that read first could fail
    # with SQLITE_BUSY when it upgrades, and busy_timeout does not retry that case.
    write = conn.get_execution_options().get("imgwired_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; busy_timeout waits for the lock instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
