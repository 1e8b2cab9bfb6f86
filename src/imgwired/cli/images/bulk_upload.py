"""``imgwired images upload PATH...`` for many files: concurrent, resumable, with a summary.

Resuming rests on the API's idempotency: each file is created with its content's SHA-256 as
the ``idempotency_key``, so within the server's 24-hour window the same bytes under the same
name answer the image made before. An image that already has its bytes is *skipped*; one whose
bytes never arrived (the run was cut off between the two requests) gets them now, under its
first id. Two files with the same bytes in one run are uploaded once.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
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


class _Claims:
    """The first file of each content in this run; later ones with the same bytes skip."""

    def __init__(self) -> None:
        self._first: dict[str, Path] = {}
        self._lock = threading.Lock()

    def claim(self, digest: str, path: Path) -> Path | None:
        """None when ``path`` is the first file with these bytes; else that first file."""
        with self._lock:
            first = self._first.setdefault(digest, path)
        return None if first == path else first


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
        display.task("uploading", len(selection.files))
        claims = _Claims()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [
                pool.submit(_upload_one, client, connection, path, claims, args)
                for path in selection.files
            ]
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


def _upload_one(
    client: ImgwireClient,
    connection: Connection,
    path: Path,
    claims: _Claims,
    args: argparse.Namespace,
) -> Outcome:
    """Upload one file, never raising: every failure becomes a ``failed`` outcome."""
    size = 0
    try:
        size = path.stat().st_size
        digest = _sha256(path)
        first = claims.claim(digest, path)
        if first is not None:
            return Outcome(path, "skipped", size, detail=f"same bytes as {first}")
        return _send(client, path, size, digest, args)
    except Exception as error:  # reported per file; the other files go on
        failure = explain(error, connection)
        return Outcome(path, "failed", size, detail=failure.detail, error_type=failure.error_type)


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _summary(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    counts = dict.fromkeys(("uploaded", "skipped", "failed", "ignored"), 0)
    for outcome in outcomes:
        counts[outcome.state] += 1
    uploaded = sum(outcome.size for outcome in outcomes if outcome.state == "uploaded")
    return {**counts, "bytes": uploaded, "seconds": round(seconds, 3)}
