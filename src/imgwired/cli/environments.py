"""``imgwired env``: create, list and delete environments, through the services the API uses."""

from __future__ import annotations

import argparse
import sys

from imgwired.container import Services
from imgwired.db.models import Environment
from imgwired.pagination import MAX_LIMIT, PageRequest

from .database import database_label
from .documents import environment_document
from .output import EXIT_FAILED, UsageError, emit_error, emit_json, emit_pairs, emit_table


def create(args: argparse.Namespace, services: Services) -> int:
    organization = services.organization.get()
    environment = services.environments.create(organization.id, name=args.name)
    document = environment_document(environment)
    if args.json:
        emit_json(document)
    else:
        emit_pairs(list(document.items()))
    return 0


def list_all(args: argparse.Namespace, services: Services) -> int:
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
        return 0
    emit_table(rows, ["id", "name", "default", "created_at"])
    if sys.stdout.isatty():  # a footer would be one more row to a script reading the table
        print(f"\n{len(rows)} environment(s) in {database_label(services.settings)}")
    return 0


def delete(args: argparse.Namespace, services: Services) -> int:
    """Delete as the API's DELETE does (the same service call, so the same rules); a person
    at a terminal confirms by typing the name, a script passes ``--yes``."""
    organization = services.organization.get()
    environment = services.environments.find(organization.id, args.environment)
    if not args.yes and not _confirmed(environment):
        emit_error(
            f"environment {environment.name!r} was not deleted: the name typed did not match",
            error_type="NotConfirmed",
            as_json=args.json,
        )
        return EXIT_FAILED
    deleted = services.environments.delete(organization.id, environment.id)
    if args.json:
        emit_json({"id": deleted.id, "status": "deleted"})
    else:
        print(
            f"deleted environment {deleted.id} ({deleted.name}); its keys are revoked and its "
            "images are purged by the server or a worker"
        )
    return 0


def _confirmed(environment: Environment) -> bool:
    if not sys.stdin.isatty():
        raise UsageError(
            "env delete asks for confirmation on a terminal; pass --yes to delete without asking"
        )
    # The question goes to stderr, so that stdout holds only the result (JSON under --json).
    print(
        f"Delete environment {environment.name!r} ({environment.id})? Its keys stop working at "
        "once and its images are purged.\nType its name to confirm: ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    return sys.stdin.readline().strip() == environment.name
