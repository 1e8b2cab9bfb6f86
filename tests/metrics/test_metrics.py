"""Metrics from real uploads and deliveries, through HTTP, in UTC and across a DST change."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from imgwired.db.models import Job, JobStatus, UsageHour
from imgwired.jobs import queue
from imgwired.metrics.usage import hour_of
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, png, put, upload

DATASETS = "/api/v1/metrics/datasets"
STATS = "/api/v1/metrics/stats"


def cdn(client: TestClient, image: dict[str, Any], suffix: str = "") -> int:
    response = client.get(path_of(image["cdn_url"]) + suffix)
    assert response.status_code == 200, response.text
    return len(response.content)


def total(points: list[dict[str, Any]], field: str) -> int:
    return sum(point[field] for point in points)


def test_datasets_and_stats_count_real_traffic_in_utc(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    kept = upload(app, client, tenant.server, jpeg(300, 200))
    gone = upload(app, client, tenant.server, jpeg(120, 80))
    upload(app, client, other_tenant.server, jpeg(50, 50))  # another environment's: not counted
    sent = cdn(client, kept) + cdn(client, kept)  # two hits on the original
    sent += cdn(client, kept, "?w=40") + cdn(client, kept, "?w=40")  # a miss, then a hit
    assert client.head(path_of(kept["cdn_url"])).status_code == 200  # a hit, no body
    assert client.delete(f"/api/v1/images/{gone['id']}", headers=tenant.server).status_code == 200

    datasets = client.get(DATASETS, headers=tenant.server)
    assert datasets.status_code == 200, datasets.text
    body = datasets.json()
    assert len(body["requests"]) in (24, 25)  # the last 24 hours, the first bucket floored
    assert total(body["uploads"], "uploads") == 2
    assert total(body["requests"], "requests") == 5
    assert total(body["transformations"], "transformations") == 1
    assert total(body["transfer_bytes"], "transfer_bytes") == sent
    assert body["cache_hit_ratio"] == [
        {"label": "hits", "value": 4},
        {"label": "misses", "value": 1},
    ]
    storage = body["storage_bytes"]
    assert total(storage, "storage_bytes_added") == kept["size_bytes"] + gone["size_bytes"]
    assert storage[-1]["storage_bytes_current"] == kept["size_bytes"]
    assert storage[0]["storage_bytes_current"] == 0
    now_hour = hour_of(datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    assert body["requests"][-1]["timestamp"] in (now_hour, now_hour.replace("Z", "+00:00"))

    stats = client.get(STATS, headers=tenant.server).json()
    assert stats["uploads"] == {"value": 2, "prev": 0, "pct_change": None}
    assert stats["requests"]["value"] == 5
    assert stats["transfer_bytes"]["value"] == sent
    assert stats["cache_hit_ratio"]["value"] == 80.0
    assert stats["storage_bytes"] == {"value": kept["size_bytes"], "prev": 0, "pct_change": None}

    daily = client.get(DATASETS, params={"interval": "DAILY"}, headers=tenant.server).json()
    assert total(daily["requests"], "requests") == 5
    assert len(daily["requests"]) in (30, 31)


def move_usage(app: FastAPI, environment_id: Any, to: datetime) -> None:
    """Date the traffic counted so far this hour as if it happened at ``to`` (an hour, UTC)."""
    services = app.state.services
    services.metrics.flush()
    with services.database.transaction() as session:
        moved = session.execute(
            update(UsageHour)
            .where(
                UsageHour.environment_id == environment_id,
                UsageHour.hour == hour_of(datetime.now(UTC)),
            )
            .values(hour=to)
        )
        assert moved.rowcount == 1  # type: ignore[attr-defined]


def test_datasets_and_stats_across_a_dst_change(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    # Europe/Paris leaves summer time at 03:00 on 25 October 2026: that day has 25 hours.
    image = upload(app, client, tenant.server, jpeg(64, 48))
    cdn(client, image)
    cdn(client, image, "?w=10")
    move_usage(app, tenant.environment_id, datetime(2026, 10, 24, 21, tzinfo=UTC))  # 24th 23:00
    for width in (11, 12, 13):
        cdn(client, image, f"?w={width}")
    move_usage(app, tenant.environment_id, datetime(2026, 10, 25, 22, tzinfo=UTC))  # 25th 23:00
    cdn(client, image)
    move_usage(app, tenant.environment_id, datetime(2026, 10, 25, 23, tzinfo=UTC))  # 26th 00:00

    asked = {"interval": "DAILY", "date_start": "2026-10-24T00:00:00", "date_end": "2026-10-27"}
    paris = client.get(DATASETS, params={**asked, "tz": "Europe/Paris"}, headers=tenant.server)
    assert paris.status_code == 200, paris.text
    assert [(p["timestamp"], p["requests"]) for p in paris.json()["requests"]] == [
        ("2026-10-24T00:00:00+02:00", 2),
        ("2026-10-25T00:00:00+02:00", 3),
        ("2026-10-26T00:00:00+01:00", 1),
    ]
    assert [p["uploads"] for p in paris.json()["uploads"]] == [1, 0, 0]
    utc = client.get(DATASETS, params={**asked, "tz": "UTC"}, headers=tenant.server).json()
    assert [p["requests"] for p in utc["requests"]] == [2, 4, 0]

    hourly = client.get(
        DATASETS,
        params={
            "interval": "HOURLY",
            "tz": "Europe/Paris",
            "date_start": "2026-10-25T00:00:00",
            "date_end": "2026-10-26T00:00:00",
        },
        headers=tenant.server,
    ).json()["requests"]
    assert len(hourly) == 25
    assert hourly[-1] == {"timestamp": "2026-10-25T23:00:00+01:00", "requests": 3}

    # The 25-hour day against the 25 hours before it (which hold the first two requests).
    day = {"tz": "Europe/Paris", "date_start": "2026-10-25T00:00:00", "date_end": "2026-10-26"}
    stats = client.get(STATS, params=day, headers=tenant.server).json()
    assert stats["requests"] == {"value": 3, "prev": 2, "pct_change": 50.0}
    assert stats["transformations"] == {"value": 3, "prev": 1, "pct_change": 200.0}
    assert stats["uploads"] == {"value": 0, "prev": 1, "pct_change": -100.0}


def test_several_processes_add_up(
    settings: Any, app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    image = upload(app, client, tenant.server, jpeg(64, 48))
    second = create_app(settings)
    with TestClient(second, raise_server_exceptions=False) as other:
        for _ in range(3):
            cdn(client, image)
            cdn(other, image)
        # Both flush into the same hour row; neither overwrites the other.
        second.state.services.metrics.flush()
        app.state.services.metrics.flush()
    body = client.get(DATASETS, headers=tenant.server).json()
    assert total(body["requests"], "requests") == 6


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"interval": "YEARLY"}, "interval"),
        ({"date_start": "2026-01-02T00:00:00Z", "date_end": "2026-01-01T00:00:00Z"}, "date_start"),
        ({"date_start": "2000-01-01T00:00:00Z", "date_end": "2026-01-01T00:00:00Z"}, "date_start"),
        ({"date_start": "yesterday"}, "date_start"),
    ],
)
def test_bad_questions_are_422(
    client: TestClient, tenant: Tenant, params: dict[str, str], where: str
) -> None:
    for path in (DATASETS, STATS):
        response = client.get(path, params=params, headers=tenant.server)
        if path == STATS and where == "date_start" and "2000" in params.get("date_start", ""):
            assert response.status_code == 200  # stats have no buckets to count
            continue
        assert response.status_code == 422, (path, response.text)
        assert where in str(response.json()["detail"])


def test_metrics_need_a_server_key(client: TestClient, tenant: Tenant) -> None:
    for path in (DATASETS, STATS):
        assert client.get(path, headers=tenant.client).status_code in (401, 403)
        assert client.get(path).status_code == 401


def test_prometheus_for_operators(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    image = upload(app, client, tenant.server, jpeg(64, 48))
    cdn(client, image)
    cdn(client, image, "?w=8")
    assert client.get("/metrics", headers=tenant.server).status_code in (401, 403)
    response = client.get("/metrics", headers={"Authorization": f"Bearer {tenant.admin_token}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.text
    env = f'environment_id="{tenant.environment_id}",environment="production"'
    assert f"imgwired_requests_total{{{env}}} 2" in text
    assert f"imgwired_transformations_total{{{env}}} 1" in text
    assert f"imgwired_uploads_total{{{env}}} 1" in text
    assert f"imgwired_storage_bytes{{{env}}} {image['size_bytes']}" in text
    assert f'imgwired_images{{{env},status="READY"}} 1' in text
    assert "# TYPE imgwired_requests_total counter" in text


def test_prometheus_shows_the_job_queue_and_this_process_render_lanes(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    idle = client.get("/metrics", headers=admin).text
    assert "imgwired_jobs_oldest_queued_seconds 0.000" in idle
    assert "imgwired_jobs_queued{" not in idle

    for _ in range(3):  # three uploads, each leaving a processing job
        created = create(client, tenant.server)
        assert put(client, created["upload_url"], png(20, 20)).status_code == 200
    database = app.state.services.database
    held = queue.claim(database)  # a worker takes one
    assert held is not None
    with database.transaction() as session:  # the other two have been due for a minute
        session.execute(
            update(Job)
            .where(Job.status == JobStatus.QUEUED)
            .values(run_after=datetime.now(UTC) - timedelta(seconds=60))
        )

    text = client.get("/metrics", headers=admin).text
    assert 'imgwired_jobs_queued{kind="process_image"} 2' in text
    assert 'imgwired_jobs_running{kind="process_image"} 1' in text
    assert "# TYPE imgwired_jobs_oldest_queued_seconds gauge" in text
    oldest = next(line for line in text.splitlines() if line.startswith("imgwired_jobs_oldest"))
    assert 60 <= float(oldest.split()[1]) < 3600, oldest
    pid = os.getpid()  # the in-process app answers from this process
    threads = app.state.services.settings.transform_threads
    for lane in ("cheap", "heavy"):
        assert f'imgwired_renders_waiting{{lane="{lane}",pid="{pid}"}} 0' in text
        assert f'imgwired_renders_running{{lane="{lane}",pid="{pid}"}} 0' in text
    assert f'imgwired_renders_threads{{lane="cheap",pid="{pid}"}} {threads}' in text
