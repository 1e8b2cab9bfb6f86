"""``imgwired images``: upload, list, show, download and delete images on a running server.

Unlike the other commands these talk HTTP, not to the database, so they work against any
imgwired (or Imgwire) server. ``connection.py`` decides which server and key (``--base-url``,
``IMGWIRED_BASE_URL``, the server settings, the record a running ``serve`` leaves in its data
directory); ``failures.py`` words every error in the CLI's flags. Module-level imports are the
standard library's only, so ``imgwired --help`` does not pay for the SDK or ``rich``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import actions
from .connection import Connection, connection_for
from .failures import CliFailure, explain, report

if TYPE_CHECKING:
    from imgwired.client import ImgwireClient

Handler = Callable[["ImgwireClient", argparse.Namespace, Connection], int]

DEFAULT_CONCURRENCY = 4
_STATUSES = ("PENDING", "PROCESSING", "READY", "QUARANTINE")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``images`` actions to the ``images`` command's parser."""
    actions_parser = parser.add_subparsers(required=True, metavar="ACTION")

    upload = actions_parser.add_parser(
        "upload", help="upload files and folders (one file: print the image)"
    )
    upload.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to walk")
    upload.add_argument("--wait", action="store_true", help="wait until processed")
    upload.add_argument("--file-name", help="the name to record, for one file (default: its own)")
    upload.add_argument("--purpose", help="a label for the images")
    upload.add_argument("--upload-token", help="a token, for client keys that need one")
    upload.add_argument(
        "--concurrency",
        type=_positive,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"uploads at once, for many files (default {DEFAULT_CONCURRENCY})",
    )
    upload.set_defaults(images_handler=_upload)

    listing = actions_parser.add_parser("list", help="list images, newest first")
    listing.add_argument("--limit", type=int, help="images per page (1..100; server default 20)")
    listing.add_argument("--page", type=int, default=1, help="the page to show (default 1)")
    listing.add_argument(
        "--all", action="store_true", help="every page, from --page on (--json: one per line)"
    )
    listing.set_defaults(images_handler=_plain(actions.list_images))

    get = actions_parser.add_parser("get", help="show one image")
    get.add_argument("image_id")
    get.set_defaults(images_handler=_plain(actions.get_image))

    download = actions_parser.add_parser("download", help="download images as zips")
    download.add_argument("image_ids", nargs="*", metavar="ID", help="the images to download")
    download.add_argument("--all", action="store_true", help="every image")
    download.add_argument(
        "--status", action="append", choices=_STATUSES, help="every image with this status"
    )
    download.add_argument("--output", required=True, metavar="DIR", help="where to write")
    download.add_argument(
        "--extract", action="store_true", help="unpack the zips into DIR instead of keeping them"
    )
    download.set_defaults(images_handler=_download)

    delete = actions_parser.add_parser("delete", help="delete one image")
    delete.add_argument("image_id")
    delete.set_defaults(images_handler=_plain(actions.delete_image))

    token = actions_parser.add_parser("token", help="create a single-use upload token")
    token.set_defaults(images_handler=_plain(actions.create_token))

    for action in (upload, listing, get, download, delete, token):
        action.add_argument("--base-url", help="the server (default: see `docs/cli-images.md`)")
        action.add_argument("--api-key", help="a server key (default IMGWIRED_API_KEY)")
        action.add_argument(
            "--env",
            "--environment-id",
            dest="environment_id",
            metavar="ID",
            help="the environment's id, with the admin token",
        )
        action.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Run an ``images`` action; a failure prints one line (``--json``: one object) and 1."""
    handler: Handler = args.images_handler
    connection: Connection | None = None
    try:
        connection = connection_for(args)
        with connection.client() as client:
            return handler(client, args, connection)
    except CliFailure as failure:
        report(failure, as_json=args.json)
    except BrokenPipeError:
        # The reader left (`... --json | head`): stop quietly, as other command-line tools do,
        # with stdout pointed away so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Exception as error:
        from imgwired.client import ImgwireError

        if not isinstance(error, ImgwireError | OSError):
            raise
        report(explain(error, connection), as_json=args.json)
    return 1


def _upload(client: ImgwireClient, args: argparse.Namespace, connection: Connection) -> int:
    from pathlib import Path

    from .bulk_upload import upload_many
    from .image_files import select

    if len(args.paths) == 1 and not Path(args.paths[0]).is_dir():
        return actions.upload_one(client, args.paths[0], args)  # one file: today's output
    if args.file_name:
        raise CliFailure("--file-name names one file; leave it out for many", "UsageError")
    return upload_many(client, connection, select(args.paths), args)


def _download(client: ImgwireClient, args: argparse.Namespace, _connection: Connection) -> int:
    from .bulk_download import download

    return download(client, args)


def _plain(
    action: Callable[[ImgwireClient, argparse.Namespace], int],
) -> Handler:
    def handler(client: ImgwireClient, args: argparse.Namespace, _connection: Connection) -> int:
        return action(client, args)

    return handler


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
