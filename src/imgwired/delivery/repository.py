"""Queries of delivery: the image at a CDN URL with its rendition, the rendition list, and
the render leases that let one process make a rendition while the others wait."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from imgwired.db.models import DerivedImage, Environment, Image, RenderLease


def image_with_rendition(
    session: Session, image_id: uuid.UUID, variant: str
) -> tuple[Image, DerivedImage | None] | None:
    """The image of a live environment, with its rendition of ``variant`` if listed: one query,
    so a cache hit costs one indexed read."""
    row = session.execute(
        select(Image, DerivedImage)
        # A deleted environment serves nothing, whatever its images' own state.
        .join(
            Environment,
            and_(Environment.id == Image.environment_id, Environment.deleted_at.is_(None)),
        )
        .outerjoin(
            DerivedImage,
            and_(DerivedImage.image_id == Image.id, DerivedImage.variant == variant),
        )
        .where(Image.id == image_id)
    ).first()
    return None if row is None else (row[0], row[1])


def rendition(session: Session, image_id: uuid.UUID, variant: str) -> DerivedImage | None:
    query = select(DerivedImage).where(
        DerivedImage.image_id == image_id, DerivedImage.variant == variant
    )
    return session.scalars(query).first()


def forget_renditions(session: Session, image_id: uuid.UUID) -> None:
    """Unlist every rendition of the image (its blobs go with the image's prefix)."""
    session.execute(delete(DerivedImage).where(DerivedImage.image_id == image_id))


def evict_renditions(session: Session, image_id: uuid.UUID, keep: int) -> list[str]:
    """Unlist the oldest renditions beyond ``keep``; returns their blob keys."""
    count = session.scalar(
        select(func.count()).select_from(DerivedImage).where(DerivedImage.image_id == image_id)
    )
    if count is None or count <= keep:
        return []
    oldest = session.execute(
        select(DerivedImage.id, DerivedImage.blob_key)
        .where(DerivedImage.image_id == image_id)
        .order_by(DerivedImage.id)
        .limit(count - keep)
    ).all()
    session.execute(delete(DerivedImage).where(DerivedImage.id.in_([row.id for row in oldest])))
    return [row.blob_key for row in oldest]


def take_render_lease(
    session: Session, key: str, holder: str, now: datetime, expires_at: datetime
) -> bool:
    """Take over ``key``'s lease if it lapsed; True when taken. (A free key is taken by
    inserting its row, which ``add_render_lease`` does in a transaction of its own.)"""
    taken = session.execute(
        update(RenderLease)
        .where(RenderLease.key == key, RenderLease.expires_at < now)
        .values(holder=holder, expires_at=expires_at)
    )
    return bool(getattr(taken, "rowcount", 0))


def add_render_lease(session: Session, key: str, holder: str, expires_at: datetime) -> None:
    """Insert ``key``'s lease; raises IntegrityError when another process holds it."""
    session.add(RenderLease(key=key, holder=holder, expires_at=expires_at))
    session.flush()


def release_render_lease(session: Session, key: str, holder: str) -> None:
    session.execute(delete(RenderLease).where(RenderLease.key == key, RenderLease.holder == holder))
