"""Bulk downloads: a job streams the images into one zip in the blob store, in constant memory,
and a signed, expiring URL hands it out.

A zip lives ``DOWNLOAD_TTL``. A request for the same images of the same environment while a zip
of them is still valid gets a download of its own, READY at once, that hands out that zip (and
keeps it ``DOWNLOAD_TTL`` longer); images never change once READY, so equal contents are equal
zips. When the last download that hands out a zip expires, the sweep deletes the zip and those
downloads report FAILED, the contract's only state for a download that can no longer be had.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from imgwired.accounts.organization import OrganizationService
from imgwired.blob_keys import download_key
from imgwired.config import Settings
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import (
    Environment,
    Image,
    ImageDownloadJob,
    ImageDownloadStatus,
    ImageStatus,
)
from imgwired.errors import DownloadNotFoundError, ImageNotFoundError, UploadUrlError
from imgwired.images import download_repository as repo
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from imgwired.paths import download_path
from imgwired.signing import sign, verify
from imgwired.storage.base import BlobStore, BlobWriter

BUILD_JOB = "build_download"
DOWNLOAD_TTL = timedelta(hours=24)
# A zip closer than this to its expiry is not handed out again: build a fresh one instead.
REUSE_MARGIN = timedelta(minutes=5)
MAX_IMAGES = 1000
_SWEEP_BATCH = 500
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
        """A download of the listed images: READY at once when a valid zip of the same images
        exists, else PENDING until a job builds one."""
        wanted = list(dict.fromkeys(image_ids))[:MAX_IMAGES]
        now = utcnow()
        with self._db.transaction() as session:
            found = repo.live_images(session, environment_id, wanted)
            missing = [str(i) for i in wanted if i not in found]
            if missing:
                raise ImageNotFoundError(f"Images not found: {', '.join(missing[:20])}")
            key = content_key(i for i, status in found.items() if status is ImageStatus.READY)
            job = ImageDownloadJob(
                environment_id=environment_id, image_ids=[str(i) for i in wanted], content_key=key
            )
            earlier = repo.reusable_zip(
                session, environment_id, key, valid_after=now + REUSE_MARGIN
            )
            if earlier is not None:
                job.status = ImageDownloadStatus.READY
                job.blob_key = earlier.blob_key
                job.size_bytes = earlier.size_bytes
                job.expires_at = now + DOWNLOAD_TTL
            session.add(job)
            session.flush()
            if earlier is None:
                queue.enqueue(session, BUILD_JOB, download_id=str(job.id))
        if earlier is None:
            self._jobs.notify()
        return job

    def get(self, environment_id: uuid.UUID, download_id: uuid.UUID) -> ImageDownloadJob:
        with self._db.reading() as session:
            job = repo.get_live(session, environment_id, download_id)
            if job is None:
                raise DownloadNotFoundError(f"Download {download_id} was not found")
            return job

    def status(self, job: ImageDownloadJob) -> ImageDownloadStatus:
        """The status to report: an expired zip is FAILED even before the sweep deletes it."""
        return ImageDownloadStatus.FAILED if _expired(job, utcnow()) else job.status

    def download_url(self, job: ImageDownloadJob) -> str | None:
        if self.status(job) is not ImageDownloadStatus.READY or job.expires_at is None:
            return None
        expires = int(job.expires_at.timestamp())
        secret = self._organization.signing_secret()
        signature = sign(secret, str(job.environment_id), str(job.id), "zip", expires=expires)
        return (
            f"{self._settings.base_url}{download_path(job.environment_id, job.id)}"
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
        if self.status(job) is not ImageDownloadStatus.READY or job.blob_key is None:
            raise DownloadNotFoundError("This download is not ready, or no longer available")
        return job, iter(self._blobs.read_chunks(job.blob_key))

    def build(self, payload: dict[str, Any]) -> None:
        """The job handler: write every READY image into one zip, streaming blob to blob."""
        download_id = uuid.UUID(payload["download_id"])
        with self._db.transaction() as session:
            job = session.get(ImageDownloadJob, download_id)
            if job is None or job.status in (ImageDownloadStatus.READY, ImageDownloadStatus.FAILED):
                return
            environment_id = job.environment_id
            if not _environment_is_live(session, environment_id):
                job.status = ImageDownloadStatus.FAILED
                job.error = "environment deleted"
                return
            job.status = ImageDownloadStatus.PROCESSING
            ids = [uuid.UUID(i) for i in job.image_ids]
            images = repo.images_to_zip(session, environment_id, ids)
        key = download_key(environment_id, download_id)
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
            # Deleted while the zip was being written: the environment's purge may have run
            # already, so this zip is removed here.
            orphaned = not _environment_is_live(session, environment_id)
            if not orphaned:
                job.status = ImageDownloadStatus.READY
                job.blob_key = key
                job.size_bytes = size
                job.expires_at = utcnow() + DOWNLOAD_TTL
                job.content_key = content_key(image.id for image in images)
        if orphaned:
            self._blobs.delete(key)

    def sweep_expired(self) -> int:
        """Delete the zips no unexpired download hands out any more; returns how many downloads
        expired. Downloads are marked first and forget their zip last, so a crash in between
        leaves them for the next sweep rather than a zip without a row."""
        now = utcnow()
        with self._db.transaction() as session:
            expired = repo.expired_zips(session, now, limit=_SWEEP_BATCH)
            for job in expired:
                job.status = ImageDownloadStatus.FAILED
                job.error = "expired"
            keys = {job.blob_key for job in expired if job.blob_key is not None}
            doomed = keys - repo.zips_in_use(session, keys, now)
        for key in doomed:
            self._blobs.delete(key)
        with self._db.transaction() as session:
            repo.release_zips(session, [job.id for job in expired])
        return len(expired)


def content_key(image_ids: Iterable[uuid.UUID]) -> str:
    """Names the contents of a zip: the ids of the images in it, in any order."""
    text = ",".join(sorted(str(i) for i in image_ids))
    return hashlib.sha256(text.encode()).hexdigest()


def _expired(job: ImageDownloadJob, now: datetime) -> bool:
    return (
        job.status is ImageDownloadStatus.READY
        and job.expires_at is not None
        and job.expires_at <= now
    )


def _environment_is_live(session: Session, environment_id: uuid.UUID) -> bool:
    environment = session.get(Environment, environment_id)
    return environment is not None and environment.deleted_at is None


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
