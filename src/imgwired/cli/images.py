"""``imgwired images``: upload, list, show and delete images on a running server, with the SDK.

Unlike the other commands these talk HTTP, not to the database, so they work against any
imgwired (or Imgwire) server: ``--base-url`` and ``--api-key`` default to
``IMGWIRED_BASE_URL`` and ``IMGWIRED_API_KEY``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .output import emit_error, emit_json, emit_pairs, emit_table

if TYPE_CHECKING:  # imported when a command runs, so that `imgwired --help` stays quick
    from imgwired.client import Image, ImgwireClient

_TABLE = ["id", "status", "mime_type", "width", "height", "size_bytes", "original_filename"]
_PAIRS = [
    "id",
    "status",
    "original_filename",
    "mime_type",
    "width",
    "height",
    "size_bytes",
    "hash_sha256",
    "purpose",
    "cdn_url",
    "created_at",
    "quarantine_reason",
]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``images`` actions to the ``images`` command's parser."""
    actions = parser.add_subparsers(required=True, metavar="ACTION")

    upload = actions.add_parser("upload", help="upload a file")
    upload.add_argument("file", help="the image file to upload")
    upload.add_argument("--wait", action="store_true", help="wait until it is processed")
    upload.add_argument("--file-name", help="the name to record (default: the file's)")
    upload.add_argument("--purpose", help="a label for the image")
    upload.add_argument("--upload-token", help="a token, for client keys that need one")
    upload.set_defaults(images_handler=_upload)

    listing = actions.add_parser("list", help="list images, newest first")
    listing.add_argument("--limit", type=int, help="images per page (1..100; server default 20)")
    listing.add_argument("--page", type=int, default=1, help="the page to show (default 1)")
    listing.add_argument("--all", action="store_true", help="every page, from --page on")
    listing.set_defaults(images_handler=_list)

    get = actions.add_parser("get", help="show one image")
    get.add_argument("image_id")
    get.set_defaults(images_handler=_get)

    delete = actions.add_parser("delete", help="delete one image")
    delete.add_argument("image_id")
    delete.set_defaults(images_handler=_delete)

    token = actions.add_parser("token", help="create a single-use upload token")
    token.set_defaults(images_handler=_token)

    for action in (upload, listing, get, delete, token):
        action.add_argument("--base-url", help="the server (default IMGWIRED_BASE_URL)")
        action.add_argument("--api-key", help="a server key (default IMGWIRED_API_KEY)")
        action.add_argument("--environment-id", help="the environment, with the admin token")
        action.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Run an ``images`` action; errors print the server's detail and answer 1."""
    from imgwired.client import APIStatusError, ImgwireClient, ImgwireError

    handler: Callable[[ImgwireClient, argparse.Namespace], int] = args.images_handler
    try:
        with ImgwireClient(
            api_key=args.api_key, base_url=args.base_url, environment_id=args.environment_id
        ) as client:
            return handler(client, args)
    except APIStatusError as exc:
        error_type = exc.error_type or f"HTTP {exc.status_code}"
        emit_error(
            f"{exc.message} ({error_type})",
            error_type=error_type,
            as_json=args.json,
            detail=exc.detail,
            request_id=exc.request_id,
        )
    except (ImgwireError, OSError) as exc:
        emit_error(str(exc), error_type=type(exc).__name__, as_json=args.json)
    return 1


def _upload(client: ImgwireClient, args: argparse.Namespace) -> int:
    image = client.images.upload(
        args.file,
        file_name=args.file_name,
        purpose=args.purpose,
        upload_token=args.upload_token,
        wait=args.wait,
    )
    _emit_image(image, args.json)
    return _outcome(image)


def _list(client: ImgwireClient, args: argparse.Namespace) -> int:
    if args.all:
        images = list(client.images.list_all(args.page, args.limit))
        footer = f"{len(images)} image(s)"
    else:
        page = client.images.list(args.page, args.limit)
        images = page.items
        next_page = f"; next: --page {page.next_page}" if page.next_page else ""
        footer = f"page {page.page}, {len(images)} of {page.total} image(s){next_page}"
    rows = [image.model_dump(mode="json") for image in images]
    if args.json:
        emit_json(rows)
    else:
        emit_table(rows, _TABLE)
        print(footer)
    return 0


def _get(client: ImgwireClient, args: argparse.Namespace) -> int:
    _emit_image(client.images.retrieve(args.image_id), args.json)
    return 0


def _outcome(image: Image) -> int:
    """1, with the reason on stderr, for an upload that processing refused; else 0."""
    if image.status != "QUARANTINE":
        return 0
    reason = image.quarantine_reason or "no reason recorded"
    print(f"imgwired: the image was quarantined and will not be served: {reason}", file=sys.stderr)
    return 1


def _delete(client: ImgwireClient, args: argparse.Namespace) -> int:
    result = client.images.delete(args.image_id)
    if args.json:
        emit_json(result)
    else:
        print(f"deleted {result.get('id', args.image_id)}")
    return 0


def _token(client: ImgwireClient, args: argparse.Namespace) -> int:
    token = client.images.create_upload_token()
    document = token.model_dump(mode="json")
    if args.json:
        emit_json(document)
    else:
        emit_pairs([(name, document[name]) for name in ("token", "id", "expires_at")])
    return 0


def _emit_image(image: Image, as_json: bool) -> None:
    document: dict[str, Any] = image.model_dump(mode="json")
    if as_json:
        emit_json(document)
    else:
        pairs = [(name, document.get(name)) for name in _PAIRS]
        emit_pairs(
            [
                (name, value)
                for name, value in pairs
                if value is not None or name != "quarantine_reason"
            ]
        )
