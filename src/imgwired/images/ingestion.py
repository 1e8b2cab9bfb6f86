"""Images from a URL: checked at once, fetched by a job with the SSRF defences of ``ingest``.

The request resolves and checks the URL so a forbidden address is refused in the response;
the job resolves and checks again when it connects (the answer may have changed since), pins
the connection to the address it checked, and streams the body into the blob store.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from imgwired.accounts.auth import Caller
from imgwired.blob_keys import original_key
from imgwired.config import Settings
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Environment, Image, ImageStatus
from imgwired.images.service import CreatedUpload, ImageService, NewUpload
from imgwired.images.uploads import PROCESS_JOB, count_stored
from imgwired.ingest import FetchError, IPNetwork, fetch, parse_fetch_url, system_resolver
from imgwired.ingest.fetch import Resolver, resolve_checked
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from imgwired.storage.base import BlobStore

INGEST_JOB = "ingest_url"
MAX_FETCH_BYTES = 100 * 1024 * 1024


class IngestionService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        blobs: BlobStore,
        images: ImageService,
        jobs: JobRunner,
        *,
        allowed_networks: Sequence[IPNetwork] = (),
        resolver: Resolver = system_resolver,
    ) -> None:
        self._db = database
        self._settings = settings
        self._blobs = blobs
        self._images = images
        self._jobs = jobs
        self._allowed = tuple(allowed_networks)
        self._resolver = resolver

    def create(self, caller: Caller, url: str, new: NewUpload) -> Image:
        """A record for the image at ``url``; refuses at once a URL that may not be fetched."""
        target = parse_fetch_url(url)
        resolve_checked(target, self._resolver, self._allowed)
        created: CreatedUpload = self._images.create_standard_upload(caller, new, None)
        image = created.image
        if image.upload_started_at is not None:
            return image  # an idempotent repeat: the first request's job does the work
        with self._db.transaction() as session:
            stored = session.get(Image, image.id)
            assert stored is not None
            # Claimed for the fetch: the upload URL of this record can never be used.
            stored.upload_started_at = utcnow()
            queue.enqueue(session, INGEST_JOB, image_id=str(image.id), url=target.url)
            image = stored
        self._jobs.notify()
        return image

    def ingest(self, payload: dict[str, Any]) -> None:
        """The job handler: fetch the URL into the blob store, then queue processing."""
        image_id = uuid.UUID(payload["image_id"])
        with self._db.reading() as session:
            image = session.get(Image, image_id)
            if image is None or image.deleted_at or image.status is not ImageStatus.PENDING:
                return
            environment = session.get(Environment, image.environment_id)
            if environment is None or environment.deleted_at is not None:
                return  # a deleted environment takes no more bytes, fetched ones included
            limit = min(image.upload_limit_bytes, MAX_FETCH_BYTES)
            key = original_key(image.environment_id, image.id)
        digest = hashlib.sha256()
        writer = self._blobs.writer(key)
        try:

            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                writer.write(chunk)

            fetch(
                payload["url"],
                sink,
                max_bytes=limit,
                allowed_networks=self._allowed,
                resolver=self._resolver,
            )
            writer.commit()
        except FetchError as exc:
            writer.abort()
            self._quarantine(image_id, f"fetch_failed: {exc.detail}")
            return
        except BaseException:
            writer.abort()
            raise
        with self._db.transaction() as session:
            stored = session.get(Image, image_id)
            if stored is None or stored.status is not ImageStatus.PENDING:
                return
            stored.status = ImageStatus.PROCESSING
            stored.uploaded_at = utcnow()
            stored.size_bytes = writer.bytes_written
            stored.content_sha256 = digest.hexdigest()
            stored.blob_key = key
            count_stored(session, stored)
            queue.enqueue(session, PROCESS_JOB, image_id=str(image_id))

    def _quarantine(self, image_id: uuid.UUID, reason: str) -> None:
        with self._db.transaction() as session:
            image = session.get(Image, image_id)
            if image is not None and image.status is ImageStatus.PENDING:
                image.status = ImageStatus.QUARANTINE
                image.quarantine_reason = reason[:255]
                image.processed_metadata_at = utcnow()
