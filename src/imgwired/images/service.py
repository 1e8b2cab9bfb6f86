"""Image records: create standard uploads, read, list and delete them.

The bytes arrive later, through the signed upload URL (``services/uploads.py``), and are judged
by the processing job (``services/processing.py``); this module never trusts what a client
says a file is.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from imgwired.accounts.auth import Caller, CallerKind
from imgwired.accounts.organization import OrganizationService
from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation
from imgwired.config import Settings
from imgwired.custom_domains.connected import ConnectedDomains
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, IntegrityError, Session
from imgwired.db.models import ApiKeyType, Image, ImageStatus
from imgwired.errors import (
    ConflictError,
    ImageNotFoundError,
    InvalidInputError,
    TooManyPendingUploadsError,
    UploadTooLargeError,
)
from imgwired.images import repository as repo
from imgwired.images import upload_tokens
from imgwired.imaging.formats import extension_for
from imgwired.jobs import queue
from imgwired.media_types import SupportedMimeType
from imgwired.metrics.repository import add_usage
from imgwired.metrics.usage import hour_of
from imgwired.pagination import Page, PageRequest
from imgwired.paths import upload_path
from imgwired.signing import sign

IDEMPOTENCY_WINDOW = timedelta(hours=24)
PURGE_JOB = "purge_image"
ABANDONED_UPLOAD_GRACE = timedelta(hours=1)
_SWEEP_BATCH = 1000


@dataclass(frozen=True, slots=True)
class NewUpload:
    """What a client declares about an upload; checked again when the bytes arrive."""

    file_name: str
    content_length: int | None = None
    mime_type: SupportedMimeType | None = None
    hash_sha256: str | None = None
    idempotency_key: str | None = None
    purpose: str | None = None
    custom_metadata: Mapping[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Identifies the request for idempotency: same key and same fingerprint, same image."""
        document = {
            "file_name": self.file_name,
            "content_length": self.content_length,
            "mime_type": self.mime_type.value if self.mime_type else None,
            "hash_sha256": self.hash_sha256,
            "purpose": self.purpose,
            "custom_metadata": dict(self.custom_metadata),
        }
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CreatedUpload:
    image: Image
    upload_url: str


@dataclass(frozen=True, slots=True)
class ImageQuery:
    """What a search asks of live images: a status, the start of the file name, or both."""

    status: ImageStatus | None = None
    name_prefix: str | None = None


@dataclass(frozen=True, slots=True)
class FoundImages:
    items: list[Image]
    # The last image of this page when another page follows: the next page starts after it.
    next_after: uuid.UUID | None


