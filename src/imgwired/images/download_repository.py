"""Queries over bulk downloads: the jobs, the zips they share, and the zips that expired."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select, update

from imgwired.db.engine import Session
from imgwired.db.models import (
    Environment,
    Image,
    ImageDownloadJob,
    ImageDownloadStatus,
    ImageStatus,
)


def get_live(
    session: Session, environment_id: uuid.UUID, download_id: uuid.UUID
) -> ImageDownloadJob | None:
    """The download, if it belongs to this environment and the environment is not deleted."""
    query = (
        select(ImageDownloadJob)
        .join(Environment, Environment.id == ImageDownloadJob.environment_id)
        .where(
            ImageDownloadJob.id == download_id,
            ImageDownloadJob.environment_id == environment_id,
            Environment.deleted_at.is_(None),
        )
    )
    return session.scalars(query).first()


def live_images(
    session: Session, environment_id: uuid.UUID, image_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ImageStatus]:
    """The status of each listed image that exists in the environment and is not deleted."""
    rows = session.execute(
        select(Image.id, Image.status).where(
            Image.environment_id == environment_id,
            Image.deleted_at.is_(None),
            Image.id.in_(image_ids),
        )
    )
    return {row.id: row.status for row in rows}


def images_to_zip(
    session: Session, environment_id: uuid.UUID, image_ids: Sequence[uuid.UUID]
) -> list[Image]:
    """The listed images that can go into a zip now (READY, not deleted), in id order."""
    return list(
        session.scalars(
            select(Image)
            .where(Image.id.in_(image_ids), Image.environment_id == environment_id)
            .where(Image.status == ImageStatus.READY, Image.deleted_at.is_(None))
            .order_by(Image.id)
        )
    )


def reusable_zip(
    session: Session, environment_id: uuid.UUID, content_key: str, *, valid_after: datetime
) -> ImageDownloadJob | None:
    """A READY download of the environment with these contents whose zip outlives
    ``valid_after``."""
    query = (
        select(ImageDownloadJob)
        .where(
            ImageDownloadJob.environment_id == environment_id,
            ImageDownloadJob.content_key == content_key,
            ImageDownloadJob.status == ImageDownloadStatus.READY,
            ImageDownloadJob.blob_key.is_not(None),
            ImageDownloadJob.expires_at > valid_after,
        )
        .order_by(ImageDownloadJob.expires_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def expired_zips(session: Session, now: datetime, *, limit: int) -> list[ImageDownloadJob]:
    """Downloads still holding a zip whose time is up (locked; others skip them)."""
    query = (
        select(ImageDownloadJob)
        .where(ImageDownloadJob.blob_key.is_not(None), ImageDownloadJob.expires_at < now)
        .order_by(ImageDownloadJob.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def zips_in_use(session: Session, blob_keys: Collection[str], now: datetime) -> set[str]:
    """Which of these zips a download that has not expired still hands out."""
    if not blob_keys:
        return set()
    query = select(ImageDownloadJob.blob_key).where(
        ImageDownloadJob.blob_key.in_(blob_keys), ImageDownloadJob.expires_at >= now
    )
    return {key for key in session.scalars(query) if key is not None}


def release_zips(session: Session, download_ids: Collection[uuid.UUID]) -> None:
    """Forget the zips of these downloads (they are deleted)."""
    if download_ids:
        session.execute(
            update(ImageDownloadJob)
            .where(ImageDownloadJob.id.in_(download_ids))
            .values(blob_key=None)
        )


def retire_environment_downloads(
    session: Session, environment_id: uuid.UUID, when: datetime
) -> None:
    """Every download of a deleted environment fails and forgets its zip."""
    session.execute(
        update(ImageDownloadJob)
        .where(
            ImageDownloadJob.environment_id == environment_id,
            (ImageDownloadJob.status != ImageDownloadStatus.FAILED)
            | ImageDownloadJob.blob_key.is_not(None),
        )
        .values(
            status=ImageDownloadStatus.FAILED,
            error="environment deleted",
            blob_key=None,
            updated_at=when,
        )
    )
