"""Judging an uploaded image from its bytes: READY with its metadata, or QUARANTINE with why.

Runs as a job in a worker thread; the client's claimed type and file name play no part.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Environment, Image, ImageStatus
from imgwired.imaging.probe import ImageInfo, ImageRejectedError, is_directly_deliverable, probe
from imgwired.storage.base import BlobStore

log = logging.getLogger("imgwired.processing")


class ProcessingService:
    def __init__(self, database: Database, blobs: BlobStore, *, max_pixels: int) -> None:
        self._db = database
        self._blobs = blobs
        self._max_pixels = max_pixels

    def process(self, payload: dict[str, Any]) -> None:
        """The job handler: probe the stored bytes and record the outcome."""
        image_id = uuid.UUID(payload["image_id"])
        with self._db.reading() as session:
            image = session.get(Image, image_id)
            if image is None or image.deleted_at or image.status is not ImageStatus.PROCESSING:
                return  # deleted meanwhile, or already judged by an earlier attempt
            environment = session.get(Environment, image.environment_id)
            if environment is None or environment.deleted_at is not None:
                return  # a deleted environment serves nothing, so nothing is judged for it
            key = image.blob_key
        assert key is not None
        try:
            with self._blobs.local_path(key) as path:
                info = probe(path, max_pixels=self._max_pixels)
        except ImageRejectedError as rejected:
            self._quarantine(image_id, rejected)
        else:
            self._ready(image_id, info)

    def _ready(self, image_id: uuid.UUID, info: ImageInfo) -> None:
        with self._db.transaction() as session:
            image = session.get(Image, image_id)
            if image is None or image.status is not ImageStatus.PROCESSING:
                return
            image.status = ImageStatus.READY
            image.mime_type = info.mime_type.value
            image.extension = info.extension
            image.width = info.width
            image.height = info.height
            image.pages = info.pages
            image.orientation = info.orientation
            image.exif_data = dict(info.exif)
            image.is_directly_deliverable = is_directly_deliverable(info.mime_type)
            image.processed_metadata_at = utcnow()

    def _quarantine(self, image_id: uuid.UUID, rejected: ImageRejectedError) -> None:
        log.info("image %s quarantined: %s", image_id, rejected.reason)
        with self._db.transaction() as session:
            image = session.get(Image, image_id)
            if image is None or image.status is not ImageStatus.PROCESSING:
                return
            image.status = ImageStatus.QUARANTINE
            image.quarantine_reason = f"{rejected.reason}: {rejected.detail}"[:255]
            image.is_directly_deliverable = False
            image.processed_metadata_at = utcnow()
