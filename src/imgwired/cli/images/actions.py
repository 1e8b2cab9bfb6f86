"""The one-request actions of ``imgwired images``: upload one file, list, get, delete, token."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from imgwired.cli.output import emit_json, emit_pairs, emit_table

from .failures import CliFailure, report

if TYPE_CHECKING:
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


def upload_one(client: ImgwireClient, path: str, args: argparse.Namespace) -> int:
    image = client.images.upload(
        path,
        file_name=args.file_name,
        purpose=args.purpose,
        upload_token=args.upload_token,
        wait=args.wait,
    )
    _emit_image(image, args.json)
    return _outcome(image, args.json)


def list_images(client: ImgwireClient, args: argparse.Namespace) -> int:
    if args.all and args.json:
        # One image per line, printed as each page arrives: a script can start on the first.
        for image in client.images.list_all(args.page, args.limit):
            sys.stdout.write(json.dumps(image.model_dump(mode="json")) + "\n")
            sys.stdout.flush()
        return 0
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


def get_image(client: ImgwireClient, args: argparse.Namespace) -> int:
    _emit_image(client.images.retrieve(args.image_id), args.json)
    return 0


def delete_image(client: ImgwireClient, args: argparse.Namespace) -> int:
    result = client.images.delete(args.image_id)
    if args.json:
        emit_json(result)
    else:
        print(f"deleted {result.get('id', args.image_id)}")
    return 0


def create_token(client: ImgwireClient, args: argparse.Namespace) -> int:
    token = client.images.create_upload_token()
    document = token.model_dump(mode="json")
    if args.json:
        emit_json(document)
    else:
        emit_pairs([(name, document[name]) for name in ("token", "id", "expires_at")])
    return 0


def _outcome(image: Image, as_json: bool) -> int:
    """1, with the reason on stderr, for an upload that processing refused; else 0."""
    if image.status != "QUARANTINE":
        return 0
    reason = image.quarantine_reason or "no reason recorded"
    failure = CliFailure(
        f"the image was quarantined and will not be served: {reason}", "ImageQuarantinedError"
    )
    report(failure, as_json=as_json)
    return 1


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
