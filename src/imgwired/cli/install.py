"""``imgwired init`` and ``imgwired migrate``, and what a first start shows once.

Both name the database they worked on, since a wrong ``IMGWIRED_DATA_DIR`` or working
directory is the usual reason an install seems to have lost its keys.
"""

from __future__ import annotations

import argparse
from typing import Any

from imgwired.accounts.organization import Initialized
from imgwired.config import Settings
from imgwired.container import Services
from imgwired.db import migrate

from .database import database_label
from .documents import environment_document
from .output import emit_json, emit_pairs


def init(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    done = services.organization.initialize(environment_name=settings.default_environment_name)
    if args.json:
        emit_json(initialized_document(done, settings))
    else:
        print_initialized(done, settings)
    return 0


def migrate_schema(args: argparse.Namespace, services: Services) -> int:
    """The schema was brought up to date before this runs; say which database and revision."""
    revision = migrate.current_revision(services.database)
    label = database_label(services.settings)
    if args.json:
        emit_json({"database": label, "revision": revision, "status": "up to date"})
    else:
        print(f"database {label} is up to date (revision {revision})")
    return 0


def initialized_document(done: Initialized, settings: Settings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "database": database_label(settings),
        "organization_id": done.organization.id,
        "environment": environment_document(done.environment),
        "environment_id": done.environment.id,
        "server_key": done.server_key.secret,
        "client_key": done.client_key.secret,
        "admin_token": done.admin_token,
    }


def print_initialized(done: Initialized, settings: Settings) -> None:
    print("imgwired is initialised. These secrets are shown once: store them now.\n")
    emit_pairs(
        [
            ("Base URL", settings.base_url),
            ("Database", database_label(settings)),
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
