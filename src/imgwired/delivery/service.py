"""Delivery at CDN URLs: originals as stored, renditions rendered once, cached, then served.

A rendition is cached in the blob store under its image (``<env>/<image>/derived/<variant>``),
so purging an image's prefix removes them all, and listed in ``derived_images``, so the lookup
that finds the image also says whether the rendition exists. A missing rendition is made by
``RenditionMaker``: budgeted, scheduled in bounded threads (cheap renders apart from heavy
ones, environments in turn), rendered once for concurrent requests of every process (a render
lease between processes), stopped when over its time budget or when every client waiting for
it has left.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from imgwired.accounts.organization import OrganizationService
from imgwired.blob_keys import image_prefix
from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.db.models import ImageStatus
from imgwired.delivery import repository as repo
from imgwired.delivery import watermark_repository
from imgwired.delivery.hot_renditions import MAX_ENTRY_BYTES, HotDelivery, HotRenditions
from imgwired.delivery.render_leases import RenderLeases
from imgwired.delivery.renditions import RenditionMaker
from imgwired.delivery.scheduler import LaneLoad
from imgwired.delivery.watermarks import WatermarkSource, WatermarkSources
from imgwired.errors import ImageNotFoundError
from imgwired.media_types import SupportedMimeType
from imgwired.storage.base import BlobChunks, BlobNotFoundError, BlobStore
from imgwired.transform.cost import SourceShape
from imgwired.transform.grammar.params import OutputFormat, Transformation, parse_transformations
from imgwired.transform.negotiate import negotiate

# Blobs up to this size are read in one step (and may be kept in memory); larger ones streamed.
_READ_WHOLE = MAX_ENTRY_BYTES


@dataclass(frozen=True, slots=True)
class CdnAddress:
    organization_id: uuid.UUID
    environment_id: uuid.UUID
    image_id: uuid.UUID
    preset: str | None = None


@dataclass(frozen=True, slots=True)
class _Source:
    id: uuid.UUID
    environment_id: uuid.UUID
    mime_type: SupportedMimeType
    content_sha256: str
    blob_key: str
    size_bytes: int
    directly_deliverable: bool
    width: int = 0
    height: int = 0
    pages: int | None = None
    orientation: int | None = None

    @property
    def shape(self) -> SourceShape | None:
        """The upright size and frames from the database, or None when they were not recorded
        (images processed before frames and orientation were)."""
        if self.width <= 0 or self.height <= 0 or self.pages is None or self.orientation is None:
            return None
        turned = self.orientation >= 5  # 5 to 8 turn the picture a quarter
        width, height = (self.height, self.width) if turned else (self.width, self.height)
        return SourceShape(self.mime_type, width, height, self.pages)


@dataclass(frozen=True, slots=True)
class _Cached:
    blob_key: str
    content_type: str
    size_bytes: int


@dataclass(slots=True)
class Delivery:
    """What to answer: headers, and the body in memory or as chunks to stream."""

    environment_id: uuid.UUID
    content_type: str
    etag: str
    size: int
    vary_accept: bool
    # Stored bytes answered it (an original or a cached rendition); False when it was rendered.
    cache_hit: bool
    transformed: bool
    body: bytes | None = None
    chunks: BlobChunks | None = None


ClientGone = Callable[[], Awaitable[None]]
Fetch = Callable[[bool, "ClientGone | None"], Awaitable[Delivery]]


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a CDN URL names, known before any blob is read or any render made: enough for the
    HTTP layer to answer a conditional request with 304."""

    environment_id: uuid.UUID
    etag: str
    vary_accept: bool
    _fetch: Fetch
    # Whether fetching it renders (no original, no cached rendition): what render limits count.
    renders: bool = False

    async def fetch(self, *, body: bool, client_gone: ClientGone | None = None) -> Delivery:
        """The answer itself; ``body=False`` (HEAD) reads no stored bytes, but an uncached
        rendition is still made, its size being the header's. ``client_gone`` returns when the
        client disconnects: a render it waits for is then left (and stopped, if nobody else
        waits for it) and ``RequestAbandonedError`` raised."""
        return await self._fetch(body, client_gone)


