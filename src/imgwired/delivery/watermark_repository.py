"""Queries about watermark images: which may be drawn, and which renditions drew them."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from imgwired.db.models import DerivedImage, Environment, Image, ImageStatus


def usable_watermark(
    session: Session, environment_id: uuid.UUID, image_id: uuid.UUID
) -> Image | None:
    """The image, if it may be drawn as a watermark in ``environment_id``: of that (live)
    environment, READY, stored and not deleted."""
    return session.scalars(
        select(Image)
        .join(
            Environment,
            and_(Environment.id == Image.environment_id, Environment.deleted_at.is_(None)),
        )
        .where(
            Image.id == image_id,
            Image.environment_id == environment_id,
            Image.deleted_at.is_(None),
            Image.status == ImageStatus.READY,
            Image.blob_key.is_not(None),
        )
    ).first()


def environment_is_live(session: Session, environment_id: uuid.UUID) -> bool:
    found = session.scalar(
        select(Environment.id).where(
            Environment.id == environment_id, Environment.deleted_at.is_(None)
        )
    )
    return found is not None


def take_dependent_renditions(session: Session, image_id: uuid.UUID) -> list[str]:
    """Unlist every rendition that drew ``image_id`` as its watermark; returns their blob keys."""
    rows = session.execute(
        select(DerivedImage.id, DerivedImage.blob_key).where(
            DerivedImage.watermark_image_id == image_id
        )
    ).all()
    if rows:
        session.execute(delete(DerivedImage).where(DerivedImage.id.in_([row.id for row in rows])))
    return [row.blob_key for row in rows]
