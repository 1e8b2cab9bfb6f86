"""Queries over images and upload tokens. Every environment-scoped query takes the environment."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from imgwired.db import image_lists
from imgwired.db.base import uuid7
from imgwired.db.models import Environment, Image, ImageStatus, UploadToken
from imgwired.pagination import Page, PageRequest


def live_images(environment_id: uuid.UUID) -> Select[Image]:
    return select(Image).where(Image.environment_id == environment_id, Image.deleted_at.is_(None))


def list_images(session: Session, environment_id: uuid.UUID, request: PageRequest) -> Page[Image]:
    """The environment's live images, newest first (in the order they were created), with their
    exact count. ``session`` must read one snapshot (``Database.snapshot``)."""
    total = image_lists.live_count(session, environment_id)
    ids = image_lists.page_ids(session, environment_id, request.offset, request.limit, total)
    # The page's ids come from the index alone; only its rows are read from the table.
    rows = {image.id: image for image in session.scalars(select(Image).where(Image.id.in_(ids)))}
    return Page([rows[image_id] for image_id in ids], total, request)


def search_images(
    session: Session,
    environment_id: uuid.UUID,
    *,
    status: ImageStatus | None,
    name_prefix: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[Image]:
    """Up to ``limit`` live images of the environment with ``status`` and whose file name starts
    with ``name_prefix`` (either may be None), after the image ``after`` (the last one of the
    previous page). With a prefix they come in name order (``ix_images_live_name``), else newest
    first (``ix_images_live_status``): a page reads about ``limit`` index entries, however many
    images there are, since a page starts where the last one ended rather than at an offset."""
    query = live_images(environment_id)
    if status is not None:
        query = query.where(Image.status == status)
    cursor = session.get(Image, after) if after is not None else None
    if cursor is not None and cursor.environment_id != environment_id:
        cursor = None
    if name_prefix:
        name = Image.original_filename
        query = query.where(name >= name_prefix)
        upper = _names_after(name_prefix)
        if upper is not None:
            query = query.where(name < upper)
        # The range finds the entries in the index; this keeps exactly the names that start with
        # the prefix, whatever order the database's collation gives the range.
        query = query.where(func.substr(name, 1, len(name_prefix)) == name_prefix)
        if cursor is not None:
            query = query.where(
                tuple_(name, Image.id) > tuple_(cursor.original_filename, cursor.id)
            )
        query = query.order_by(name, Image.id)
    else:
        if cursor is not None:
            query = query.where(Image.list_seq < cursor.list_seq)
        query = query.order_by(Image.list_seq.desc())
    return list(session.scalars(query.limit(limit)))


def _names_after(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` in code point order (the
    order of UTF-8 bytes), or None when no string is (a prefix of U+10FFFF only)."""
    stripped = prefix.rstrip(chr(0x10FFFF))
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def add_image(session: Session, image: Image) -> None:
    """Insert a new image at the head of its environment's list."""
    image.list_seq = image_lists.enlist(session, image.environment_id, 1)
    session.add(image)


def add_image_records(
    session: Session, environment_id: uuid.UUID, records: Sequence[Mapping[str, Any]]
) -> list[uuid.UUID]:
    """Insert ``records`` (mappings of image columns) as new images of the environment, in one
    statement, listed in the order given; returns their ids."""
    if not records:
        return []
    first = image_lists.enlist(session, environment_id, len(records))
    rows = [
        {**record, "id": uuid7(), "environment_id": environment_id, "list_seq": first + n}
        for n, record in enumerate(records)
    ]
    session.execute(insert(Image), rows)
    return [row["id"] for row in rows]


def retire_images(session: Session, image_ids: Sequence[uuid.UUID], when: datetime) -> list[Any]:
    """Soft-delete those of ``image_ids`` still live; (id, environment_id, size_bytes, blob_key)
    of each this call deleted (see ``image_lists.retire``)."""
    return image_lists.retire(session, image_ids, when)


def get_live_image(
    session: Session, environment_id: uuid.UUID, image_id: uuid.UUID
) -> Image | None:
    return session.scalars(live_images(environment_id).where(Image.id == image_id)).first()


def get_live_images(
    session: Session, environment_id: uuid.UUID, image_ids: Iterable[uuid.UUID]
) -> list[Image]:
    return list(session.scalars(live_images(environment_id).where(Image.id.in_(list(image_ids)))))


def lock_abandoned_uploads(
    session: Session, now: datetime, stalled: datetime, limit: int
) -> list[Image]:
    """PENDING images past their URL's expiry and not under way (or stalled), locked, skipping
    rows another sweeper holds."""
    return list(
        session.scalars(
            select(Image)
            .where(
                Image.status == ImageStatus.PENDING,
                Image.deleted_at.is_(None),
                Image.upload_expires_at < now,
                Image.upload_claim_free_clause(now) | (Image.upload_expires_at < stalled),
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def image_with_idempotency_key(
    session: Session, environment_id: uuid.UUID, idempotency_key: str | None
) -> Image | None:
    return session.scalars(
        select(Image).where(
            Image.environment_id == environment_id, Image.idempotency_key == idempotency_key
        )
    ).first()


def free_idempotency_key(session: Session, image_id: uuid.UUID) -> None:
    session.execute(update(Image).where(Image.id == image_id).values(idempotency_key=None))
    session.flush()


def count_pending_uploads(session: Session, api_key_id: uuid.UUID, now: datetime) -> int:
    """The key's PENDING images whose upload URL is still valid."""
    pending = session.scalar(
        select(func.count()).where(
            Image.api_key_id == api_key_id,
            Image.status == ImageStatus.PENDING,
            Image.deleted_at.is_(None),
            Image.upload_expires_at > now,
        )
    )
    return int(pending or 0)


def release_upload_claim(session: Session, image_id: uuid.UUID, claim_id: uuid.UUID) -> None:
    """Clear the claim if ``claim_id`` still holds a PENDING image; else change nothing."""
    session.execute(
        update(Image)
        .where(
            Image.id == image_id,
            Image.upload_claim_id == claim_id,
            Image.status == ImageStatus.PENDING,
        )
        .values(upload_claim_id=None, upload_started_at=None, upload_lease_expires_at=None)
    )


def upload_token_by_hash(session: Session, secret_hash: str) -> UploadToken | None:
    return session.scalars(
        select(UploadToken).where(UploadToken.secret_hash == secret_hash)
    ).first()


def mark_upload_token_used(session: Session, token_id: uuid.UUID, now: datetime) -> bool:
    """Use the token up; True for exactly one of any number of racing callers."""
    # The conditional update is the atomic step: of two requests racing, one changes the row.
    spent: Any = session.execute(
        update(UploadToken)
        .where(UploadToken.id == token_id, UploadToken.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(spent.rowcount == 1)


def environment_of_image(session: Session, image_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(select(Image.environment_id).where(Image.id == image_id))


def environment_of_upload_token(session: Session, secret_hash: str) -> uuid.UUID | None:
    return session.scalar(
        select(UploadToken.environment_id).where(UploadToken.secret_hash == secret_hash)
    )


def known_environments(session: Session, environment_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``environment_ids`` this database has a row for (deleted or not)."""
    return set(session.scalars(select(Environment.id).where(Environment.id.in_(environment_ids))))


def image_owners(session: Session, image_ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """id -> (id, environment_id, deleted_at) of each of ``image_ids`` that has a record."""
    rows = session.execute(
        select(Image.id, Image.environment_id, Image.deleted_at).where(Image.id.in_(image_ids))
    )
    return {row.id: row for row in rows}