class ImageService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        organization: OrganizationService,
        *,
        custom_domains: ConnectedDomains | None = None,
        bus: InvalidationBus | None = None,
    ) -> None:
        self._db = database
        self._settings = settings
        self._organization = organization
        self._custom_domains = custom_domains
        # Deliveries kept in memory, in every process: a deleted image is forgotten there at once.
        self._bus = bus

    # -- reading -------------------------------------------------------------------------------

    def get(self, environment_id: uuid.UUID, image_id: uuid.UUID) -> Image:
        with self._db.reading() as session:
            return _require(session, environment_id, image_id)

    def list(self, environment_id: uuid.UUID, request: PageRequest) -> Page[Image]:
        """Live images, newest first; the count and the page come from one snapshot."""
        with self._db.snapshot() as session:
            return repo.list_images(session, environment_id, request)

    def search(
        self, environment_id: uuid.UUID, query: ImageQuery, *, after: uuid.UUID | None, limit: int
    ) -> FoundImages:
        """One page of the live images that match ``query``, after the image ``after``; no total
        (counting matches would read them all), a cursor to the next page instead."""
        with self._db.reading() as session:
            found = repo.search_images(
                session,
                environment_id,
                status=query.status,
                name_prefix=query.name_prefix,
                after=after,
                limit=limit + 1,
            )
        more = len(found) > limit
        items = found[:limit]
        return FoundImages(items, items[-1].id if more else None)

    def cdn_url(self, image: Image) -> str:
        """On the environment's CONNECTED custom domain if it has one (read from memory), else
        under the CDN base."""
        domains = self._custom_domains
        domain = domains.by_environment(image.environment_id) if domains is not None else None
        if domain is not None:
            return f"{self._settings.custom_domain_scheme}://{domain.hostname}/{image.id}"
        organization_id = self._organization.get().id
        return f"{self._settings.cdn_base}/{organization_id}/{image.environment_id}/{image.id}"

    # -- creating ------------------------------------------------------------------------------

    def create_standard_upload(
        self, caller: Caller, new: NewUpload, upload_token: str | None
    ) -> CreatedUpload:
        """A PENDING image and the signed URL its bytes go to."""
        environment_id = caller.environment()
        limit, allowed_types, pending_cap, needs_token = self._limits(caller)
        if new.content_length is not None and new.content_length > limit:
            raise UploadTooLargeError(
                f"content_length {new.content_length} is over this key's limit of {limit} bytes"
            )
        if allowed_types is not None and new.mime_type and new.mime_type.value not in allowed_types:
            raise InvalidInputError(
                f"{new.mime_type.value} is not allowed for this key; allowed: {allowed_types}",
                loc=("body", "mime_type"),
            )
        fingerprint = new.fingerprint()
        try:
            image = self._insert(
                caller,
                new,
                fingerprint,
                upload_token,
                limit,
                allowed_types,
                pending_cap,
                needs_token,
            )
        except IntegrityError:  # a concurrent request with the same idempotency key won
            if not new.idempotency_key:
                raise
            with self._db.transaction() as session:
                earlier = _idempotent_match(session, environment_id, new, fingerprint)
            if earlier is None:
                raise
            image = earlier
        # Signing may read (or, once, write) the install's secret: never inside a transaction.
        return CreatedUpload(image, self._upload_url(image))

    def _insert(
        self,
        caller: Caller,
        new: NewUpload,
        fingerprint: str,
        upload_token: str | None,
        limit: int,
        allowed_types: Sequence[str] | None,
        pending_cap: int | None,
        needs_token: bool,
    ) -> Image:
        """The earlier image of this idempotency key, or a new one, in one transaction."""
        environment_id = caller.environment()
        with self._db.transaction() as session:
            if new.idempotency_key:
                earlier = _idempotent_match(session, environment_id, new, fingerprint)
                if earlier is not None:
                    return earlier
            token_id = None
            if needs_token or upload_token:
                token_id = upload_tokens.spend(session, environment_id, upload_token).id
            if pending_cap is not None and caller.api_key is not None:
                _check_pending(session, caller.api_key.id, pending_cap)
            image = self._new_image(caller, new, fingerprint, limit, allowed_types, token_id)
            # Last: on PostgreSQL the list's row stays locked until the commit.
            repo.add_image(session, image)
        return image

    def _limits(self, caller: Caller) -> tuple[int, Sequence[str] | None, int | None, bool]:
        """(byte limit, allowed types, pending-upload cap, token required) for this caller."""
        key = caller.api_key
        if caller.kind is CallerKind.CLIENT and key is not None:
            assert key.key_type is ApiKeyType.CLIENT
            return (
                key.maximum_upload_bytes or self._settings.server_key_upload_bytes,
                key.allowed_mime_types,
                key.maximum_pending_uploads,
                not key.allow_unsigned_upload,
            )
        return self._settings.server_key_upload_bytes, None, None, False

    def _new_image(
        self,
        caller: Caller,
        new: NewUpload,
        fingerprint: str,
        limit: int,
        allowed_types: Sequence[str] | None,
        token_id: uuid.UUID | None,
    ) -> Image:
        mime = new.mime_type.value if new.mime_type else _guess_type(new.file_name)
        return Image(
            environment_id=caller.environment(),
            api_key_id=caller.api_key.id if caller.api_key else None,
            upload_token_id=token_id,
            status=ImageStatus.PENDING,
            original_filename=new.file_name,
            mime_type=mime,
            extension=extension_for(SupportedMimeType(mime)),
            size_bytes=new.content_length or 0,
            declared_length=new.content_length,
            hash_sha256=new.hash_sha256,
            upload_limit_bytes=limit,
            allowed_mime_types=None if allowed_types is None else [*allowed_types],
            idempotency_key=new.idempotency_key,
            idempotency_fingerprint=fingerprint if new.idempotency_key else None,
            purpose=new.purpose,
            custom_metadata=dict(new.custom_metadata),
            upload_expires_at=utcnow() + timedelta(seconds=self._settings.upload_url_ttl_seconds),
        )

    def _upload_url(self, image: Image) -> str:
        expires = int(image.upload_expires_at.timestamp())
        secret = self._organization.signing_secret()
        signature = sign(secret, str(image.environment_id), str(image.id), expires=expires)
        return (
            f"{self._settings.base_url}{upload_path(image.environment_id, image.id)}"
            f"?expires={expires}&signature={signature}"
        )

    def import_records(
        self, environment_id: uuid.UUID, records: Sequence[Mapping[str, Any]]
    ) -> Sequence[uuid.UUID]:
        """Insert image records in bulk, in one transaction, listed in the order given (the last
        one newest); returns their ids. For moving a library in from another store, and for
        ``bench/list.py``.

        Each record maps image columns (``original_filename``, ``mime_type``, ``extension``,
        ``upload_limit_bytes``, ``upload_expires_at``, ``status``...), stored as given: no key's
        limits are checked and no bytes are stored. The list's count and blocks are kept exactly
        as for one upload.
        """
        with self._db.transaction() as session:
            return repo.add_image_records(session, environment_id, records)

    # -- deleting ------------------------------------------------------------------------------

    def _forget(self, image_ids: Sequence[uuid.UUID]) -> None:
        if self._bus is not None and image_ids:
            self._bus.publish(Invalidation.images_deleted(image_ids))

    def sweep_abandoned_uploads(self) -> int:
        """Delete PENDING images that can no longer receive their bytes; returns how many.

        One whose upload URL expired with no upload under way is abandoned at once (an upload
        cut off by a crash is no longer under way once its claim's lease lapsed). One whose
        upload is still under way is abandoned an hour after its URL expired: an upload that
        began in time may run past the expiry, but not for ever.
        """
        now = utcnow()
        stalled = now - ABANDONED_UPLOAD_GRACE
        with self._db.transaction() as session:
            abandoned = repo.lock_abandoned_uploads(session, now, stalled, _SWEEP_BATCH)
            retired = _soft_delete(session, abandoned)
        self._forget(retired)
        return len(retired)

    def delete(self, environment_id: uuid.UUID, image_id: uuid.UUID) -> Image:
        """Soft-delete the record now; a job purges its bytes and derived images."""
        with self._db.transaction() as session:
            image = _require(session, environment_id, image_id)
            if not _soft_delete(session, [image]):  # a concurrent delete came first
                raise ImageNotFoundError(f"Image {image_id} was not found")
        self._forget([image.id])
        return image

    def bulk_delete(self, environment_id: uuid.UUID, image_ids: Sequence[uuid.UUID]) -> int:
        """Delete every listed image of the environment, or none if any is missing."""
        wanted = list(dict.fromkeys(image_ids))
        with self._db.transaction() as session:
            found = repo.get_live_images(session, environment_id, wanted)
            missing = sorted(str(i) for i in set(wanted) - {image.id for image in found})
            if missing:
                raise ImageNotFoundError(f"Images not found: {', '.join(missing[:20])}")
            retired = set(_soft_delete(session, found))
            if len(retired) != len(found):  # concurrent deletes came first: undo it all
                gone = sorted(str(image.id) for image in found if image.id not in retired)
                raise ImageNotFoundError(f"Images not found: {', '.join(gone[:20])}")
        self._forget([image.id for image in found])
        return len(found)


