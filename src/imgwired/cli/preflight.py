"""Start-up checks: each configuration mistake becomes one line naming the setting, exit 2.

They run before anything is created (no data directory, no database file, no migration, no keys
printed), in the order a fix is most useful: the settings parse; the directories that will be
created can be; the database answers; the port is free; the blob store stores. The exit status
is 2, as for a command-line usage error, which this is: the process was started wrong.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from imgwired.config import SECRET_SETTINGS, Settings, variable_of
from imgwired.db.engine import database_problem, sqlite_file
from imgwired.storage.base import StorageError
from imgwired.storage.factory import blob_store_from_url
from imgwired.storage.filesystem import FilesystemBlobStore

# The flag that may set a field for `serve`, named instead of the variable when it did.
_FLAGS = {"host": "--host", "port": "--port"}
# What each command needs checked beyond the settings: the ones that only read rows still
# open the database, and `worker` stores blobs as `serve` does.
_CHECKS: Mapping[str, Collection[str]] = {
    "serve": ("directories", "database", "port", "blob_store"),
    "worker": ("directories", "database", "blob_store"),
}
_DEFAULT_CHECKS = ("directories", "database")


class ConfigurationError(Exception):
    """A setting that cannot work; ``str()`` is the line to print."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")


def settings_or_refuse() -> Settings:
    """The settings from the environment and .env; a bad one is a ``UsageError`` naming each."""
    try:
        return Settings()
    except ValidationError as error:
        _refuse([_describe(detail) for detail in error.errors()])
    except SettingsError as error:
        # Raised for the first value that is not even JSON (lists); its field is in the message.
        field = str(error).split('"')[1] if '"' in str(error) else "settings"
        _refuse([f'{variable_of(field)}: not valid JSON (e.g. ["value"])'])


def check_or_refuse(settings: Settings, command: str, *, from_flags: Collection[str] = ()) -> None:
    """Run the checks ``command`` needs; the first failure is a ``UsageError`` (exit 2).

    ``from_flags`` names the fields a command-line flag set, so the line names the flag.
    """
    checks = _CHECKS.get(command, _DEFAULT_CHECKS)
    try:
        for check in checks:
            _RUN[check](settings, from_flags)
    except ConfigurationError as error:
        _refuse([str(error)])


def _check_directories(settings: Settings, _from_flags: Collection[str]) -> None:
    """The data directory, the SQLite file's and the blob store's can be created and written."""
    for setting, directory in _directories(settings):
        if (problem := _directory_problem(directory)) is not None:
            raise ConfigurationError(setting, problem)


def _directories(settings: Settings) -> list[tuple[str, Path]]:
    data_dir = variable_of("data_dir")
    found: list[tuple[str, Path]] = []
    if (database := sqlite_file(settings.resolved_database_url)) is not None:
        setting = variable_of("database_url") if settings.database_url else data_dir
        found.append((setting, database.parent))
    if not settings.blob_store_url.strip():
        found.append((data_dir, settings.data_dir / "blobs"))
    return found


def _directory_problem(directory: Path) -> str | None:
    """Why ``directory`` could not be created or written, without creating anything."""
    path = directory.absolute()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, so {path} cannot be a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing == path:
            return f"{path} is not writable"
        return f"{existing} is not writable, so {path} cannot be created"
    return None


def _check_database(settings: Settings, _from_flags: Collection[str]) -> None:
    if (problem := database_problem(settings.resolved_database_url)) is not None:
        setting = "database_url" if settings.database_url else "data_dir"
        raise ConfigurationError(variable_of(setting), problem)


def _check_port(settings: Settings, from_flags: Collection[str]) -> None:
    """Bind host:port once, as uvicorn will (SO_REUSEADDR included), and let it go again."""
    host, port = _name("host", from_flags), _name("port", from_flags)
    if not 1 <= settings.port <= 65535:
        raise ConfigurationError(port, f"{settings.port} is not a port number (1 to 65535)")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM
        )[0]
    except (socket.gaierror, UnicodeError):
        raise ConfigurationError(host, f"{settings.host!r} is not an address") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            where = f"{settings.host}:{settings.port}"
            if error.errno == errno.EADDRINUSE:
                raise ConfigurationError(port, f"{where} is already in use") from None
            if error.errno == errno.EACCES:
                raise ConfigurationError(port, f"binding {where} is not permitted") from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise ConfigurationError(
                    host, f"{settings.host} is no address of this machine"
                ) from None
            raise ConfigurationError(port, f"cannot bind {where}: {error.strerror}") from None


def _check_blob_store(settings: Settings, _from_flags: Collection[str]) -> None:
    """The store can be built from its URL, and stores, reads back and deletes a small blob."""
    setting = variable_of("blob_store_url" if settings.blob_store_url.strip() else "data_dir")
    try:
        with blob_store_from_url(settings.blob_store_url, data_dir=settings.data_dir) as store:
            # Checked first, so that a root under a file is reported without creating anything.
            root = store.root if isinstance(store, FilesystemBlobStore) else None
            if root is not None and (problem := _directory_problem(root)) is not None:
                raise ConfigurationError(setting, problem)
            store.probe()
    except StorageError as error:
        raise ConfigurationError(setting, error.detail) from None


_RUN = {
    "directories": _check_directories,
    "database": _check_database,
    "port": _check_port,
    "blob_store": _check_blob_store,
}


def _name(field: str, from_flags: Collection[str]) -> str:
    return _FLAGS[field] if field in from_flags else variable_of(field)


def _describe(detail: ErrorDetails) -> str:
    """One line for one pydantic error: the variable, what is wrong, and what was given."""
    field = str(detail["loc"][0]) if detail["loc"] else "settings"
    message = detail["msg"].removeprefix("Value error, ")
    given = "" if field in SECRET_SETTINGS else f" (got {str(detail['input'])[:80]!r})"
    return f"{variable_of(field)}: {message[:1].lower()}{message[1:]}{given}"


def _refuse(lines: list[str]) -> NoReturn:
    """Refuse to run: the command prints one line per problem (or one JSON error), exit 2."""
    from .output import UsageError

    raise UsageError("\n".join(lines), error_type="ConfigurationError")