class DeliveryService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        blobs: BlobStore,
        organization: OrganizationService,
        hot: HotRenditions,
        leases: RenderLeases,
    ) -> None:
        self._db = database
        self._hot = hot
        self._blobs = blobs
        self._organization = organization
        self._watermarks = WatermarkSources(database, settings, blobs, organization)
        self._renditions = RenditionMaker(database, settings, blobs, self._watermarks, leases)

    def start(self) -> None:
        """Set up rendering (libvips' limits); call when the app starts."""
        self._renditions.start()

    async def close(self) -> None:
        """Refuse waiting renders and stop running ones; the server is stopping."""
        await self._renditions.close()

    def render_load(self) -> dict[str, LaneLoad]:
        """Renders waiting and running now in this process, per lane (``cheap``, ``heavy``)."""
        return self._renditions.render_load()

    async def resolve(
        self, address: CdnAddress, query: Sequence[tuple[str, str]], *, accept: str | None
    ) -> Resolved:
        """What the CDN URL names, and its ETag, before any blob is read or anything rendered.
        Raises ImgwiredError subclasses (the image is not there, a parameter is refused)."""
        transformation = parse_transformations(query, address.preset)
        choice = transformation.format or negotiate(accept)
        vary_accept = transformation.format is None
        # Before any cache: a watermark deleted since a rendition was made is refused at once.
        mark = await self._watermarks.find(
            address.organization_id, address.environment_id, address.image_id, transformation
        )
        variant = _variant(transformation, choice, mark)
        hot = self._hot.get(address.image_id, variant)
        if hot is not None and (hot.organization_id, hot.environment_id) == (
            address.organization_id,
            address.environment_id,
        ):
            return Resolved(hot.environment_id, hot.etag, hot.vary_accept, _from_memory(hot))
        source, cached = await anyio.to_thread.run_sync(self._find, address, variant)
        original = _serves_original(source, transformation)
        etag = _original_etag(source) if original else _rendition_etag(source, variant)

        async def fetch(body: bool, client_gone: ClientGone | None) -> Delivery:
            if original:
                return await self._original(source, body)
            delivery = await self._rendition(
                source, cached, transformation, choice, variant, vary_accept, etag, body,
                client_gone, mark,
            )  # fmt: skip
            if delivery.body is not None:
                self._remember_hot(address, variant, delivery)
            return delivery

        renders = not original and cached is None
        return Resolved(source.environment_id, etag, vary_accept and not original, fetch, renders)

    def _remember_hot(self, address: CdnAddress, variant: str, delivery: Delivery) -> None:
        assert delivery.body is not None
        self._hot.put(
            address.image_id,
            variant,
            HotDelivery(
                address.organization_id,
                address.environment_id,
                delivery.content_type,
                delivery.etag,
                delivery.vary_accept,
                delivery.body,
                time.monotonic(),
            ),
        )

    async def _original(self, source: _Source, body: bool) -> Delivery:
        delivery = Delivery(
            source.environment_id,
            source.mime_type.value,
            _original_etag(source),
            source.size_bytes,
            vary_accept=False,
            cache_hit=True,
            transformed=False,
        )
        return await self._with_body(delivery, source.blob_key, body)

    async def _rendition(
        self,
        source: _Source,
        cached: _Cached | None,
        transformation: Transformation,
        choice: OutputFormat | None,
        variant: str,
        vary_accept: bool,
        etag: str,
        body: bool,
        client_gone: ClientGone | None,
        mark: WatermarkSource | None,
    ) -> Delivery:
        if cached is not None:
            delivery = Delivery(
                source.environment_id,
                cached.content_type,
                etag,
                cached.size_bytes,
                vary_accept,
                cache_hit=True,
                transformed=False,
            )
            try:
                return await self._with_body(delivery, cached.blob_key, body)
            except BlobNotFoundError:
                pass  # listed but gone (evicted meanwhile): make it again
        rendered = await self._renditions.make(
            source, transformation, choice, variant, client_gone, mark=mark
        )
        return Delivery(
            source.environment_id,
            rendered.format.media_type.value,
            etag,
            len(rendered.data),
            vary_accept,
            cache_hit=False,
            transformed=True,
            body=rendered.data,
        )

    # -- finding -------------------------------------------------------------------------------

    def _find(self, address: CdnAddress, variant: str) -> tuple[_Source, _Cached | None]:
        missing = ImageNotFoundError(f"Image {address.image_id} was not found")
        if address.organization_id != self._organization.get().id:
            raise missing
        with self._db.reading() as session:
            row = repo.image_with_rendition(session, address.image_id, variant)
            if row is None:
                raise missing
            image, derived = row
            # PENDING, PROCESSING and QUARANTINE images are never served, nor deleted ones.
            if (
                image.environment_id != address.environment_id
                or image.deleted_at is not None
                or image.status is not ImageStatus.READY
                or image.blob_key is None
            ):
                raise missing
            source = _Source(
                image.id,
                image.environment_id,
                SupportedMimeType(image.mime_type),
                image.content_sha256 or image.id.hex,
                image.blob_key,
                image.size_bytes,
                image.is_directly_deliverable,
                image.width,
                image.height,
                image.pages,
                image.orientation,
            )
            cached = (
                _Cached(derived.blob_key, derived.content_type, derived.size_bytes)
                if derived is not None
                else None
            )
        return source, cached

    async def _with_body(self, delivery: Delivery, key: str, body: bool) -> Delivery:
        """``delivery`` with the blob's bytes, in memory or as chunks; ``body=False`` (HEAD)
        reads nothing, the size being known from the database."""
        if not body:
            pass
        elif delivery.size <= _READ_WHOLE:
            delivery.body = await anyio.to_thread.run_sync(self._blobs.read_bytes, key)
            delivery.size = len(delivery.body)
        else:
            delivery.chunks = await anyio.to_thread.run_sync(self._blobs.read_chunks, key)
        return delivery

    # -- purging -------------------------------------------------------------------------------

    def purge(self, payload: dict[str, Any]) -> None:
        """The purge job: forget an image's renditions and those of other images that drew it
        as a watermark, then remove its original and every one of them."""
        image_id = uuid.UUID(payload["image_id"])
        with self._db.transaction() as session:
            repo.forget_renditions(session, image_id)
            dependants = watermark_repository.take_dependent_renditions(session, image_id)
        for key in dependants:
            self._blobs.delete(key)
        self._blobs.delete_prefix(image_prefix(payload["environment_id"], image_id))