def _require(session: Session, environment_id: uuid.UUID, image_id: uuid.UUID) -> Image:
    image = repo.get_live_image(session, environment_id, image_id)
    if image is None:
        raise ImageNotFoundError(f"Image {image_id} was not found")
    return image


def _soft_delete(session: Session, images: Sequence[Image]) -> list[uuid.UUID]:
    """Delete those of ``images`` still live (a deleted image frees its idempotency key for a
    later, different request) and queue their purge; returns the ids this call deleted."""
    now = utcnow()
    removed: dict[uuid.UUID, int] = {}
    retired = repo.retire_images(session, [image.id for image in images], now)
    for row in retired:
        if row.blob_key is not None:
            removed[row.environment_id] = removed.get(row.environment_id, 0) + row.size_bytes
        queue.enqueue(
            session, PURGE_JOB, environment_id=str(row.environment_id), image_id=str(row.id)
        )
    for environment_id, size in sorted(removed.items()):
        add_usage(session, environment_id, hour_of(now), {"storage_bytes_removed": size})
    return [row.id for row in retired]


def _idempotent_match(
    session: Session, environment_id: uuid.UUID, new: NewUpload, fingerprint: str
) -> Image | None:
    """The earlier image of this idempotency key, or None if the key is free (or expired)."""
    earlier = repo.image_with_idempotency_key(session, environment_id, new.idempotency_key)
    if earlier is None:
        return None
    if earlier.created_at < utcnow() - IDEMPOTENCY_WINDOW:
        repo.free_idempotency_key(session, earlier.id)
        return None
    if earlier.idempotency_fingerprint != fingerprint:
        raise ConflictError("This idempotency_key was used within 24 hours for a different request")
    return earlier


def _check_pending(session: Session, api_key_id: uuid.UUID, cap: int) -> None:
    if repo.count_pending_uploads(session, api_key_id, utcnow()) >= cap:
        raise TooManyPendingUploadsError(
            f"This key already has {cap} uploads waiting for their bytes; finish or let them expire"
        )


def _guess_type(file_name: str) -> str:
    guessed, _ = mimetypes.guess_type(file_name, strict=False)
    known = {member.value for member in SupportedMimeType}
    if guessed == "image/x-icon":
        guessed = "image/vnd.microsoft.icon"
    # Until the bytes are judged, a record needs some supported type; JPEG is the common case.
    return guessed if guessed in known else SupportedMimeType.JPEG.value
