"""``client.images``: list, read, upload and delete images; upload tokens; bulk downloads.

An upload is two requests: ``create`` answers a ``PENDING`` image and a signed ``upload_url``,
then the bytes are streamed to that URL with ``PUT`` (no API key: the signature is the
credential) and the answer is the image, now ``PROCESSING``. A job then makes it ``READY`` or
``QUARANTINE``; ``wait=True`` polls until it has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

import anyio
import anyio.to_thread

from imgwired.client import _image_calls as calls
from imgwired.client._exceptions import PermissionDeniedError
from imgwired.client._image_calls import ImageId, Metadata
from imgwired.client._polling import apoll, poll
from imgwired.client._send import AsyncSender, SyncSender
from imgwired.client._sources import FileInput, UploadSource, open_source
from imgwired.client.models import (
    BulkDownloadJob,
    BulkDownloadStatus,
    Image,
    ImageStatus,
    StandardUpload,
    UploadToken,
)
from imgwired.client.pagination import Page, aiterate_pages, iterate_pages

DEFAULT_FILE_NAME = "upload"
WAIT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class _Upload:
    """One upload's source and the fields ``create`` declares for it."""

    source: UploadSource
    file_name: str
    content_length: int | None
    mime_type: str | None

    def put_headers(self) -> dict[str, str]:
        headers = {"Content-Type": self.mime_type or "application/octet-stream"}
        if self.content_length is not None:
            # Sent as a length rather than chunked: the server checks it against the declared one.
            headers["Content-Length"] = str(self.content_length)
        return headers


def _plan(
    file: FileInput, file_name: str | None, content_length: int | None, mime_type: str | None
) -> _Upload:
    source = open_source(file)
    length = content_length if content_length is not None else source.length()
    name = file_name or source.name or DEFAULT_FILE_NAME
    return _Upload(source, name, length, mime_type)


def _token(upload_token: str | UploadToken | None) -> str | None:
    return upload_token.token if isinstance(upload_token, UploadToken) else upload_token