def _from_memory(hot: HotDelivery) -> Fetch:
    async def fetch(body: bool, client_gone: ClientGone | None) -> Delivery:
        return Delivery(
            hot.environment_id,
            hot.content_type,
            hot.etag,
            len(hot.body),
            hot.vary_accept,
            cache_hit=True,
            transformed=False,
            body=hot.body if body else None,
        )

    return fetch


def _original_etag(source: _Source) -> str:
    return f'"{source.content_sha256[:32]}"'


def _rendition_etag(source: _Source, variant: str) -> str:
    """One ETag per (source bytes, parameters, output choice), known before any render, so a
    revalidation is answered even when the rendition was evicted."""
    return f'"{hashlib.sha256(f"{source.content_sha256}|{variant}".encode()).hexdigest()[:32]}"'


def _variant(
    transformation: Transformation, choice: OutputFormat | None, mark: WatermarkSource | None = None
) -> str:
    """The cache key of a rendition within its image: the parameters, the output choice and
    the watermark's source (its content, not only its name)."""
    text = f"{transformation.canonical()}|{choice.value if choice else 'original'}"
    if mark is not None:
        text += f"|{mark.fingerprint}"
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _serves_original(source: _Source, transformation: Transformation) -> bool:
    """An unparameterised request gets the stored bytes when browsers can show them: no
    re-encoding loss, no work. An explicit other format, or an original browsers cannot show
    (HEIC, TIFF, JXL), is rendered."""
    if not transformation.is_identity or not source.directly_deliverable:
        return False
    wanted = transformation.format
    return wanted is None or wanted is OutputFormat.of_media_type(source.mime_type)
