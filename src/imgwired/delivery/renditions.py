"""Making a rendition: budget it, schedule it, render it on libvips, store it and list it.

A render is budgeted before it is queued (``transform.cost``): refused when its output or its
cost is over the configured limits, else sent to the cheap or the heavy lane of the
``RenderScheduler``, which runs it once for every request that wants it, fairly between
environments, and stops it when it runs past its time budget or every client has left. The
result is stored in the blob store under its image and listed in ``derived_images``; beyond
the per-image cap the oldest renditions are evicted.

A watermark image is found by ``WatermarkSources`` before the render is queued (its fingerprint
is in the variant); the render thread reads its bytes next to the original's, and a rendition
that drew a stored image lists it (``watermark_image_id``), so purging that image purges it.

Across processes, a render first takes the rendition's lease (``render_leases``): a process that
finds it held waits for the rendition to be listed, or for the lease to go, instead of rendering
it a second time.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Final, Protocol

from imgwired.blob_keys import rendition_key
from imgwired.config import Settings
from imgwired.db.engine import Database, IntegrityError
from imgwired.db.models import DerivedImage, Image
from imgwired.delivery import repository as repo
from imgwired.delivery.render_leases import RenderLeases
from imgwired.delivery.scheduler import LaneLoad, RenderScheduler
from imgwired.delivery.watermarks import WatermarkSource, WatermarkSources
from imgwired.imaging import vips
from imgwired.media_types import SupportedMimeType
from imgwired.storage.base import BlobNotFoundError, BlobStore
from imgwired.transform.control import RenderControl
from imgwired.transform.cost import RenderBudget, SourceShape, estimate
from imgwired.transform.grammar.params import OutputFormat, Transformation
from imgwired.transform.render import Rendered, output_family, render

# At shutdown, how long renders told to stop get to end (libvips stops within a tile; some
# encoders finish their last step first).
_STOP_WAIT_SECONDS: Final = 3.0
# A render lease outlives any render that keeps to its time budget; one left by a crash lapses
# this long after the render's budget.
_LEASE_MARGIN_SECONDS: Final = 10.0

log = logging.getLogger("imgwired.renders")


class RenditionSource(Protocol):
    """What making a rendition needs to know of its image."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def environment_id(self) -> uuid.UUID: ...
    @property
    def mime_type(self) -> SupportedMimeType: ...
    @property
    def blob_key(self) -> str: ...
    @property
    def shape(self) -> SourceShape | None:
        """The upright size and frames, or None when the database does not know them."""


