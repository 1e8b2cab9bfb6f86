"""Image lists: the count stays exact through every write, and every page equals what a plain
ORDER BY / OFFSET over the live images reads, at both ends and in the middle, on the backend
under test (SQLite, or PostgreSQL with IMGWIRED_TEST_DATABASE_URL)."""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from imgwired.accounts.auth import Caller, CallerKind
from imgwired.accounts.organization import Initialized
from imgwired.db.base import utcnow
from imgwired.db.engine import Database
from imgwired.db.models import Image
from imgwired.errors import ImageNotFoundError
from imgwired.images import repository as repo
from imgwired.images.service import ImageService, NewUpload
from imgwired.pagination import PageRequest
from tests.conftest import Tenant
from tests.db.lists import BLOCK, assert_lists_agree, live_ids, plain_page, records

IMAGES = "/api/v1/images/"


def _images(app: FastAPI) -> ImageService:
    images: ImageService = app.state.services.images
    return images


def _database(app: FastAPI) -> Database:
    database: Database = app.state.services.database
    return database


def _listed(app: FastAPI, environment_id: uuid.UUID, offset: int, limit: int) -> list[uuid.UUID]:
    """The page at ``offset`` as the service lists it (offset a multiple of limit)."""
    page = _images(app).list(environment_id, PageRequest(page=offset // limit + 1, limit=limit))
    return [image.id for image in page.items]


def _total(client: TestClient, tenant: Tenant) -> int:
    response = client.get(IMAGES, params={"limit": 1}, headers=tenant.server)
    assert response.status_code == 200, response.text
    return int(response.headers["X-Total-Count"])


def test_pages_equal_a_plain_query_at_both_ends_and_in_the_middle(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    images, database = _images(app), _database(app)
    env = tenant.environment_id
    imported: list[uuid.UUID] = []
    for size in (1, 700, 1500, 2299):  # batches that start and end inside blocks
        imported += images.import_records(env, records(size))
    created = [
        client.post(f"{IMAGES}standard_upload", json={"file_name": "a.jpg"}, headers=tenant.server)
        for _ in range(5)
    ]
    imported += [uuid.UUID(response.json()["image"]["id"]) for response in created]
    images.import_records(other_tenant.environment_id, records(300, "other"))
    # Created one after the other: the list is newest first, in creation (and id) order.
    assert _listed(app, env, 0, 100) == imported[::-1][:100]
    assert imported == sorted(imported)

    rng = random.Random(20261215)
    doomed = rng.sample(imported, len(imported) * 3 // 10)
    singles, bulk = doomed[:10], doomed[10:]
    for start in range(0, len(bulk), 250):
        chunk = bulk[start : start + 250]
        assert images.bulk_delete(env, chunk) == len(chunk)
    for image_id in singles:
        images.delete(env, image_id)
    # A whole block emptied, in the middle: its row goes, the pages around it stay exact.
    with database.snapshot() as session:
        third_block = session.scalars(
            select(Image.id).where(
                Image.environment_id == env,
                Image.deleted_at.is_(None),
                Image.list_seq.between(2 * BLOCK, 3 * BLOCK - 1),
            )
        ).all()
    assert images.bulk_delete(env, third_block) == len(third_block) > 0

    totals = assert_lists_agree(database)
    total = totals[env]
    assert _total(client, tenant) == total
    with database.snapshot() as session:
        expected = live_ids(session, env)
    assert len(expected) == total
    for limit in (100, 7, 1):
        offsets = list(range(0, total + limit, limit)) if limit == 100 else []
        offsets += [o - o % limit for o in rng.sample(range(total + limit), 150)]
        edges = (0, BLOCK - 1, BLOCK, total // 2, total - BLOCK, total - 1, total)
        offsets += [max(0, e - e % limit) for e in edges]
        for offset in sorted(set(offsets)):
            assert _listed(app, env, offset, limit) == expected[offset : offset + limit], (
                offset,
                limit,
            )
    with database.snapshot() as session:
        assert _listed(app, env, 3000, 100) == plain_page(session, env, 3000, 100)
    last = client.get(
        IMAGES, params={"page": (total - 1) // 100 + 1, "limit": 100}, headers=tenant.server
    )
    assert [uuid.UUID(i["id"]) for i in last.json()] == expected[(total - 1) // 100 * 100 :]
    assert last.headers["X-Total-Count"] == str(total)
    assert last.headers["X-Next-Page"] == "null"
    past = client.get(IMAGES, params={"page": 10_000, "limit": 100}, headers=tenant.server)
    assert past.json() == [] and past.headers["X-Total-Count"] == str(total)


def test_the_count_follows_every_write(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    database = _database(app)
    server, other = tenant.server, other_tenant.server

    def create(headers: dict[str, str], **body: str) -> str:
        response = client.post(
            f"{IMAGES}standard_upload", json={"file_name": "a.jpg", **body}, headers=headers
        )
        assert response.status_code == 200, response.text
        image_id: str = response.json()["image"]["id"]
        return image_id

    ids = [create(server) for _ in range(6)]
    theirs = [create(other) for _ in range(4)]
    assert _total(client, tenant) == 6 and _total(client, other_tenant) == 4
    # The same idempotency key twice: one image, counted once.
    assert create(server, idempotency_key="k") == create(server, idempotency_key="k")
    assert _total(client, tenant) == 7
    assert_lists_agree(database)

    assert client.delete(f"{IMAGES}{ids[0]}", headers=server).status_code == 200
    assert client.delete(f"{IMAGES}{ids[0]}", headers=server).status_code == 404
    assert _total(client, tenant) == 6
    refused = client.post(
        f"{IMAGES}bulk_delete", json={"image_ids": [ids[1], ids[0]]}, headers=server
    )
    assert refused.status_code == 404 and _total(client, tenant) == 6
    done = client.post(f"{IMAGES}bulk_delete", json={"image_ids": ids[1:3]}, headers=server)
    assert done.status_code == 200 and _total(client, tenant) == 4
    assert_lists_agree(database)

    # Abandoned uploads (their URL expired, nothing under way) are swept off the list.
    with database.transaction() as session:
        session.execute(
            update(Image)
            .where(Image.id.in_([uuid.UUID(ids[3]), uuid.UUID(theirs[0])]))
            .values(upload_expires_at=utcnow() - timedelta(minutes=5))
        )
    assert _images(app).sweep_abandoned_uploads() == 2
    assert _total(client, tenant) == 3 and _total(client, other_tenant) == 3
    assert_lists_agree(database)

    # A deleted environment's purge takes every image of it off its list.
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    gone = client.delete(f"/api/v1/environments/{other_tenant.environment_id}", headers=admin)
    assert gone.status_code == 200
    app.state.services.jobs.run_pending()
    counts = assert_lists_agree(database)
    assert other_tenant.environment_id not in counts
    assert counts[tenant.environment_id] == 3

    # New images after deletes take new places at the head of the list.
    newest = create(server)
    listed = client.get(IMAGES, headers=server).json()
    assert listed[0]["id"] == newest and len(listed) == 4
    assert_lists_agree(database)


def test_concurrent_writers_keep_the_count_and_the_pages_exact(
    app: FastAPI, installed: Initialized
) -> None:
    images, database = _images(app), _database(app)
    env = installed.environment.id
    caller = Caller(CallerKind.SERVER, installed.organization.id, env)
    images.import_records(env, records(2 * BLOCK + 300))
    with database.snapshot() as session:
        pool = live_ids(session, env)
    failures: list[BaseException] = []
    writing = threading.Event()
    together = threading.Barrier(4, timeout=120)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for round_ in range(25):
                if round_ % 3 == 0:
                    images.import_records(env, records(rng.randint(1, 40)))
                else:
                    images.create_standard_upload(caller, NewUpload(file_name="a.jpg"), None)
                # Every writer deletes the same images at the same moment: one of them wins.
                together.wait()
                with contextlib.suppress(ImageNotFoundError):
                    images.delete(env, pool[round_])
                with contextlib.suppress(ImageNotFoundError):
                    images.bulk_delete(env, pool[100 + 2 * round_ : 102 + 2 * round_])
        except BaseException as error:  # collected and asserted below
            failures.append(error)
            together.abort()

    def reader() -> None:
        rng = random.Random(7)
        try:
            while writing.is_set():
                with database.snapshot() as session:
                    total = len(live_ids(session, env))
                    for offset in (0, rng.randrange(total), total - 7, total // 2):
                        request = PageRequest(page=offset // 7 + 1, limit=7)
                        page = repo.list_images(session, env, request)
                        assert page.total == total
                        assert [i.id for i in page.items] == plain_page(
                            session, env, request.offset, 7
                        )
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    writing.set()
    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    writing.clear()
    watcher.join(timeout=300)
    assert failures == []
    counts = assert_lists_agree(database)
    with database.snapshot() as session:
        expected = live_ids(session, env)
    assert counts[env] == len(expected)
    for offset in range(0, len(expected), 100):
        assert _listed(app, env, offset, 100) == expected[offset : offset + 100]


def test_every_query_of_a_list_reads_an_index_of_images(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant
) -> None:
    images, database = _images(app), _database(app)
    env = tenant.environment_id
    # Large enough that reading the whole table costs PostgreSQL's planner more than an index.
    ids = images.import_records(env, records(30_000))
    images.import_records(other_tenant.environment_id, records(1000))
    images.bulk_delete(env, ids[::5])
    statements: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        statements.append((statement, parameters))

    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            # Fresh statistics, as autovacuum keeps them: the planner knows the table's size.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        for page in (1, 120, 240):  # the newest end, the middle, the oldest end
            images.list(env, PageRequest(page=page, limit=100))
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    reads = [(sql, params) for sql, params in statements if "FROM images" in sql]
    assert len(reads) == 6  # per page: the ids, then the rows
    plans = []
    with database.engine.connect() as connection:
        explain = "EXPLAIN " if database.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
        for sql, params in reads:
            rows = connection.exec_driver_sql(explain + sql, params).all()  # type: ignore[arg-type]
            plans.append("\n".join(str(row[-1]) for row in rows))
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        assert not any(
            line.strip().startswith("SCAN images") and "INDEX" not in line
            for line in plan.splitlines()
        ), plan
    assert sum("ix_images_live_list" in plan for plan in plans) == 3, plans


def test_the_sweep_of_abandoned_uploads_reads_only_pending_images(
    app: FastAPI, tenant: Tenant
) -> None:
    """Run every minute wherever jobs run: at a million images it must not read them all."""
    from datetime import UTC, datetime, timedelta

    from imgwired.images import repository as images_repo

    images, database = _images(app), _database(app)
    images.import_records(tenant.environment_id, records(30_000))
    statements: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        statements.append((statement, parameters))

    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    now = datetime.now(UTC)
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.transaction() as session:
            images_repo.lock_abandoned_uploads(session, now, now - timedelta(hours=1), 100)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    [(sql, params)] = [(sql, p) for sql, p in statements if "FROM images" in sql]
    explain = "EXPLAIN " if database.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            explain + sql.replace(" FOR UPDATE SKIP LOCKED", ""), params
        ).all()  # type: ignore[arg-type]
    plan = "\n".join(str(row[-1]) for row in rows)
    assert "ix_images_pending_uploads" in plan, plan
