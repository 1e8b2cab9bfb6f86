"""Sweeping the blob store of what no reader will ever ask for: what crashes leave behind.

Two kinds of leftovers are removed, each only once older than the safety age
(``IMGWIRED_SWEEP_SAFETY_AGE_SECONDS``), so a write under way is never hit:

- writes begun but never finished: temp files on the filesystem, multipart uploads on S3
  (``BlobStore.abort_abandoned_writes``);
- the blobs of an image (``<environment>/<image>/…``: its original and renditions) whose record
  is gone or deleted: a purge that failed, or a rendition stored while its image was deleted.

The sweep runs when a process that runs jobs starts, then every
``IMGWIRED_SWEEP_INTERVAL_SECONDS``; several processes may run it at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imgwired.blob_keys import image_of, image_prefix
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.images import repository as repo
from imgwired.storage.base import BlobStore

log = logging.getLogger("imgwired.sweeps")

# Image ids looked up per query, and images whose blobs one sweep removes at most (the rest wait
# for the next sweep, so memory stays bounded after a mass failure).
_BATCH = 500
_MAX_PER_SWEEP = 10_000


@dataclass(frozen=True, slots=True)
class SweepResult:
    abandoned_writes: int
    orphaned_images: int


class BlobSweeper:
    def __init__(self, database: Database, blobs: BlobStore, *, safety_age: timedelta) -> None:
        self._db = database
        self._blobs = blobs
        self._safety_age = safety_age

    def sweep(self) -> SweepResult:
        """Remove unfinished writes and orphaned blobs older than the safety age."""
        result = SweepResult(
            abandoned_writes=self._blobs.abort_abandoned_writes(self._safety_age),
            orphaned_images=self.remove_orphaned_blobs(),
        )
        if result.abandoned_writes or result.orphaned_images:
            # Worth an operator's eye: each of these is the trace of a crash or a failed purge.
            log.warning(
                "swept %d unfinished write(s) and the blobs of %d image(s) without a live record",
                result.abandoned_writes,
                result.orphaned_images,
            )
        return result

    def remove_orphaned_blobs(self) -> int:
        """Remove the blobs of images whose record is missing or deleted; returns how many
        images' blobs went."""
        cutoff = utcnow() - self._safety_age
        doomed: set[tuple[uuid.UUID, uuid.UUID]] = set()
        batch: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for key in self._blobs.list_prefix(""):
            owner = image_of(key)
            if owner is None:
                continue  # not an image's blob (a download zip, say): not this sweep's business
            batch.add(owner)
            if len(batch) >= _BATCH:
                doomed |= self._orphans(batch, cutoff)
                batch = set()
                if len(doomed) >= _MAX_PER_SWEEP:
                    break
        doomed |= self._orphans(batch, cutoff)
        # Removed after the listing, not during it; a record cannot come back, so the verdicts
        # still hold.
        for environment_id, image_id in doomed:
            self._blobs.delete_prefix(image_prefix(environment_id, image_id))
        return len(doomed)

    def _orphans(
        self, owners: Iterable[tuple[uuid.UUID, uuid.UUID]], cutoff: datetime
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        owners = set(owners)
        if not owners:
            return set()
        with self._db.reading() as session:
            # Only environments this database knows: pointed at a store that another database
            # fills, the sweep must not take every blob for an orphan.
            known = repo.known_environments(session, {e for e, _ in owners})
            rows = repo.image_owners(session, {i for _, i in owners})
        orphans = set()
        for environment_id, image_id in owners:
            if environment_id not in known:
                continue
            row = rows.get(image_id)
            if row is None or row.environment_id != environment_id:
                # No record: its id tells when it was made (records are made with their ids).
                if _minted_before(image_id, cutoff):
                    orphans.add((environment_id, image_id))
            elif row.deleted_at is not None and row.deleted_at <= cutoff:
                orphans.add((environment_id, image_id))
        return orphans


def _minted_before(image_id: uuid.UUID, cutoff: datetime) -> bool:
    """Whether a time-ordered (version 7) id was made before ``cutoff``; False for any other."""
    if image_id.version != 7:
        return False
    minted = datetime.fromtimestamp((image_id.int >> 80) / 1000, UTC)
    return minted <= cutoff