class Images:
    """Image operations of ``ImgwireClient``."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def list(self, page: int | None = None, limit: int | None = None) -> Page[Image]:
        """One page of images, newest first (server defaults: page 1, 20 per page)."""
        return self._sender.call(calls.list_images(page, limit))

    def list_pages(self, page: int = 1, limit: int | None = None) -> Iterator[Page[Image]]:
        """Every page from ``page`` on, fetched as the iteration reaches it."""
        return iterate_pages(lambda number: self.list(number, limit), page)

    def list_all(self, page: int = 1, limit: int | None = None) -> Iterator[Image]:
        """Every image from ``page`` on, fetching pages as needed."""
        for each in self.list_pages(page, limit):
            yield from each.items

    def retrieve(self, image_id: ImageId) -> Image:
        return self._sender.call(calls.retrieve(image_id))

    def create(
        self,
        *,
        file_name: str,
        content_length: int | None = None,
        mime_type: str | None = None,
        hash_sha256: str | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
        upload_token: str | UploadToken | None = None,
    ) -> StandardUpload:
        """Create a ``PENDING`` image; returns ``(image, upload_url)`` for the bytes."""
        call = calls.create(
            file_name=file_name,
            content_length=content_length,
            mime_type=mime_type,
            hash_sha256=hash_sha256,
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
            upload_token=_token(upload_token),
        )
        return self._sender.call(call)

    def upload(
        self,
        file: FileInput,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        content_length: int | None = None,
        upload_token: str | UploadToken | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
        hash_sha256: str | None = None,
        wait: bool = False,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> Image:
        """Upload a path, a binary file (from its current position) or bytes; returns the image.

        The bytes are streamed in 1 MiB chunks, never held whole. Unless given, the file name
        is the path's, the length is measured, and the SHA-256 is computed first for sources
        that can be read twice (bytes, paths, seekable files), so the server refuses bytes that
        changed on the way. With an ``idempotency_key`` already used for the same upload, the
        earlier image is answered and no bytes are sent again. With ``wait=True`` the answer is
        the processed image (``READY`` or ``QUARANTINE``), or ``ProcessingTimeoutError`` after
        ``wait_timeout`` seconds.
        """
        upload = _plan(file, file_name, content_length, mime_type)
        created = self.create(
            file_name=upload.file_name,
            content_length=upload.content_length,
            mime_type=mime_type,
            hash_sha256=hash_sha256 or upload.source.sha256(),
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
            upload_token=upload_token,
        )
        image = created.image
        if image.can_upload:
            image = self._put(created, upload)
        return self.wait_until_processed(image.id, timeout=wait_timeout) if wait else image

    def _put(self, created: StandardUpload, upload: _Upload) -> Image:
        try:
            response = self._sender.put_stream(
                created.upload_url,
                upload.source.chunks,
                upload.put_headers(),
                rereadable=upload.source.rereadable,
            )
        except PermissionDeniedError:
            image = self.retrieve(created.image.id)
            if _still_waiting_for_bytes(image):
                raise
            return image
        return Image.model_validate(response.json())

    def wait_until_processed(self, image_id: ImageId, *, timeout: float = WAIT_TIMEOUT) -> Image:
        """Poll until the image is READY or QUARANTINE; raises ``ProcessingTimeoutError``."""
        return poll(lambda: self.retrieve(image_id), _image_processed, timeout)

    def upload_via_url(
        self,
        url: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
    ) -> Image:
        """Have the server fetch ``url``; answers the ``PENDING`` image (a job fetches it)."""
        call = calls.upload_via_url(
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
        )
        return self._sender.call(call)

    def create_upload_token(self) -> UploadToken:
        """A single-use token that lets a client key create one upload."""
        return self._sender.call(calls.create_upload_token())

    def delete(self, image_id: ImageId) -> dict[str, str]:
        """Delete an image; answers ``{"id": …, "status": "deleted"}``."""
        return self._sender.call(calls.delete(image_id))

    def bulk_delete(self, image_ids: Iterable[ImageId]) -> dict[str, str]:
        """Delete all the images or, if one is missing, none (``NotFoundError``)."""
        return self._sender.call(calls.bulk_delete(image_ids))

    def create_bulk_download_job(self, image_ids: Iterable[ImageId]) -> BulkDownloadJob:
        """Queue a zip of the images; poll ``retrieve_bulk_download_job`` for its URL."""
        return self._sender.call(calls.create_bulk_download_job(image_ids))

    def retrieve_bulk_download_job(self, job_id: ImageId) -> BulkDownloadJob:
        return self._sender.call(calls.retrieve_bulk_download_job(job_id))

    def wait_for_bulk_download_job(
        self, job_id: ImageId, *, timeout: float = WAIT_TIMEOUT
    ) -> BulkDownloadJob:
        """Poll until the job is READY (``download_url`` set) or FAILED; raises on timeout."""
        return poll(lambda: self.retrieve_bulk_download_job(job_id), _job_finished, timeout)


class AsyncImages:
    """Image operations of ``AsyncImgwireClient``; the same methods as ``Images``, awaited."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def list(self, page: int | None = None, limit: int | None = None) -> Page[Image]:
        """One page of images, newest first (server defaults: page 1, 20 per page)."""
        return await self._sender.call(calls.list_images(page, limit))

    def list_pages(self, page: int = 1, limit: int | None = None) -> AsyncIterator[Page[Image]]:
        """Every page from ``page`` on: ``async for page in client.images.list_pages()``."""
        return aiterate_pages(lambda number: self.list(number, limit), page)

    async def list_all(self, page: int = 1, limit: int | None = None) -> AsyncIterator[Image]:
        """Every image from ``page`` on: ``async for image in client.images.list_all()``."""
        async for each in self.list_pages(page, limit):
            for image in each.items:
                yield image

    async def retrieve(self, image_id: ImageId) -> Image:
        return await self._sender.call(calls.retrieve(image_id))

    async def create(
        self,
        *,
        file_name: str,
        content_length: int | None = None,
        mime_type: str | None = None,
        hash_sha256: str | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
        upload_token: str | UploadToken | None = None,
    ) -> StandardUpload:
        """Create a ``PENDING`` image; returns ``(image, upload_url)`` for the bytes."""
        call = calls.create(
            file_name=file_name,
            content_length=content_length,
            mime_type=mime_type,
            hash_sha256=hash_sha256,
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
            upload_token=_token(upload_token),
        )
        return await self._sender.call(call)

    async def upload(
        self,
        file: FileInput,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        content_length: int | None = None,
        upload_token: str | UploadToken | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
        hash_sha256: str | None = None,
        wait: bool = False,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> Image:
        """``Images.upload``; file reads and hashing run in worker threads, off the event loop."""
        upload = _plan(file, file_name, content_length, mime_type)
        digest = hash_sha256 or await anyio.to_thread.run_sync(upload.source.sha256)
        created = await self.create(
            file_name=upload.file_name,
            content_length=upload.content_length,
            mime_type=mime_type,
            hash_sha256=digest,
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
            upload_token=upload_token,
        )
        image = created.image
        if image.can_upload:
            image = await self._put(created, upload)
        return await self.wait_until_processed(image.id, timeout=wait_timeout) if wait else image

    async def _put(self, created: StandardUpload, upload: _Upload) -> Image:
        try:
            response = await self._sender.put_stream(
                created.upload_url,
                upload.source.achunks,
                upload.put_headers(),
                rereadable=upload.source.rereadable,
            )
        except PermissionDeniedError:
            image = await self.retrieve(created.image.id)
            if _still_waiting_for_bytes(image):
                raise
            return image
        return Image.model_validate(response.json())

    async def wait_until_processed(
        self, image_id: ImageId, *, timeout: float = WAIT_TIMEOUT
    ) -> Image:
        """Poll until the image is READY or QUARANTINE; raises ``ProcessingTimeoutError``."""
        return await apoll(lambda: self.retrieve(image_id), _image_processed, timeout)

    async def upload_via_url(
        self,
        url: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        idempotency_key: str | None = None,
        custom_metadata: Metadata | None = None,
        purpose: str | None = None,
    ) -> Image:
        """Have the server fetch ``url``; answers the ``PENDING`` image (a job fetches it)."""
        call = calls.upload_via_url(
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            idempotency_key=idempotency_key,
            custom_metadata=custom_metadata,
            purpose=purpose,
        )
        return await self._sender.call(call)

    async def create_upload_token(self) -> UploadToken:
        """A single-use token that lets a client key create one upload."""
        return await self._sender.call(calls.create_upload_token())

    async def delete(self, image_id: ImageId) -> dict[str, str]:
        """Delete an image; answers ``{"id": …, "status": "deleted"}``."""
        return await self._sender.call(calls.delete(image_id))

    async def bulk_delete(self, image_ids: Iterable[ImageId]) -> dict[str, str]:
        """Delete all the images or, if one is missing, none (``NotFoundError``)."""
        return await self._sender.call(calls.bulk_delete(image_ids))

    async def create_bulk_download_job(self, image_ids: Iterable[ImageId]) -> BulkDownloadJob:
        """Queue a zip of the images; poll ``retrieve_bulk_download_job`` for its URL."""
        return await self._sender.call(calls.create_bulk_download_job(image_ids))

    async def retrieve_bulk_download_job(self, job_id: ImageId) -> BulkDownloadJob:
        return await self._sender.call(calls.retrieve_bulk_download_job(job_id))

    async def wait_for_bulk_download_job(
        self, job_id: ImageId, *, timeout: float = WAIT_TIMEOUT
    ) -> BulkDownloadJob:
        """Poll until the job is READY (``download_url`` set) or FAILED; raises on timeout."""
        return await apoll(lambda: self.retrieve_bulk_download_job(job_id), _job_finished, timeout)


def _still_waiting_for_bytes(image: Image) -> bool:
    """After the upload URL refused the bytes: whether they are still missing.

    A retried ``PUT`` whose first attempt did store them, or a concurrent upload under the same
    idempotency key, finds the single-use URL used; the image has its bytes all the same.
    """
    return image.status == ImageStatus.PENDING


def _image_processed(image: Image) -> bool:
    return image.is_processed


def _job_finished(job: BulkDownloadJob) -> bool:
    return job.status in (BulkDownloadStatus.READY, BulkDownloadStatus.FAILED)
