"""``imgwired``: serve, init, and manage environments and keys from a terminal.

Commands act on the configured database directly, so they work whether or not a server runs;
``images`` is the exception: it talks to a running server through the SDK. Only ``serve``,
``init`` and ``migrate`` change the schema; the others need it current and say so otherwise.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from imgwired.accounts.api_keys import NewApiKey
from imgwired.accounts.organization import Initialized
from imgwired.config import Settings
from imgwired.container import Services
from imgwired.db import migrate
from imgwired.db.engine import Database
from imgwired.db.models import ApiKeyType
from imgwired.errors import ImgwiredError, NotInitializedError
from imgwired.pagination import MAX_LIMIT, PageRequest

from . import images, preflight
from .documents import created_key_document, environment_document, listed_key_document
from .output import emit_json, emit_pairs, emit_table


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    preflight.warn_misspelt_variables()
    if args.command == "images":
        return images.run(args)
    settings = preflight.settings_or_exit()  # exits 2 with one line per bad setting
    try:
        if args.command == "serve":
            return _serve(args, settings)
        preflight.check_or_exit(settings, args.command)
        migrating = args.command in _MIGRATING
        threads = max(1, args.threads) if args.command == "worker" else 2
        with _open_services(settings, migrate_first=migrating, job_threads=threads) as services:
            return int(args.handler(args, services))
    except ImgwiredError as exc:
        print(f"imgwired: {exc.detail}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imgwired", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")

    serve = commands.add_parser("serve", help="run the server (initialising on first start)")
    serve.add_argument("--host", help="address to bind (default IMGWIRED_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default IMGWIRED_PORT or 8000)")
    serve.set_defaults(handler=_serve)

    init = commands.add_parser("init", help="create the organization, an environment and keys")
    init.add_argument("--json", action="store_true", help="print one JSON object")
    init.set_defaults(handler=_init)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=_migrate)
    worker = commands.add_parser("worker", help="run background jobs in this process")
    worker.add_argument("--threads", type=int, default=2, help="jobs run at once (default 2)")
    worker.set_defaults(handler=_worker)

    env = commands.add_parser("env", help="manage environments").add_subparsers(
        required=True, metavar="ACTION"
    )
    env_create = env.add_parser("create", help="create an environment")
    env_create.add_argument("name")
    env_create.add_argument("--json", action="store_true")
    env_create.set_defaults(handler=_env_create)
    env_list = env.add_parser("list", help="list environments")
    env_list.add_argument("--json", action="store_true")
    env_list.set_defaults(handler=_env_list)

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", help="create a key; its secret is printed once")
    create.add_argument("--type", choices=["server", "client"], required=True, dest="key_type")
    create.add_argument("--name", help="a label for the key")
    create.add_argument("--allow-unsigned-upload", action="store_true", default=None)
    create.add_argument("--maximum-upload-bytes", type=int)
    create.add_argument("--allowed-mime-types", help="comma-separated, e.g. image/png,image/jpeg")
    create.add_argument("--maximum-pending-uploads", type=int)
    keys_list = keys.add_parser("list", help="list keys (secrets masked)")
    revoke = keys.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id")
    for sub, handler in ((create, _keys_create), (keys_list, _keys_list), (revoke, _keys_revoke)):
        sub.add_argument(
            "--env", dest="environment", help="environment id or name (default: default)"
        )
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(handler=handler)

    images.configure(
        commands.add_parser("images", help="upload, list, show and delete images on a server")
    )
    return parser


# The commands that bring the schema up to date; the rest only read or write rows.
_MIGRATING = frozenset({"serve", "init", "migrate"})


@contextmanager
def _open_services(
    settings: Settings, *, migrate_first: bool = True, job_threads: int = 2
) -> Iterator[Services]:
    """Services on the database, migrated first or else checked to be current; closed again
    when the command is done."""
    database = Database(settings.resolved_database_url)
    try:
        if migrate_first:
            migrate.upgrade(database)
        else:
            _require_current_schema(database)
        yield Services.build(settings, database, job_threads=job_threads)
    finally:
        database.dispose()


def _require_current_schema(database: Database) -> None:
    current = migrate.current_revision(database)
    if current is None:
        raise NotInitializedError("This database is empty: run `imgwired init` first")
    if current != migrate.head_revision():
        raise NotInitializedError(
            f"This database's schema ({current}) is older than this imgwired: "
            "run `imgwired migrate` first"
        )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from imgwired.web.access_log import uvicorn_log_config
    from imgwired.web.app import create_app
    from imgwired.web.http_protocol import CanonicalCaseHttpToolsProtocol

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    settings = settings.model_copy(update=overrides)
    preflight.check_or_exit(settings, "serve", from_flags=overrides)
    with _open_services(settings, migrate_first=True) as services:
        if services.organization.is_initialized():
            url = services.database.url.render_as_string(hide_password=True)
            print(f"imgwired at {settings.base_url}, database {url}")
            print("Keys are shown once, when created; make more with `imgwired keys create`.")
        else:
            done = services.organization.initialize(
                environment_name=settings.default_environment_name
            )
            _print_initialized(done, settings)
    sys.stdout.flush()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=uvicorn_log_config(),
        # httptools, spelling header names canonically on the wire (see web/http_protocol.py).
        http=CanonicalCaseHttpToolsProtocol,
        # Oversized headers get our JSON 431 rather than the server's bare 400.
        h11_max_incomplete_event_size=settings.max_total_header_bytes * 2,
        # On SIGTERM requests in flight get this long; then they are cancelled and the
        # lifespan stops the renders still running, so the process ends within seconds.
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )
    return 0


def _init(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    done = services.organization.initialize(environment_name=settings.default_environment_name)
    if args.json:
        emit_json(_initialized_document(done, settings))
    else:
        _print_initialized(done, settings)
    return 0


def _migrate(_args: argparse.Namespace, _services: Services) -> int:
    print("database is up to date")
    return 0


def _worker(args: argparse.Namespace, services: Services) -> int:
    """Run jobs until interrupted; any number of workers may share one database."""
    import signal
    import threading

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner = services.jobs  # built for --threads, its handlers registered
    services.delivery.start()  # libvips' limits apply to the decodes of processing jobs too
    print(f"imgwired worker: {args.threads} thread(s); Ctrl-C to stop", flush=True)
    runner.start()
    stop.wait()
    runner.stop()
    return 0


def _initialized_document(done: Initialized, settings: Settings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "organization_id": done.organization.id,
        "environment": environment_document(done.environment),
        "environment_id": done.environment.id,
        "server_key": done.server_key.secret,
        "client_key": done.client_key.secret,
        "admin_token": done.admin_token,
    }


def _print_initialized(done: Initialized, settings: Settings) -> None:
    print("imgwired is initialised. These secrets are shown once: store them now.\n")
    emit_pairs(
        [
            ("Base URL", settings.base_url),
            ("Organization", done.organization.id),
            ("Environment", f"{done.environment.id} ({done.environment.name})"),
            ("Server key", done.server_key.secret),
            ("Client key", done.client_key.secret),
            ("Admin token", done.admin_token),
        ]
    )
    print(
        "\nTry it:\n"
        f'  curl -H "Authorization: Bearer {done.admin_token}" '
        f'-H "X-Environment-Id: {done.environment.id}" {settings.base_url}/api/v1/api_keys/\n'
    )


def _env_create(args: argparse.Namespace, services: Services) -> int:
    organization = services.organization.get()
    environment = services.environments.create(organization.id, name=args.name)
    document = environment_document(environment)
    if args.json:
        emit_json(document)
    else:
        emit_pairs(list(document.items()))
    return 0


def _env_list(args: argparse.Namespace, services: Services) -> int:
    organization = services.organization.get()
    rows = []
    page = 1
    while True:
        result = services.environments.list(organization.id, PageRequest(page, MAX_LIMIT))
        rows += [environment_document(e) for e in result.items]
        if result.next_page is None:
            break
        page = result.next_page
    if args.json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "default", "created_at"])
    return 0


def _keys_create(args: argparse.Namespace, services: Services) -> int:
    environment = services.environments.find(services.organization.get().id, args.environment)
    key_type = ApiKeyType.SERVER if args.key_type == "server" else ApiKeyType.CLIENT
    settings_given = {
        "allow_unsigned_upload": args.allow_unsigned_upload,
        "maximum_upload_bytes": args.maximum_upload_bytes,
        "allowed_mime_types": args.allowed_mime_types.split(",")
        if args.allowed_mime_types
        else None,
        "maximum_pending_uploads": args.maximum_pending_uploads,
    }
    name = args.name or f"{args.key_type.capitalize()} key"
    issued = services.api_keys.create(environment.id, NewApiKey(name, key_type, (), settings_given))
    document = created_key_document(issued.key, issued.secret)
    if args.json:
        emit_json(document)
    else:
        print("The secret is shown once: store it now.\n")
        emit_pairs([(k, v) for k, v in document.items() if v is not None])
    return 0


def _keys_list(args: argparse.Namespace, services: Services) -> int:
    environment = services.environments.find(services.organization.get().id, args.environment)
    rows = []
    page = 1
    while True:
        result = services.api_keys.list(environment.id, None, PageRequest(page, MAX_LIMIT))
        rows += [listed_key_document(key) for key in result.items]
        if result.next_page is None:
            break
        page = result.next_page
    for row in rows:
        row["key"] = row["server_key"] or row["client_key"]
    if args.json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "key_type", "key", "created_at"])
    return 0


def _keys_revoke(args: argparse.Namespace, services: Services) -> int:
    environment = services.environments.find(services.organization.get().id, args.environment)
    try:
        key_id = uuid.UUID(args.key_id)
    except ValueError:
        print(f"imgwired: {args.key_id!r} is not a key id", file=sys.stderr)
        return 2
    key = services.api_keys.revoke(environment.id, key_id)
    if args.json:
        emit_json({"id": key.id, "status": "revoked"})
    else:
        print(f"revoked {key.id} ({key.name})")
    return 0
