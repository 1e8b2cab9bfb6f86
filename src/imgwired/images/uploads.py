"""Receiving an image's bytes at its signed upload URL: streamed, limited and hashed as they come.

The upload is claimed before the first byte is stored (``upload_claims.py``), so a second PUT
to the same URL is refused while the first runs; the claim's lease is renewed while the bytes
arrive. A failed upload releases the claim and leaves no blob behind; one cut off by a crash
leaves its claim to lapse. Either way the client can send it again until the URL expires.

The blob is published before the record moves on, so an upload is acknowledged only once its
bytes are stored. A crash between the two leaves the record PENDING: the client, who never got
an answer, sends the upload again and its blob replaces the one left behind.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream

from imgwired.accounts.organization import OrganizationService
from imgwired.blob_keys import original_key
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import Image, ImageStatus
from imgwired.errors import (
    EnvironmentNotFoundError,
    ImageNotFoundError,
    ImgwiredError,
    UploadRejectedError,
    UploadTooLargeError,
    UploadUrlError,
)
from imgwired.images.upload_claims import UploadClaim, UploadClaims
from imgwired.imaging.sniff import SNIFF_BYTES, sniff
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from imgwired.metrics.repository import add_usage
from imgwired.metrics.usage import hour_of
from imgwired.signing import verify
from imgwired.storage.base import BlobStore, BlobWriter

log = logging.getLogger("imgwired.uploads")

PROCESS_JOB = "process_image"
# Bytes are gathered into pieces of this size before each hop to a worker thread, and at most
# this many pieces wait to be written.
_PIECE = 1024 * 1024
_QUEUED = 4
# The lease is renewed this many times per lease period, so one slow renewal does not lose it.
_RENEWALS_PER_LEASE = 3


def count_stored(session: Session, image: Image) -> None:
    """Count an upload whose bytes are now stored, in the transaction that records them."""
    counts = {"uploads": 1, "storage_bytes_added": image.size_bytes}
    add_usage(session, image.environment_id, hour_of(utcnow()), counts)


class UploadService:
    def __init__(
        self,
        database: Database,
        blobs: BlobStore,
        organization: OrganizationService,
        jobs: JobRunner,
        claims: UploadClaims,
    ) -> None:
        self._db = database
        self._blobs = blobs
        self._organization = organization
        self._jobs = jobs
        self._claims = claims

    async def receive(
        self,
        environment_id: uuid.UUID,
        image_id: uuid.UUID,
        *,
        expires: int,
        signature: str,
        declared_length: int | None,
        body: AsyncIterator[bytes],
    ) -> Image:
        """Store the bytes of a PENDING image and queue its processing."""
        secret = await anyio.to_thread.run_sync(self._organization.signing_secret)
        problem = verify(
            secret, str(environment_id), str(image_id), expires=expires, signature=signature
        )
        if problem == "expired":
            raise UploadUrlError("This upload URL has expired; create a new standard upload")
        if problem:
            raise UploadUrlError("This upload URL is not valid")
        claim = await anyio.to_thread.run_sync(self._claims.take, environment_id, image_id)
        key = original_key(environment_id, image_id)
        try:
            _check_declared(claim.image, declared_length)
            async with self._renewing(claim):
                size, digest = await self._store(claim, key, body)
        except BaseException:
            # Shielded: a cancelled request gives its URL back at once, not when the lease lapses.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._claims.release, claim)
            raise
        return await anyio.to_thread.run_sync(self._finish, claim, key, size, digest)

    @asynccontextmanager
    async def _renewing(self, claim: UploadClaim) -> AsyncIterator[None]:
        """Renew the claim's lease until the block ends; if the claim is lost, stop the block."""
        interval = self._claims.lease.total_seconds() / _RENEWALS_PER_LEASE

        async def heartbeat() -> None:
            while True:
                await anyio.sleep(interval)
                try:
                    await anyio.to_thread.run_sync(self._claims.renew, claim)
                except ImgwiredError:
                    raise  # the claim is gone (image or environment deleted, or taken over)
                except Exception:
                    # The database may be briefly away; the next beat tries again, and the
                    # claim is checked once more before the blob is published.
                    log.warning("renewing the upload claim of %s failed", claim.image.id)

        async with _unwrapped(), anyio.create_task_group() as group:
            group.start_soon(heartbeat)
            try:
                yield
            finally:
                group.cancel_scope.cancel()

    async def _store(
        self, claim: UploadClaim, key: str, body: AsyncIterator[bytes]
    ) -> tuple[int, str]:
        """Stream ``body`` into the blob store; returns (size, sha256 hex).

        The event loop only gathers 1 MiB pieces. Two worker threads take them in order, one
        hashing and one writing (both release the GIL), while the next piece arrives; at most
        ``_QUEUED`` pieces wait for each, so memory stays constant whatever the size.
        """
        image = claim.image
        limit = _effective_limit(image)
        digest = hashlib.sha256()
        writer = await anyio.to_thread.run_sync(self._blobs.writer, key)
        to_hash, hash_queue = anyio.create_memory_object_stream[bytes](_QUEUED)
        to_write, write_queue = anyio.create_memory_object_stream[bytes](_QUEUED)

        async def drain(
            queue: MemoryObjectReceiveStream[bytes], work: Callable[[bytes], object]
        ) -> None:
            async with queue:
                async for piece in queue:
                    await anyio.to_thread.run_sync(work, piece)

        size = 0
        # The type is judged once enough bytes have come, however the client split them.
        head = b""
        try:
            async with _unwrapped(), anyio.create_task_group() as pipeline:
                pipeline.start_soon(drain, hash_queue, digest.update)
                pipeline.start_soon(drain, write_queue, writer.write)
                async with to_hash, to_write:
                    parts: list[bytes] = []
                    gathered = 0
                    async for chunk in body:
                        if len(head) < SNIFF_BYTES and chunk:
                            head += chunk[: SNIFF_BYTES - len(head)]
                            if len(head) == SNIFF_BYTES:
                                _check_type(image, head)
                        size += len(chunk)
                        if size > limit:
                            raise _too_large(image, limit)
                        parts.append(chunk)
                        gathered += len(chunk)
                        if gathered >= _PIECE:
                            # One copy joins the chunks; both threads then share the piece.
                            piece = b"".join(parts)
                            await to_hash.send(piece)
                            await to_write.send(piece)
                            parts, gathered = [], 0
                    if parts:
                        piece = b"".join(parts)
                        await to_hash.send(piece)
                        await to_write.send(piece)
            if len(head) < SNIFF_BYTES:  # a body shorter than the sniffer reads
                _check_type(image, head)
            # Every rule is checked before the blob is published: a refused upload leaves nothing.
            _check_complete(image, size, digest.hexdigest())
            await self._publish(claim, writer)
        except BaseException:
            # Shielded: a cancelled upload still removes what it wrote.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(writer.abort)
            raise
        return size, digest.hexdigest()

    async def _publish(self, claim: UploadClaim, writer: BlobWriter) -> None:
        # The claim is checked (and renewed) right before publishing, so an upload whose claim
        # was lost, or whose image or environment was deleted, publishes nothing.
        await anyio.to_thread.run_sync(self._claims.renew, claim)
        await anyio.to_thread.run_sync(writer.commit)

    def _finish(self, claim: UploadClaim, key: str, size: int, digest: str) -> Image:
        """Record the stored bytes and queue processing, if the claim is still held."""
        try:
            with self._db.transaction() as session:
                image = self._claims.held(session, claim)
                image.status = ImageStatus.PROCESSING
                image.uploaded_at = utcnow()
                image.size_bytes = size
                image.content_sha256 = digest
                image.blob_key = key
                image.upload_lease_expires_at = None
                count_stored(session, image)
                queue.enqueue(session, PROCESS_JOB, image_id=str(image.id))
        except (ImageNotFoundError, EnvironmentNotFoundError):
            # Deleted between the publish and now: nobody can claim it again, so the blob just
            # published is this upload's alone to remove.
            self._blobs.delete(key)
            raise
        self._jobs.notify()
        return image


