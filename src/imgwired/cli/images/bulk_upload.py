"""``imgwired images upload PATH...`` for many files: concurrent, resumable, with a summary.

Resuming rests on the API's idempotency: each file is created with its content's SHA-256 as
the ``idempotency_key``, so within the server's 24-hour window the same bytes under the same
name answer the image made before. An image that already has its bytes is *skipped*; one whose
bytes never arrived (the run was cut off between the two requests) gets them now, under its
first id. Two files with the same bytes in one run are uploaded once: the first in walk order.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .failures import CliFailure, explain
from .image_files import Selection
from .progress import Display, human_bytes

if TYPE_CHECKING:
    from imgwired.client import Image, ImgwireClient

    from .connection import Connection

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one file: ``uploaded``, ``skipped``, ``failed`` or ``ignored``."""

    path: Path
    state: str
    size: int = 0
    image: Image | None = None
    detail: str | None = None
    error_type: str | None = None

    def line(self) -> str:
        if self.image is not None:
            text = f"{self.path}  {self.state}  {self.image.id}  {self.image.status}"
            return f"{text}  {self.detail}" if self.detail else text
        return f"{self.path}  {self.state}  {self.detail}"

    def document(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "state": self.state,
            "id": str(self.image.id) if self.image else None,
            "status": self.image.status if self.image else None,
            "cdn_url": self.image.cdn_url if self.image else None,
            "bytes": self.size,
            "detail": self.detail,
            "error_type": self.error_type,
        }


def upload_many(
    client: ImgwireClient, connection: Connection, selection: Selection, args: argparse.Namespace
) -> int:
    """Upload the selection; prints a line per file and a summary; 1 if any file failed."""
    display = Display(as_json=args.json)
    started = time.monotonic()
    outcomes: list[Outcome] = []

    def finish(outcome: Outcome) -> None:
        outcomes.append(outcome)
        display.line(outcome.line())
        display.record(outcome.document())

    with display.showing():
        for path in selection.missing:
            missing = "no such file or folder"
            finish(Outcome(path, "failed", detail=missing, error_type="FileNotFoundError"))
        for path, reason in selection.ignored:
            finish(Outcome(path, "ignored", detail=reason))
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            display.task("reading", len(selection.files))
            contents: list[_Content | CliFailure] = []
            for content in pool.map(lambda path: _read(path, connection), selection.files):
                contents.append(content)
                display.advance()
            display.task("uploading", len(selection.files))
            first_with: dict[str, Path] = {}  # in walk order, so the same file is always first
            futures = []
            for path, content in zip(selection.files, contents, strict=True):
                if isinstance(content, CliFailure):
                    finish(Outcome(path, "failed", 0, None, content.detail, content.error_type))
                elif content.digest in first_with:
                    same = f"same bytes as {first_with[content.digest]}"
                    finish(Outcome(path, "skipped", content.size, detail=same))
                else:
                    first_with[content.digest] = path
                    futures.append(pool.submit(_upload_one, client, connection, content, args))
                    continue
                display.advance()
            for future in as_completed(futures):
                finish(future.result())
                display.advance()
    summary = _summary(outcomes, time.monotonic() - started)
    display.line(
        f"uploaded {summary['uploaded']}, skipped {summary['skipped']}, "
        f"failed {summary['failed']}, ignored {summary['ignored']}; "
        f"{human_bytes(summary['bytes'])} in {summary['seconds']:.1f} s"
    )
    display.record({"summary": summary})
    return 1 if summary["failed"] else 0


@dataclass(frozen=True, slots=True)
class _Content:
    path: Path
    size: int
    digest: str


def _read(path: Path, connection: Connection) -> _Content | CliFailure:
    """The file's size and SHA-256, read in chunks; a file that cannot be read is a failure."""
    try:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as error:
        return explain(error, connection)
    return _Content(path, size, digest.hexdigest())


def _upload_one(
    client: ImgwireClient, connection: Connection, content: _Content, args: argparse.Namespace
) -> Outcome:
    """Upload one file, never raising: every failure becomes a ``failed`` outcome."""
    try:
        return _send(client, content.path, content.size, content.digest, args)
    except Exception as error:  # reported per file; the other files go on
        failure = explain(error, connection)
        return Outcome(
            content.path, "failed", content.size, None, failure.detail, failure.error_type
        )


def _send(
    client: ImgwireClient, path: Path, size: int, digest: str, args: argparse.Namespace
) -> Outcome:
    from imgwired.client import ConflictError, ImageStatus

    fields: dict[str, Any] = {
        "file_name": path.name,
        "content_length": size,
        "hash_sha256": digest,
        "idempotency_key": digest,
        "purpose": args.purpose,
        "upload_token": args.upload_token,
    }
    try:
        created = client.images.create(**fields)
    except ConflictError:
        return Outcome(
            path,
            "skipped",
            size,
            detail="these bytes were uploaded in the last 24 hours under another name or purpose",
        )
    image, state = created.image, "skipped"
    if image.can_upload:
        # The same request again answers the same image, with an upload URL for its bytes.
        image = client.images.upload(path, **fields)
        state = "uploaded"
    elif image.status == ImageStatus.PENDING:
        raise CliFailure(
            f"image {image.id} was made for these bytes but its upload URL expired before they "
            "arrived; delete it (`imgwired images delete`) or retry after 24 hours",
            "UploadExpiredError",
        )
    if args.wait:
        image = client.images.wait_until_processed(image.id)
    if image.status == ImageStatus.QUARANTINE:
        reason = image.quarantine_reason or "no reason recorded"
        detail = f"quarantined: {reason}"
        return Outcome(path, "failed", size, image, detail, "ImageQuarantinedError")
    return Outcome(path, state, size, image)


def _summary(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    counts = dict.fromkeys(("uploaded", "skipped", "failed", "ignored"), 0)
    for outcome in outcomes:
        counts[outcome.state] += 1
    uploaded = sum(outcome.size for outcome in outcomes if outcome.state == "uploaded")
    return {**counts, "bytes": uploaded, "seconds": round(seconds, 3)}
