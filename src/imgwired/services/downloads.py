"""Bulk downloads: a job streams the images into one zip in the blob store, in constant memory,
and a signed, expiring URL hands it out.
"""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from imgwired.config import Settings
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Image, ImageDownloadJob, ImageDownloadStatus, ImageStatus
from imgwired.errors import DownloadNotFoundError, ImageNotFoundError, UploadUrlError
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from imgwired.services.organization import OrganizationService
from imgwired.services.signing import sign, verify
from imgwired.storage.base import BlobStore, BlobWriter

BUILD_JOB = "build_download"
DOWNLOAD_TTL = timedelta(hours=24)
MAX_IMAGES = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DownloadService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        blobs: BlobStore,
        organization: OrganizationService,
        jobs: JobRunner,
    ) -> None:
        self._db = database
        self._settings = settings
        self._blobs = blobs
        self._organization = organization
        self._jobs = jobs

    def create(self, environment_id: uuid.UUID, image_ids: Sequence[uuid.UUID]) -> ImageDownloadJob:
        wanted = list(dict.fromkeys(image_ids))[:MAX_IMAGES]
        with self._db.transaction() as session:
            found = set(
                session.scalars(
                    select(Image.id).where(
                        Image.environment_id == environment_id,
                        Image.deleted_at.is_(None),
                        Image.id.in_(wanted),
                    )
                )
            )
            missing = [str(i) for i in wanted if i not in found]
            if missing:
                raise ImageNotFoundError(f"Images not found: {', '.join(missing[:20])}")
            job = ImageDownloadJob(
                environment_id=environment_id, image_ids=[str(i) for i in wanted]
            )
            session.add(job)
            session.flush()
            queue.enqueue(session, BUILD_JOB, download_id=str(job.id))
        self._jobs.notify()
        return job

    def get(self, environment_id: uuid.UUID, download_id: uuid.UUID) -> ImageDownloadJob:
        with self._db.reading() as session:
            job = session.get(ImageDownloadJob, download_id)
            if job is None or job.environment_id != environment_id:
                raise DownloadNotFoundError(f"Download {download_id} was not found")
            return job

    def download_url(self, job: ImageDownloadJob) -> str | None:
        if job.status is not ImageDownloadStatus.READY or job.expires_at is None:
            return None
        expires = int(job.expires_at.timestamp())
        secret = self._organization.signing_secret()
        signature = sign(secret, str(job.environment_id), str(job.id), "zip", expires=expires)
        return (
            f"{self._settings.base_url}/downloads/{job.environment_id}/{job.id}.zip"
            f"?expires={expires}&signature={signature}"
        )

    def open_signed(
        self, environment_id: uuid.UUID, download_id: uuid.UUID, expires: int, signature: str
    ) -> tuple[ImageDownloadJob, Iterator[bytes]]:
        """The zip behind a signed download URL, as a stream of chunks."""
        secret = self._organization.signing_secret()
        problem = verify(
            secret,
            str(environment_id),
            str(download_id),
            "zip",
            expires=expires,
            signature=signature,
            now=time.time(),
        )
        if problem:
            raise UploadUrlError(f"This download URL is {problem}")
        job = self.get(environment_id, download_id)
        if job.status is not ImageDownloadStatus.READY or job.blob_key is None:
            raise DownloadNotFoundError("This download is not ready")
        return job, iter(self._blobs.read_chunks(job.blob_key))

    def build(self, payload: dict[str, Any]) -> None:
        """The job handler: write every READY image into one zip, streaming blob to blob."""
        download_id = uuid.UUID(payload["download_id"])
        with self._db.transaction() as session:
            job = session.get(ImageDownloadJob, download_id)
            if job is None or job.status in (ImageDownloadStatus.READY, ImageDownloadStatus.FAILED):
                return
            job.status = ImageDownloadStatus.PROCESSING
            ids = [uuid.UUID(i) for i in job.image_ids]
            environment_id = job.environment_id
            images = list(
                session.scalars(
                    select(Image)
                    .where(Image.id.in_(ids), Image.environment_id == environment_id)
                    .where(Image.status == ImageStatus.READY, Image.deleted_at.is_(None))
                    .order_by(Image.id)
                )
            )
        key = f"{environment_id}/downloads/{download_id}.zip"
        with self._blobs.writer(key) as writer:
            with zipfile.ZipFile(_WriterStream(writer), "w", zipfile.ZIP_STORED) as archive:
                for name, image in zip(_unique_names(images), images, strict=True):
                    assert image.blob_key is not None
                    with archive.open(name, "w", force_zip64=True) as entry:
                        for chunk in self._blobs.read_chunks(image.blob_key):
                            entry.write(chunk)
            writer.commit()
            size = writer.bytes_written
        with self._db.transaction() as session:
            job = session.get(ImageDownloadJob, download_id)
            assert job is not None
            job.status = ImageDownloadStatus.READY
            job.blob_key = key
            job.size_bytes = size
            job.expires_at = utcnow() + DOWNLOAD_TTL


class _WriterStream(io.RawIOBase):
    """A write-only, unseekable file over a blob writer: zipfile then streams with descriptors."""

    def __init__(self, writer: BlobWriter) -> None:
        self._writer = writer

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._writer.write(chunk)
        return len(chunk)


def _unique_names(images: Sequence[Image]) -> list[str]:
    """Safe, unique entry names: the original name's stem, the image id, the real extension."""
    names = []
    for image in images:
        stem = _UNSAFE.sub("_", image.original_filename.rsplit(".", 1)[0]).strip("._")[:80]
        names.append(f"{stem or 'image'}-{image.id}.{image.extension}")
    return names
