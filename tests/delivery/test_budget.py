"""Renders are budgeted: refused before decoding when over a limit, stopped when over time."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import pyvips  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from imgwired.accounts.organization import Initialized
from imgwired.config import Settings
from imgwired.db.models import DerivedImage, Image
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.images.helpers import noisy_jpeg, path_of, upload
from tests.imaging.samples import animation, encoded

REPORTED = "w=8192&h=8192&enlarge=1&resizing_type=fill&format=avif"
"""The render that took 86 s and 1.75 GB before renders were budgeted."""


def derived_count(app: FastAPI) -> int:
    with app.state.services.database.reading() as session:
        count: int = session.scalar(select(func.count()).select_from(DerivedImage))
    return count


def assert_budget_error(response: Any, *fragments: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "RenderBudgetExceededError"
    assert body["request_id"] == response.headers["X-Request-Id"]
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]


@pytest.fixture
def photo(app: FastAPI, client: TestClient, tenant: Tenant) -> str:
    return path_of(upload(app, client, tenant.server, noisy_jpeg(1200, 900))["cdn_url"])


def test_the_reported_render_is_refused_before_anything_is_decoded(
    app: FastAPI, client: TestClient, photo: str
) -> None:
    started = time.perf_counter()
    response = client.get(f"{photo}?{REPORTED}")
    elapsed = time.perf_counter() - started
    assert_budget_error(response, "8192x8192", "67,108,864", "IMGWIRED_MAX_OUTPUT_PIXELS")
    assert elapsed < 1, f"refusing took {elapsed:.2f} s: something was decoded"
    assert derived_count(app) == 0
    # Within the limits the same image renders as usual.
    assert client.get(f"{photo}?w=300&format=avif").status_code == 200


@contextmanager
def app_with(settings: Settings) -> Iterator[tuple[FastAPI, TestClient, Tenant]]:
    """An app on other settings (same database), its install, and a client on it."""
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        done: Initialized = app.state.services.organization.initialize(
            environment_name="production"
        )
        keys = (done.server_key.secret, done.client_key.secret, done.admin_token)
        yield app, client, Tenant(done.environment.id, *keys)


def test_a_render_over_the_cost_budget_is_refused_naming_the_limit(settings: Settings) -> None:
    with app_with(settings.model_copy(update={"max_render_cost": 60})) as (app, client, tenant):
        image = path_of(upload(app, client, tenant.server, noisy_jpeg(1200, 900))["cdn_url"])
        # A small JPEG is well within 60 units; a full-size WebP of the same image is not.
        assert client.get(f"{image}?w=100&format=jpeg").status_code == 200
        response = client.get(f"{image}?format=webp")
    assert_budget_error(response, "IMGWIRED_MAX_RENDER_COST", "60", "1200x900 webp")


def test_every_frame_of_an_animation_counts(settings: Settings) -> None:
    limited = settings.model_copy(update={"max_output_pixels": 100 * 100 * 3})
    with app_with(limited) as (app, client, tenant):
        gif = encoded(animation(4, 100), ".gif")
        image = path_of(upload(app, client, tenant.server, gif, file_name="a.gif")["cdn_url"])
        # One frame out: 10,000 pixels. All four frames: 40,000, over the limit of 30,000.
        assert client.get(f"{image}?w=100&format=png").status_code == 200
        response = client.get(f"{image}?w=100&format=gif")
        assert_budget_error(response, "4 frames", "40,000", "IMGWIRED_MAX_OUTPUT_PIXELS")


def test_a_render_over_its_time_budget_is_stopped_and_its_thread_freed(
    settings: Settings,
) -> None:
    slow = settings.model_copy(
        update={
            "transform_threads": 1,
            "render_timeout_seconds": 0.5,
            "max_output_pixels": 8192 * 8192,
            "max_render_cost": 10**9,
        }
    )
    with app_with(slow) as (app, client, tenant):
        image = path_of(upload(app, client, tenant.server, noisy_jpeg(1200, 900))["cdn_url"])
        started = time.perf_counter()
        response = client.get(
            f"{image}?w=8192&h=8192&enlarge=1&resizing_type=fill&blur=100&format=png"
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 503, response.text
        assert response.json()["error_type"] == "RenderTimeoutError"
        assert "IMGWIRED_RENDER_TIMEOUT_SECONDS" in response.json()["detail"]
        assert elapsed < 5, f"the render ran {elapsed:.1f} s past a 0.5 s budget"
        # The only render thread is free again.
        started = time.perf_counter()
        assert client.get(f"{image}?w=50&format=jpeg").status_code == 200
        assert time.perf_counter() - started < 5
        assert derived_count(app) == 1


def test_processing_records_what_the_budget_needs_before_reading(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    turned = pyvips.Image.black(120, 90, bands=3).copy(interpretation="srgb")
    turned.set_type(pyvips.GValue.gint_type, "orientation", 6)
    uploads = {
        "turned": upload(app, client, tenant.server, turned.jpegsave_buffer()),
        "animated": upload(app, client, tenant.server, encoded(animation(4, 50), ".gif")),
    }
    with app.state.services.database.reading() as session:
        rows = {name: session.get(Image, uuid.UUID(image["id"])) for name, image in uploads.items()}
        assert (rows["turned"].pages, rows["turned"].orientation) == (1, 6)
        assert (rows["animated"].pages, rows["animated"].orientation) == (4, 1)


def test_an_image_processed_before_frames_were_recorded_is_budgeted_from_its_header(
    settings: Settings,
) -> None:
    limited = settings.model_copy(update={"max_output_pixels": 100 * 100 * 3})
    with app_with(limited) as (app, client, tenant):
        gif = encoded(animation(4, 100), ".gif")
        image = upload(app, client, tenant.server, gif, file_name="a.gif")
        with app.state.services.database.transaction() as session:
            row = session.get(Image, uuid.UUID(image["id"]))
            row.pages = row.orientation = None
        response = client.get(f"{path_of(image['cdn_url'])}?w=100&format=gif")
    assert_budget_error(response, "4 frames", "40,000", "IMGWIRED_MAX_OUTPUT_PIXELS")