@asynccontextmanager
async def _unwrapped() -> AsyncIterator[None]:
    """Re-raise the one error of a failed task group as itself, so callers see a domain error."""
    try:
        yield
    except BaseExceptionGroup as group:
        leaves = list(_leaves(group))
        if len(leaves) == 1:
            raise leaves[0] from None
        raise


def _leaves(group: BaseExceptionGroup[BaseException]) -> Iterator[BaseException]:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc)
        else:
            yield exc


def _effective_limit(image: Image) -> int:
    if image.declared_length is not None:
        return min(image.declared_length, image.upload_limit_bytes)
    return image.upload_limit_bytes


def _too_large(image: Image, limit: int) -> Exception:
    if image.declared_length is not None and limit == image.declared_length:
        return UploadRejectedError(
            f"The body is longer than the declared content_length of {image.declared_length} bytes"
        )
    return UploadTooLargeError(f"The upload is larger than this key's limit of {limit} bytes")


def _check_declared(image: Image, declared_length: int | None) -> None:
    """Refuse at once a Content-Length that cannot be right, before reading the body."""
    if declared_length is None:
        return
    if declared_length > _effective_limit(image):
        raise _too_large(image, _effective_limit(image))
    if image.declared_length is not None and declared_length != image.declared_length:
        raise UploadRejectedError(
            f"Content-Length {declared_length} differs from the declared content_length "
            f"{image.declared_length}"
        )


def _check_type(image: Image, head: bytes) -> None:
    sniffed = sniff(head)
    allowed = image.allowed_mime_types
    if allowed and (sniffed is None or sniffed.value not in allowed):
        found = sniffed.value if sniffed else "not an image"
        raise UploadRejectedError(f"The file is {found}; this key allows only {allowed}")


def _check_complete(image: Image, size: int, digest: str) -> None:
    if image.declared_length is not None and size != image.declared_length:
        raise UploadRejectedError(
            f"The body has {size} bytes, fewer than the declared content_length "
            f"of {image.declared_length}"
        )
    if image.hash_sha256 and image.hash_sha256.lower() != digest:
        raise UploadRejectedError("The body's SHA-256 does not match the declared hash_sha256")
