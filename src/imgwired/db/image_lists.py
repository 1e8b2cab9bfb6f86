"""Each environment's list of live images: its count, its order, and where any offset falls.

An image gets ``list_seq`` (1, 2, 3... per environment) from its environment's ``ImageList`` row
in the transaction that inserts it, and the list shows live images by ``list_seq`` descending:
newest first, in the order they were created. Every write that adds or retires images changes, in
its own transaction (``enlist``, ``retire``):

- ``ImageList.live_count``: the list's total, one row away (never a COUNT over the images);
- ``ImageListBlock.live_count`` of the block of each image (``list_seq // LIST_BLOCK_SIZE``).

A page is found from the nearer end of the list (``page_ids``): near an end, by walking the
partial index of live images (``ix_images_live_list``) from that end; further in, by summing block
counts from that end up to the block that holds the offset, then walking the index from that
block's edge. Either way a page reads at most ``LIST_BLOCK_SIZE`` + limit index entries, plus one
small row per block between the end and the page (about 500 at most for a million images).

Locks, on PostgreSQL: a transaction updates its environments' ``ImageList`` rows first (in
ascending order), then their blocks (ascending). Writers of one environment queue on its row, so
numbers are handed out in commit order, and no two writers wait for each other in a cycle. SQLite
has one writer at a time. Readers need one snapshot for the count, the blocks and the index walk:
``Database.snapshot()``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from imgwired.db.engine import Session
from imgwired.db.image_models import LIST_BLOCK_SIZE, Image, ImageList, ImageListBlock


def enlist(session: Session, environment_id: uuid.UUID, count: int) -> int:
    """Give ``count`` new images of the environment the next places of its list; returns the
    first ``list_seq`` (the others follow it). The images must be inserted in this transaction."""
    insert = _insert_for(session)
    statement = insert(ImageList).values(
        environment_id=environment_id, live_count=count, last_seq=count
    )
    table = ImageList.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=[table.environment_id],
        set_={
            "live_count": table.live_count + statement.excluded.live_count,
            "last_seq": table.last_seq + statement.excluded.last_seq,
        },
    ).returning(table.last_seq)
    last = int(session.execute(statement).scalar_one())
    first = last - count + 1
    per_block = Counter(seq // LIST_BLOCK_SIZE for seq in range(first, last + 1))
    blocks = insert(ImageListBlock).values(
        [
            {"environment_id": environment_id, "block": block, "live_count": n}
            for block, n in sorted(per_block.items())
        ]
    )
    columns = ImageListBlock.__table__.c
    session.execute(
        blocks.on_conflict_do_update(
            index_elements=[columns.environment_id, columns.block],
            set_={"live_count": columns.live_count + blocks.excluded.live_count},
        )
    )
    return first


def retire(session: Session, image_ids: Sequence[uuid.UUID], when: datetime) -> list[Any]:
    """Mark those of ``image_ids`` still live deleted at ``when`` (their idempotency keys freed)
    and take them off their lists; returns (id, environment_id, size_bytes, blob_key) of each
    image this call retired. Of two calls racing for one image, exactly one retires it."""
    if not image_ids:
        return []
    # The condition on deleted_at is the atomic step: PostgreSQL re-checks it after waiting for
    # a concurrent delete of the same row, so no image leaves its list twice.
    retired = session.execute(
        update(Image)
        .where(Image.id.in_(list(image_ids)), Image.deleted_at.is_(None))
        .values(deleted_at=when, idempotency_key=None)
        .returning(Image.id, Image.environment_id, Image.list_seq, Image.size_bytes, Image.blob_key)
        .execution_options(synchronize_session="fetch")
    ).all()
    _delist(session, [(row.environment_id, row.list_seq) for row in retired])
    return list(retired)


def _delist(session: Session, places: Iterable[tuple[uuid.UUID, int]]) -> None:
    places = list(places)
    if not places:
        return
    per_list = Counter(environment_id for environment_id, _ in places)
    per_block = Counter((env, seq // LIST_BLOCK_SIZE) for env, seq in places)
    for environment_id, n in sorted(per_list.items()):
        session.execute(
            update(ImageList)
            .where(ImageList.environment_id == environment_id)
            .values(live_count=ImageList.live_count - n)
        )
    for (environment_id, block), n in sorted(per_block.items()):
        session.execute(
            update(ImageListBlock)
            .where(ImageListBlock.environment_id == environment_id, ImageListBlock.block == block)
            .values(live_count=ImageListBlock.live_count - n)
        )
    # Empty blocks go, so that finding a page reads only blocks that hold live images.
    for environment_id in sorted(per_list):
        session.execute(
            delete(ImageListBlock).where(
                ImageListBlock.environment_id == environment_id,
                ImageListBlock.block.in_([b for e, b in per_block if e == environment_id]),
                ImageListBlock.live_count <= 0,
            )
        )


def live_count(session: Session, environment_id: uuid.UUID) -> int:
    """How many live images the environment has."""
    count = session.scalar(
        select(ImageList.live_count).where(ImageList.environment_id == environment_id)
    )
    return int(count or 0)


def page_ids(
    session: Session, environment_id: uuid.UUID, offset: int, limit: int, total: int
) -> list[uuid.UUID]:
    """The ids of the live images at ``offset`` .. ``offset + limit - 1`` of the list (newest
    first) whose length is ``total``, in list order."""
    if offset >= total:
        return []
    count = min(limit, total - offset)
    # The same page, counted from the oldest end: its oldest image's offset from there.
    from_oldest = total - offset - count
    if offset <= from_oldest:
        return _walk(session, environment_id, offset, count, newest_first=True)
    return _walk(session, environment_id, from_oldest, count, newest_first=False)[::-1]


def _walk(
    session: Session, environment_id: uuid.UUID, skip: int, count: int, *, newest_first: bool
) -> list[uuid.UUID]:
    """``count`` ids after skipping ``skip`` live images from one end of the list."""
    query = select(Image.id).where(
        Image.environment_id == environment_id, Image.deleted_at.is_(None)
    )
    if skip >= LIST_BLOCK_SIZE:
        block, before = _block_holding(session, environment_id, skip, newest_first=newest_first)
        skip -= before
        if newest_first:
            query = query.where(Image.list_seq < (block + 1) * LIST_BLOCK_SIZE)
        else:
            query = query.where(Image.list_seq >= block * LIST_BLOCK_SIZE)
    order = Image.list_seq.desc() if newest_first else Image.list_seq.asc()
    return list(session.scalars(query.order_by(order).offset(skip).limit(count)))


def _block_holding(
    session: Session, environment_id: uuid.UUID, skip: int, *, newest_first: bool
) -> tuple[int, int]:
    """The block holding the live image ``skip`` places from one end of the list, and how many
    live images the blocks before it (from that end) hold."""
    order = ImageListBlock.block.desc() if newest_first else ImageListBlock.block.asc()
    rows = session.execute(
        select(ImageListBlock.block, ImageListBlock.live_count)
        .where(ImageListBlock.environment_id == environment_id)
        .order_by(order)
    )
    before = 0
    for block, n in rows:
        if before + n > skip:
            return int(block), before
        before += n
    # The blocks and the count change in the same transactions: this is never reached.
    raise LookupError(f"the list of {environment_id} holds no image {skip} places from its end")


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
