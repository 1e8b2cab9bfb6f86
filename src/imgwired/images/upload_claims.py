"""Claims on upload URLs: one upload at a time per image, held by a lease that a crash lets lapse.

A PUT claims its image before the first byte is stored. The claim has a random id, so only its
holder renews, releases or completes it, and a lease that the holder renews while the bytes
arrive. A process that dies stops renewing: once the lease lapses, the same URL takes a new
upload, so a client can send an upload cut off by a crash again until the URL expires.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import Environment, Image, ImageStatus, UploadRefusal
from imgwired.errors import (
    EnvironmentNotFoundError,
    ImageNotFoundError,
    UploadInProgressError,
    UploadUrlError,
)
from imgwired.images import repository as repo


@dataclass(frozen=True, slots=True)
class UploadClaim:
    """A held claim: the image as it was claimed, and the id that proves the holder."""

    image: Image
    claim_id: uuid.UUID


class UploadClaims:
    """Takes, renews, checks and releases claims; each call is one short transaction."""

    def __init__(self, database: Database, *, lease: timedelta) -> None:
        self._db = database
        self.lease = lease

    def take(self, environment_id: uuid.UUID, image_id: uuid.UUID) -> UploadClaim:
        """Claim the image's upload, or say why its URL takes no upload now."""
        now = utcnow()
        with self._db.transaction() as session:
            # Locked (on PostgreSQL) so that of concurrent PUTs exactly one sees the claim free.
            image = session.get(Image, image_id, with_for_update=True)
            if image is None or image.environment_id != environment_id or image.deleted_at:
                raise ImageNotFoundError(f"Image {image_id} was not found")
            _require_live_environment(session, environment_id)
            refusal = image.upload_refusal(now)
            if refusal is UploadRefusal.USED:
                raise UploadUrlError("This upload URL has already been used")
            if refusal is UploadRefusal.EXPIRED:
                raise UploadUrlError("This upload URL has expired; create a new standard upload")
            if refusal is UploadRefusal.IN_PROGRESS:
                raise _in_progress(image.upload_lease_expires_at, now)
            claim_id = uuid.uuid4()
            image.upload_claim_id = claim_id
            image.upload_started_at = now
            image.upload_lease_expires_at = now + self.lease
        return UploadClaim(image, claim_id)

    def renew(self, claim: UploadClaim) -> None:
        """Extend the lease; raises if the claim is no longer held (see ``held``)."""
        with self._db.transaction() as session:
            image = self.held(session, claim)
            image.upload_lease_expires_at = utcnow() + self.lease

    def held(self, session: Session, claim: UploadClaim) -> Image:
        """The claimed image, locked, if the claim is still held and the image may still take
        its bytes; else the error that says why not."""
        image = session.get(Image, claim.image.id, with_for_update=True)
        if image is None or image.deleted_at is not None:
            raise ImageNotFoundError(f"Image {claim.image.id} was deleted during the upload")
        _require_live_environment(session, image.environment_id)
        if image.status is not ImageStatus.PENDING or image.upload_claim_id != claim.claim_id:
            # Only after the lease lapsed (this process stalled) can another upload take over.
            raise UploadUrlError("This upload's claim lapsed and another upload took the URL")
        return image

    def release(self, claim: UploadClaim) -> None:
        """Give the URL back for another try; a no-op if the claim is no longer held."""
        with self._db.transaction() as session:
            repo.release_upload_claim(session, claim.image.id, claim.claim_id)


def _require_live_environment(session: Session, environment_id: uuid.UUID) -> None:
    environment = session.get(Environment, environment_id)
    if environment is None or environment.deleted_at is not None:
        # A deleted environment serves nothing: its upload URLs store nothing either.
        raise EnvironmentNotFoundError("The environment of this upload URL has been deleted")


def _in_progress(lease_expires_at: datetime | None, now: datetime) -> Exception:
    if lease_expires_at is None:  # claimed for good, by a fetch of upload via URL
        return UploadUrlError("This upload URL has already been used")
    seconds = max(1, math.ceil((lease_expires_at - now).total_seconds()))
    return UploadInProgressError(
        "Another upload to this URL is in progress; if it was cut off, the URL takes a new "
        f"upload within {seconds} s"
    )