class RenditionMaker:
    """Budgets, schedules, renders, stores and lists renditions."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        blobs: BlobStore,
        watermarks: WatermarkSources,
        leases: RenderLeases,
    ) -> None:
        self._db = database
        self._leases = leases
        self._lease_seconds = settings.render_timeout_seconds + _LEASE_MARGIN_SECONDS
        self._blobs = blobs
        self._watermarks = watermarks
        self._settings = settings
        self._max_pixels = settings.max_pixels
        self._max_variants = settings.max_variants_per_image
        self._budget = RenderBudget(
            max_output_pixels=settings.max_output_pixels,
            max_cost=settings.max_render_cost,
            cheap_cost=settings.cheap_render_cost,
        )
        self._scheduler = RenderScheduler(
            threads=settings.transform_threads,
            heavy_threads=settings.heavy_render_threads,
            queue_limit=settings.transform_queue_limit,
            time_budget=settings.render_timeout_seconds,
        )

    def start(self) -> None:
        """Bound what libvips holds and how many threads each render uses (process-wide)."""
        s = self._settings
        vips.limit_resources(
            concurrency=s.vips_concurrency,
            cache_operations=s.vips_cache_max_operations,
            cache_bytes=s.vips_cache_max_bytes,
            cache_files=s.vips_cache_max_files,
        )

    async def close(self) -> None:
        """Refuse waiting renders and stop running ones; the server is stopping."""
        await self._scheduler.close(wait=_STOP_WAIT_SECONDS)

    def render_load(self) -> dict[str, LaneLoad]:
        """Renders waiting and running now in this process, per lane."""
        return self._scheduler.load()

    async def make(
        self,
        source: RenditionSource,
        transformation: Transformation,
        choice: OutputFormat | None,
        variant: str,
        client_gone: Callable[[], Awaitable[None]] | None,
        *,
        mark: WatermarkSource | None = None,
    ) -> Rendered:
        """The rendition, rendered (once for concurrent requests) and stored; ``mark`` is the
        watermark image ``transformation`` names, as found (its fingerprint in ``variant``).

        Raises ``RenderBudgetExceededError`` before queueing when the database's size of the
        source is enough to tell; else what ``render`` and ``RenderScheduler.run`` raise.
        """
        heavy = True  # a source of unknown size is judged in the render thread, by its header
        shape = source.shape
        if shape is not None:
            # Before any transparency is known, assume the dearer output of the family (PNG).
            expected = choice or output_family(source.mime_type, True, animated=True)
            planned = estimate(shape, transformation, expected)
            self._budget.check(planned)
            heavy = not self._budget.is_cheap(planned)
        return await self._scheduler.run(
            f"{source.id}/{variant}",
            source.environment_id,
            partial(self._render_and_store, source, transformation, choice, variant, mark),
            heavy=heavy,
            client_gone=client_gone,
        )

    def _render_and_store(
        self,
        source: RenditionSource,
        transformation: Transformation,
        choice: OutputFormat | None,
        variant: str,
        mark: WatermarkSource | None,
        control: RenderControl,
    ) -> Rendered:
        lease = f"{source.id}/{variant}"
        token = None
        while token is None:
            # Another process may have made it while this request waited for a thread, or for
            # the lease.
            made = self._stored_rendition(source, variant)
            if made is not None:
                return made
            token = self._leases.take(lease, self._lease_seconds)
            if token is None:
                control.check()  # the wait counts against the render's budget
                time.sleep(self._leases.poll_seconds)
        try:
            # Listed between the last look and the lease: its holder just finished.
            made = self._stored_rendition(source, variant)
            if made is not None:
                return made
            return self._render(source, transformation, choice, variant, mark, control)
        finally:
            self._leases.release(lease, token)

    def _render(
        self,
        source: RenditionSource,
        transformation: Transformation,
        choice: OutputFormat | None,
        variant: str,
        mark: WatermarkSource | None,
        control: RenderControl,
    ) -> Rendered:
        with (
            self._blobs.local_path(source.blob_key) as path,
            self._watermarks.local_file(mark) as mark_file,
        ):
            rendered = render(
                path,
                source.mime_type,
                transformation,
                choice,
                max_pixels=self._max_pixels,
                mark_file=mark_file,
                budget=self._budget,
                control=control,
            )
        key = rendition_key(source.environment_id, source.id, f"{variant}.{rendered.format.value}")
        self._blobs.put_bytes(key, rendered.data)
        self._remember(source, variant, key, rendered, mark.image_id if mark else None)
        log.debug("rendered %s/%s", source.id, variant)
        return rendered

    def _stored_rendition(self, source: RenditionSource, variant: str) -> Rendered | None:
        with self._db.reading() as session:
            derived = repo.rendition(session, source.id, variant)
            if derived is None:
                return None
            key, content_type = derived.blob_key, derived.content_type
            width, height = derived.width, derived.height
        try:
            data = self._blobs.read_bytes(key)
        except BlobNotFoundError:
            return None
        output = OutputFormat.of_media_type(SupportedMimeType(content_type))
        assert output is not None  # only formats we write are listed
        return Rendered(data=data, format=output, width=width, height=height)

    def _remember(
        self,
        source: RenditionSource,
        variant: str,
        key: str,
        rendered: Rendered,
        watermark_image_id: uuid.UUID | None,
    ) -> None:
        """List the new rendition; if the image (or its watermark) was deleted meanwhile, or too
        many renditions exist, remove what must go (after the commit, so a listed blob always
        exists)."""
        doomed: list[str] = []
        try:
            with self._db.transaction() as session:
                image = session.get(Image, source.id)
                if _gone(image) or (
                    watermark_image_id is not None and _gone(session.get(Image, watermark_image_id))
                ):
                    doomed.append(key)
                else:
                    session.add(
                        DerivedImage(
                            image_id=source.id,
                            environment_id=source.environment_id,
                            variant=variant,
                            blob_key=key,
                            content_type=rendered.format.media_type.value,
                            size_bytes=len(rendered.data),
                            width=rendered.width,
                            height=rendered.height,
                            watermark_image_id=watermark_image_id,
                        )
                    )
                    session.flush()
                    doomed.extend(repo.evict_renditions(session, source.id, self._max_variants))
        except IntegrityError:
            return  # another process listed the same rendition first: same bytes, same key
        for stale in doomed:
            self._blobs.delete(stale)


def _gone(image: Image | None) -> bool:
    return image is None or image.deleted_at is not None
