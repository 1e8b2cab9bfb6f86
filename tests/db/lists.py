"""What the image-list tests share: records to import, the plain query a page must equal, and a
recount of every list from the images themselves."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from imgwired.db.base import utcnow
from imgwired.db.engine import Database, Session
from imgwired.db.models import Image, ImageList, ImageListBlock, ImageStatus

BLOCK = 1024  # LIST_BLOCK_SIZE, written out: the tests check the stored numbering


def records(count: int, prefix: str = "photo") -> list[dict[str, Any]]:
    """``count`` READY image records for ``ImageService.import_records``."""
    expires = utcnow() + timedelta(hours=1)
    return [
        {
            "original_filename": f"{prefix}-{n}.jpg",
            "mime_type": "image/jpeg",
            "extension": "jpg",
            "status": ImageStatus.READY,
            "width": 640,
            "height": 480,
            "upload_limit_bytes": 1 << 20,
            "upload_expires_at": expires,
        }
        for n in range(count)
    ]


def plain_page(
    session: Session, environment_id: uuid.UUID, offset: int, limit: int
) -> list[uuid.UUID]:
    """The page as a plain ORDER BY / OFFSET reads it."""
    query = (
        select(Image.id)
        .where(Image.environment_id == environment_id, Image.deleted_at.is_(None))
        .order_by(Image.list_seq.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(query))


def live_ids(session: Session, environment_id: uuid.UUID) -> list[uuid.UUID]:
    """Every live image of the environment, newest first."""
    return plain_page(session, environment_id, 0, 1 << 40)


def assert_lists_agree(database: Database) -> dict[uuid.UUID, int]:
    """Recount every environment's list from its images and compare with the stored counts and
    blocks; returns the live count of each environment."""
    with database.snapshot() as session:
        live = dict(
            session.execute(
                select(Image.environment_id, func.count())
                .where(Image.deleted_at.is_(None))
                .group_by(Image.environment_id)
            ).all()
        )
        places = session.execute(
            select(
                Image.environment_id,
                func.max(Image.list_seq),
                func.count(),
                func.count(func.distinct(Image.list_seq)),
            ).group_by(Image.environment_id)
        ).all()
        seqs = session.execute(
            select(Image.environment_id, Image.list_seq).where(Image.deleted_at.is_(None))
        ).all()
        lists = {row.environment_id: row for row in session.scalars(select(ImageList))}
        blocks = {
            (row.environment_id, row.block): row.live_count
            for row in session.scalars(select(ImageListBlock))
        }
    for environment_id, last, rows, distinct in places:
        assert rows == distinct, f"two images of {environment_id} share a place"
        assert lists[environment_id].last_seq == last
    stored = {env: row.live_count for env, row in lists.items() if row.live_count}
    assert stored == live
    assert blocks == dict(Counter((env, seq // BLOCK) for env, seq in seqs))
    return {env: int(n) for env, n in live.items()}
