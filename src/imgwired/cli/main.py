"""``imgwired``: serve, init, and manage environments and keys from a terminal.

Commands act on the configured database directly, so they work whether or not a server runs;
``images`` is the exception: it talks to a running server through the SDK. Only ``serve``,
``init`` and ``migrate`` create the database or change its schema; the others need it there
and current, and say so otherwise. Every command takes ``--json``. Exit status: 0 done,
1 refused or failed, 2 usage or configuration error (docs/cli.md).
"""

# Only the standard library is imported up here: `imgwired --help` must not pay for the web
# stack, the database layer or libvips. Each command imports what it needs when it runs.
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from imgwired.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in argv
    try:
        args = _parser().parse_args(argv)
    except _ArgumentError as exc:
        return _usage_error(exc, as_json=as_json)
    from imgwired.config import misspelt_variables

    for warning in misspelt_variables():  # the command goes on
        print(f"imgwired: warning: {warning}", file=sys.stderr)
    if args.command == "images":
        from . import images

        return images.run(args)

    from imgwired.errors import ImgwiredError

    from . import preflight
    from .output import EXIT_FAILED, EXIT_USAGE, UsageError, emit_domain_error, emit_error

    try:
        settings = preflight.settings_or_refuse()
        if args.command in ("serve", "worker"):
            settings = _configure_logging(args, settings)
        if args.command == "serve":
            return _serve(args, settings)
        preflight.check_or_refuse(settings, args.command)
        if args.command == "worker":
            return _worker(args, settings)
        return _run(args, settings)
    except UsageError as exc:
        emit_error(exc.detail, error_type=exc.error_type, as_json=args.json)
        return EXIT_USAGE
    except ImgwiredError as exc:
        emit_domain_error(exc, as_json=args.json)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    from . import images

    parser = _Parser(prog="imgwired", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")

    serve = commands.add_parser("serve", help="run the server (initialising on first start)")
    serve.add_argument("--host", help="address to bind (default IMGWIRED_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port (default IMGWIRED_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        help="server processes sharing the port (default IMGWIRED_WORKERS or 1)",
    )

    init = commands.add_parser("init", help="create the organization, an environment and keys")
    migrate = commands.add_parser("migrate", help="apply database migrations")
    worker = commands.add_parser("worker", help="run background jobs in this process")
    worker.add_argument(
        "--threads", type=_at_least_one, default=2, help="jobs run at once (default 2)"
    )
    for command in (serve, worker):
        command.add_argument(
            "--log-format",
            choices=("text", "json"),
            help="log records on stderr as text or one JSON object per line "
            "(default IMGWIRED_LOG_FORMAT or text)",
        )

    env = commands.add_parser("env", help="manage environments").add_subparsers(
        required=True, metavar="ACTION"
    )
    env_create = env.add_parser("create", help="create an environment")
    env_create.add_argument("name")
    env_list = env.add_parser("list", help="list environments")
    env_delete = env.add_parser(
        "delete", help="delete an environment: revoke its keys and purge its images"
    )
    env_delete.add_argument("environment", metavar="NAME_OR_ID")
    env_delete.add_argument("--yes", action="store_true", help="delete without asking")

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", help="create a key; its secret is printed once")
    create.add_argument("--type", choices=["server", "client"], required=True, dest="key_type")
    create.add_argument("--name", help="a label for the key (default: Server key, Client key)")
    create.add_argument("--allow-unsigned-upload", action="store_true", default=None)
    create.add_argument("--maximum-upload-bytes", type=int)
    create.add_argument("--allowed-mime-types", help="comma-separated, e.g. image/png,image/jpeg")
    create.add_argument("--maximum-pending-uploads", type=int)
    keys_list = keys.add_parser("list", help="list keys (secrets masked)")
    revoke = keys.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id")
    for sub in (create, keys_list, revoke):
        sub.add_argument(
            "--env", dest="environment", help="environment id or name (default: default)"
        )

    handlers = {
        serve: "",  # _serve and _worker run a process, not one command on the database
        worker: "",
        init: "install.init",
        migrate: "install.migrate_schema",
        env_create: "environments.create",
        env_list: "environments.list_all",
        env_delete: "environments.delete",
        create: "keys.create",
        keys_list: "keys.list_all",
        revoke: "keys.revoke",
    }
    for sub, handler in handlers.items():
        sub.add_argument("--json", action="store_true", help="print JSON (errors too, on stderr)")
        sub.set_defaults(handler=handler)

    images.configure(
        commands.add_parser("images", help="upload, list, show and delete images on a server")
    )
    return parser


class _ArgumentError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """Reports a usage error to ``main`` instead of exiting, so ``--json`` can shape it."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(self, message)


def _usage_error(exc: _ArgumentError, *, as_json: bool) -> int:
    from .output import EXIT_USAGE, emit_error

    # One line, as for any configuration mistake; the usage is a --help away.
    message = f"{exc.message.removeprefix('argument ')} (see `{exc.parser.prog} --help`)"
    emit_error(message, error_type="UsageError", as_json=as_json)
    return EXIT_USAGE


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None


def _at_least_one(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    value = _whole_number(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, not {value}")
    return value


def _configure_logging(args: argparse.Namespace, settings: Settings) -> Settings:
    """``--log-format`` over the setting; JSON records are set up before anything is logged."""
    import logging.config

    from imgwired.logs import json_logging_config

    settings = settings.model_copy(update={"log_format": args.log_format or settings.log_format})
    if settings.log_format == "json":
        logging.config.dictConfig(json_logging_config())
    return settings


# The commands that bring the schema up to date; the rest only read or write rows.
_MIGRATING = frozenset({"init", "migrate"})


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from .database import open_services

    module, _, name = args.handler.rpartition(".")
    handler: Callable[[argparse.Namespace, Any], int] = getattr(
        importlib.import_module(f"imgwired.cli.{module}"), name
    )
    with open_services(settings, migrate_first=args.command in _MIGRATING) as services:
        return int(handler(args, services))


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from . import preflight, server_record, serving
    from .database import database_label, open_services
    from .install import initialized_document, print_initialized
    from .output import emit_json

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.workers:
        overrides["workers"] = args.workers
    settings = settings.model_copy(update=overrides)
    preflight.check_or_refuse(settings, "serve", from_flags=overrides)
    with open_services(settings, migrate_first=True) as services:
        if services.organization.is_initialized():
            label = database_label(settings)
            if args.json:
                emit_json({"base_url": settings.base_url, "database": label}, one_line=True)
            else:
                print(f"imgwired at {settings.base_url}, database {label}")
                print("Keys are shown once, when created; make more with `imgwired keys create`.")
        else:
            done = services.organization.initialize(
                environment_name=settings.default_environment_name
            )
            if args.json:
                emit_json(initialized_document(done, settings), one_line=True)
            else:
                print_initialized(done, settings)
    sys.stdout.flush()
    server_record.announce(settings.data_dir, settings.base_url)
    serving.run(settings)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run jobs until interrupted; any number of workers may share one database."""
    import signal
    import threading

    from .database import database_label, open_services
    from .output import emit_json

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with open_services(settings, migrate_first=False, job_threads=args.threads) as services:
        runner = services.jobs  # built for --threads, its handlers registered
        services.delivery.start()  # libvips' limits apply to the decodes of processing jobs too
        label = database_label(settings)
        if args.json:
            emit_json({"worker": {"threads": args.threads}, "database": label}, one_line=True)
        else:
            print(f"imgwired worker: {args.threads} thread(s) on {label}; Ctrl-C to stop")
            sys.stdout.flush()
        runner.start()
        stop.wait()
        runner.stop()
    return 0
