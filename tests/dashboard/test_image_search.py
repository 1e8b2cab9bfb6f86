"""Searching images stays fast at any size: each search the Images page makes reads an index of
live images (``ix_images_live_name``, ``ix_images_live_status``) from where its page starts,
never the table. Checked on the database's own plan for the very statement the service sends,
so the test needs no million rows and no timing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from imgwired.db.models import ImageStatus
from imgwired.images.service import ImageQuery
from tests.conftest import Tenant
from tests.db.lists import records


@contextmanager
def statements(app: FastAPI) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs on images sent while the block runs."""
    engine = app.state.services.database.engine
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM images" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(app: FastAPI, statement: str, parameters: Any) -> str:
    engine = app.state.services.database.engine
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            # A few rows make a sequential scan cheapest; the question is whether the index
            # serves the query at all, as it will when the table is large.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        lines = " / ".join(str(row) for row in cursor.fetchall())
        conn.execute(text("SELECT 1"))
    return lines


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (ImageQuery(name_prefix="photo-1"), "ix_images_live_name"),
        (ImageQuery(name_prefix="photo-1", status=ImageStatus.READY), "ix_images_live_name"),
        (ImageQuery(status=ImageStatus.QUARANTINE), "ix_images_live_status"),
    ],
)
def test_every_search_page_reads_its_index_without_sorting(
    app: FastAPI, tenant: Tenant, query: ImageQuery, index: str
) -> None:
    images = app.state.services.images
    images.import_records(tenant.environment_id, records(300))
    first = images.search(tenant.environment_id, query, after=None, limit=5)
    after: uuid.UUID | None = first.items[-1].id if first.items else None
    with statements(app) as seen:
        images.search(tenant.environment_id, query, after=after, limit=5)
    page_queries = [(s, p) for s, p in seen if re.search(r"\bLIMIT\b", s)]
    assert page_queries, seen
    for statement, parameters in page_queries:
        lines = plan(app, statement, parameters)
        assert index in lines, lines
        # The index gives the order: no sort step over the matches (SQLite says "TEMP B-TREE",
        # PostgreSQL "Sort").
        assert "TEMP B-TREE" not in lines and "Sort " not in lines, lines


def test_a_name_search_page_follows_on_after_the_last_name(app: FastAPI, tenant: Tenant) -> None:
    images = app.state.services.images
    rows = records(7, "same")
    for row in rows:
        row["original_filename"] = "same.jpg"  # equal names: the id breaks the tie
    images.import_records(tenant.environment_id, rows)
    seen: list[uuid.UUID] = []
    after = None
    while True:
        found = images.search(
            tenant.environment_id, ImageQuery(name_prefix="same"), after=after, limit=3
        )
        seen += [image.id for image in found.items]
        if found.next_after is None:
            break
        after = found.next_after
    assert len(seen) == 7 and len(set(seen)) == 7
