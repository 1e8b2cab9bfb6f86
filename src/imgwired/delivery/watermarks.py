"""Where a watermark's pixels come from, and what of them goes into a rendition's cache key.

- ``watermark=<id>``: an image of the request's own environment, READY and not deleted. Any
  other id (unknown, deleted, another environment's) gets the same 400, so an answer never
  tells whether an id exists elsewhere. Looked up on every request, cached renditions
  included, so a deleted watermark stops being served at once.
- ``watermark_url``: fetched once per environment with the fetcher of ``upload_via_url``
  (``ingest.fetch``: resolve once, refuse non-public addresses, pin the connection, re-check
  each redirect, size and time caps), proven an image (``imaging.probe``), then kept in the
  blob store at ``<env>/watermarks/<sha256 of the URL>/<sha256 of the bytes>.<ext>``.
  Only https is fetched, except from the networks allowed for development.
- ``watermark_text``: nothing to find; the text is in the parameters.

A source's ``fingerprint`` (the image's id and content hash, the URL copy's content hash)
joins the canonical parameters in the cache key and the ETag.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Final

import anyio

from imgwired.accounts.organization import OrganizationService
from imgwired.blob_keys import watermark_copy_key, watermark_url_prefix
from imgwired.config import Settings
from imgwired.db.engine import Database, Session
from imgwired.delivery import watermark_repository
from imgwired.errors import ImageNotFoundError, InvalidTransformationError, ServiceBusyError
from imgwired.imaging.errors import ImageRejectedError
from imgwired.imaging.formats import EXTENSIONS
from imgwired.imaging.probe import probe
from imgwired.ingest import FetchError, IPNetwork, fetch, parse_fetch_url, resolve_checked
from imgwired.ingest.fetch import Resolver, system_resolver
from imgwired.media_types import SupportedMimeType
from imgwired.storage.base import BlobNotFoundError, BlobStore
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.watermark import MarkFile

_KNOWN_URLS: Final = 4096
"""URL copies whose content hash a process remembers (the rest are listed again)."""
_TYPES_BY_EXTENSION: Final = {extension: mime for mime, extension in EXTENSIONS.items()}


@dataclass(frozen=True, slots=True)
class WatermarkSource:
    """A watermark image found: its part of the cache key, and where its bytes are."""

    fingerprint: str
    blob_key: str
    mime_type: SupportedMimeType
    image_id: uuid.UUID | None = None
    """The stored image drawn (None for a URL): renditions that drew it depend on it."""


class WatermarkSources:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        blobs: BlobStore,
        organization: OrganizationService,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._db = database
        self._blobs = blobs
        self._organization = organization
        self._resolver = resolver
        self._max_bytes = settings.watermark_url_max_bytes
        self._max_pixels = settings.max_pixels
        self._allowed: tuple[IPNetwork, ...] = tuple(
            ip_network(network) for network in settings.fetch_allowed_networks
        )
        self._known: OrderedDict[str, WatermarkSource] = OrderedDict()
        self._known_lock = threading.Lock()
        # One lock per URL being fetched, so concurrent requests for it fetch it once.
        self._fetches: weakref.WeakValueDictionary[str, anyio.Lock] = weakref.WeakValueDictionary()

    async def find(
        self,
        organization_id: uuid.UUID,
        environment_id: uuid.UUID,
        image_id: uuid.UUID,
        t: Transformation,
    ) -> WatermarkSource | None:
        """The watermark image ``t`` names for the CDN URL of ``image_id``, or None when it names
        none (a text, or nothing), or when the URL is another organization's (delivery's own
        lookup then answers 404).

        Raises ``InvalidTransformationError`` for a watermark that cannot be used, and, as
        delivery does, ``ImageNotFoundError`` when the environment is deleted.
        """
        if t.watermark is None and t.watermark_url is None:
            return None
        if not await anyio.to_thread.run_sync(self._is_ours, organization_id):
            return None
        if t.watermark is not None:
            mark_id = uuid.UUID(t.watermark.image_id)
            return await anyio.to_thread.run_sync(
                self._stored_image, environment_id, image_id, mark_id
            )
        assert t.watermark_url is not None
        # Nothing is fetched, nor kept, for an environment that is gone.
        await anyio.to_thread.run_sync(self._require_live, environment_id, image_id)
        return await self._url_copy(environment_id, t.watermark_url)

    def _is_ours(self, organization_id: uuid.UUID) -> bool:
        return organization_id == self._organization.get().id

    def _require_live(self, environment_id: uuid.UUID, image_id: uuid.UUID) -> None:
        with self._db.reading() as session:
            _require_live(session, environment_id, image_id)

    @contextmanager
    def local_file(self, source: WatermarkSource | None) -> Iterator[MarkFile | None]:
        """The source's bytes as a local file for the ``with`` block (None for no source)."""
        if source is None:
            yield None
            return
        with ExitStack() as stack:
            try:
                path = stack.enter_context(self._blobs.local_path(source.blob_key))
            except BlobNotFoundError:
                if source.image_id is not None:
                    raise
                # The kept copy of a URL is gone (removed by hand, or its environment purged):
                # forget it, so that the next request fetches the URL again.
                self._forget(source.blob_key.rpartition("/")[0] + "/")
                raise ServiceBusyError(
                    "The watermark is being fetched again; retry shortly"
                ) from None
            yield MarkFile(path, source.mime_type)

    # -- stored images -------------------------------------------------------------------------

    def _stored_image(
        self, environment_id: uuid.UUID, image_id: uuid.UUID, mark_id: uuid.UUID
    ) -> WatermarkSource:
        with self._db.reading() as session:
            image = watermark_repository.usable_watermark(session, environment_id, mark_id)
            if image is None or image.blob_key is None:
                _require_live(session, environment_id, image_id)
                raise InvalidTransformationError(
                    f"watermark: no image {mark_id} can be used as a watermark in this "
                    "environment (it must be a READY image of the same environment)"
                )
            digest = image.content_sha256 or image.id.hex
            return WatermarkSource(
                f"image:{image.id}:{digest}",
                image.blob_key,
                SupportedMimeType(image.mime_type),
                image.id,
            )

    # -- URLs ----------------------------------------------------------------------------------

    async def _url_copy(self, environment_id: uuid.UUID, url: str) -> WatermarkSource:
        prefix = watermark_url_prefix(environment_id, url)
        known = self._remembered(prefix)
        if known is not None:
            return known
        lock = self._fetches.setdefault(prefix, anyio.Lock())
        async with lock:
            known = self._remembered(prefix)
            if known is None:
                known = await anyio.to_thread.run_sync(self._stored_or_fetched, prefix, url)
                self._remember(prefix, known)
        return known

    def _remembered(self, prefix: str) -> WatermarkSource | None:
        with self._known_lock:
            source = self._known.get(prefix)
            if source is not None:
                self._known.move_to_end(prefix)
            return source

    def _remember(self, prefix: str, source: WatermarkSource) -> None:
        with self._known_lock:
            self._known[prefix] = source
            while len(self._known) > _KNOWN_URLS:
                self._known.popitem(last=False)

    def _forget(self, prefix: str) -> None:
        with self._known_lock:
            self._known.pop(prefix, None)

    def _stored_or_fetched(self, prefix: str, url: str) -> WatermarkSource:
        # Two processes may have fetched different bytes: the smallest key wins everywhere.
        for key in sorted(self._blobs.list_prefix(prefix)):
            source = _source_at(key)
            if source is not None:
                return source
        return self._fetched(prefix, url)

    def _fetched(self, prefix: str, url: str) -> WatermarkSource:
        self._require_https(url)
        body = bytearray()
        try:
            result = fetch(
                url,
                body.extend,
                max_bytes=self._max_bytes,
                connect_timeout=5,
                read_timeout=10,
                total_timeout=20,
                allowed_networks=self._allowed,
                resolver=self._resolver,
            )
        except FetchError as error:
            raise InvalidTransformationError(
                f"watermark_url could not be fetched: {error.detail}"
            ) from error
        self._require_https(result.final_url)
        data = bytes(body)
        mime_type = self._proven_image(data)
        key = watermark_copy_key(prefix, data, EXTENSIONS[mime_type])
        self._blobs.put_bytes(key, data)
        source = _source_at(key)
        assert source is not None
        return source

    def _require_https(self, url: str) -> None:
        """https, or plain http to an address of the networks allowed for development."""
        target = parse_fetch_url(url)
        if target.scheme == "https":
            return
        if self._allowed:
            try:
                addresses = resolve_checked(target, self._resolver, self._allowed)
            except FetchError as error:
                raise InvalidTransformationError(
                    f"watermark_url could not be fetched: {error.detail}"
                ) from error
            if all(_within(address, self._allowed) for address in addresses):
                return
        raise InvalidTransformationError(
            "watermark_url must be an https URL (plain http is fetched only from the networks "
            "allowed for development)"
        )

    def _proven_image(self, data: bytes) -> SupportedMimeType:
        with tempfile.TemporaryDirectory(prefix="imgwired-watermark-") as directory:
            path = Path(directory) / "watermark"
            path.write_bytes(data)
            try:
                info = probe(path, max_pixels=self._max_pixels)
            except ImageRejectedError as error:
                raise InvalidTransformationError(
                    f"watermark_url is not an image this server can use: {error.detail}"
                ) from error
        return info.mime_type


def _require_live(session: Session, environment_id: uuid.UUID, image_id: uuid.UUID) -> None:
    if not watermark_repository.environment_is_live(session, environment_id):
        # A deleted environment serves nothing: the same 404 as for its images.
        raise ImageNotFoundError(f"Image {image_id} was not found")


def _within(address: object, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def _source_at(key: str) -> WatermarkSource | None:
    """The URL copy stored at ``key`` (``<prefix><sha256>.<ext>``), or None for another key."""
    digest, _, extension = key.rpartition("/")[2].partition(".")
    mime_type = _TYPES_BY_EXTENSION.get(extension)
    if mime_type is None or len(digest) != 64:
        return None
    return WatermarkSource(f"url:{digest}", key, mime_type)
