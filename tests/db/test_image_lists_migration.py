"""Upgrading a database with images in it gives every image its place, in the order the list
showed before (by id), and counts every list."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import insert, select

from imgwired.db import migrate
from imgwired.db.base import utcnow, uuid7
from imgwired.db.engine import Database
from imgwired.db.models import Environment, Image, ImageList, Organization
from imgwired.images import repository as repo
from imgwired.pagination import PageRequest
from tests.db.lists import assert_lists_agree, live_ids


@pytest.fixture
def database(empty_database_url: str) -> Iterator[Database]:
    database = Database(empty_database_url)
    yield database
    database.dispose()


def _migrate_to(database: Database, revision: str) -> None:
    with database.engine.execution_options(imgwired_write=True).connect() as connection:
        command.upgrade(migrate.alembic_config(connection), revision)
        connection.commit()


def test_the_upgrade_from_0010_backfills_places_counts_and_blocks(database: Database) -> None:
    _migrate_to(database, "0012_rate_limits")
    organization, big, small, empty = uuid7(), uuid7(), uuid7(), uuid7()
    now = utcnow()
    # Ids made out of order of insertion: the places must follow the ids (the order the list
    # showed until now), not the order the rows happen to be stored in.
    big_ids = sorted((uuid7() for _ in range(2500)), key=lambda i: i.hex[::-1])
    small_ids = [uuid7() for _ in range(5)]
    deleted = set(big_ids[::3]) | {small_ids[0]}

    def image(image_id: uuid.UUID, environment_id: uuid.UUID) -> dict[str, object]:
        return {
            "id": image_id,
            "environment_id": environment_id,
            "status": "READY",
            "original_filename": "a.jpg",
            "mime_type": "image/jpeg",
            "extension": "jpg",
            "width": 1,
            "height": 1,
            "size_bytes": 1,
            "is_directly_deliverable": True,
            "upload_limit_bytes": 1,
            "custom_metadata": {},
            "exif_data": {},
            "upload_expires_at": now,
            "deleted_at": now if image_id in deleted else None,
            "created_at": now,
            "updated_at": now,
        }

    with database.transaction() as session:
        session.execute(
            insert(Organization.__table__).values(
                id=organization, name="o", admin_token_hash="x", created_at=now, updated_at=now
            )
        )
        session.execute(
            insert(Environment.__table__),
            [
                {
                    "id": env,
                    "organization_id": organization,
                    "name": name,
                    "default": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for env, name in ((big, "big"), (small, "small"), (empty, "empty"))
            ],
        )
        rows = [image(i, big) for i in big_ids] + [image(i, small) for i in small_ids]
        # Image.__table__ has list_seq, which 0010 has not; leaving it out of the rows leaves it
        # out of the statement.
        session.execute(insert(Image.__table__), rows)

    migrate.upgrade(database)

    counts = assert_lists_agree(database)
    assert counts == {big: 2500 - len(set(big_ids[::3])), small: 4}
    with database.snapshot() as session:
        places = {row.id: row.list_seq for row in session.execute(select(Image.id, Image.list_seq))}
        assert [places[i] for i in sorted(big_ids)] == list(range(1, 2501))
        assert [places[i] for i in small_ids] == [1, 2, 3, 4, 5]
        lists = {row.environment_id: row for row in session.scalars(select(ImageList))}
        assert lists[big].last_seq == 2500 and lists[small].last_seq == 5
        assert empty not in lists
        newest_first = sorted((i for i in big_ids if i not in deleted), reverse=True)
        assert live_ids(session, big) == newest_first
        middle = repo.list_images(session, big, PageRequest(page=9, limit=100))
        assert [i.id for i in middle.items] == newest_first[800:900]
        assert middle.total == len(newest_first)
        assert repo.list_images(session, empty, PageRequest()).total == 0

    # After the upgrade, new images take the next places.
    with database.transaction() as session:
        (new,) = repo.add_image_records(
            session,
            small,
            [
                {
                    "original_filename": "b.jpg",
                    "mime_type": "image/jpeg",
                    "extension": "jpg",
                    "upload_limit_bytes": 1,
                    "upload_expires_at": now + timedelta(hours=1),
                }
            ],
        )
    with database.snapshot() as session:
        assert live_ids(session, small)[0] == new
        assert session.get(Image, new).list_seq == 6  # type: ignore[union-attr]
    assert assert_lists_agree(database)[small] == 5
