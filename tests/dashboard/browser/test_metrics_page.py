"""The Metrics page in Chromium: after real uploads and deliveries, every chart is drawn as
inline SVG whose marks carry the API's numbers, in the browser's time zone, with a title and
a data table; switching the interval redraws."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import pyvips
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DEADLINE_SECONDS
from tests.dashboard.browser.conftest import DashboardPage, DashboardServer, PageLog

# Not UTC and not a whole-hour offset: a bucket read in the wrong zone shows.
ZONE = "Asia/Kolkata"
UPLOADS = 2


def _png() -> bytes:
    data: bytes = (pyvips.Image.black(40, 30, bands=3) + 90).cast("uchar").pngsave_buffer()
    return data


def _upload_and_deliver(server: DashboardServer, count: int) -> None:
    """``count`` real uploads (create, PUT, processed by the server's jobs), each delivered."""
    headers = {"Authorization": f"Bearer {server.server_key}"}
    ids = []
    for index in range(count):
        created = server.http.post(
            "/api/v1/images/standard_upload", json={"file_name": f"{index}.png"}, headers=headers
        )
        assert created.status_code == 200, created.text
        put = server.http.put(created.json()["upload_url"], content=_png())
        assert put.status_code == 200, put.text
        ids.append(created.json()["image"]["id"])
    deadline = time.monotonic() + DEADLINE_SECONDS * 3
    for image_id in ids:
        while True:
            image = server.http.get(f"/api/v1/images/{image_id}", headers=headers).json()
            if image["status"] == "READY":
                break
            assert image["status"] == "PENDING", image
            assert time.monotonic() < deadline, image
            time.sleep(0.05)
        assert server.http.get(image["cdn_url"] + "?width=20").status_code == 200


@pytest.fixture
def in_kolkata(browser: Browser, dashboard_server: DashboardServer) -> Iterator[DashboardPage]:
    """A signed-in dashboard in a browser whose time zone is ``ZONE``."""
    context = browser.new_context(timezone_id=ZONE)
    context.set_default_timeout(DEADLINE_SECONDS * 1000)
    page = context.new_page()
    log = PageLog()
    page.on("request", log.on_request)
    page.on("console", log.on_console)
    try:
        dashboard = DashboardPage(dashboard_server, page, log)
        dashboard.sign_in(dashboard_server.admin_token)
        yield dashboard
    finally:
        context.close()


def test_the_charts_draw_real_uploads_in_the_viewers_zone(in_kolkata: DashboardPage) -> None:
    _upload_and_deliver(in_kolkata.server, UPLOADS)
    page = in_kolkata.page
    page.get_by_role("link", name="Metrics", exact=True).click()
    page.wait_for_url("**/dashboard/metrics?env=*")
    expect(page.locator("#metrics-status")).to_have_text("Daily charts drawn.")
    # Chromium names the zone as ICU does (Kolkata is "Asia/Calcutta" there); the same name goes
    # to the API, which knows both.
    browser_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert browser_zone in (ZONE, "Asia/Calcutta")
    expect(page.locator("#metrics-zone")).to_have_text(browser_zone)

    # The API was asked in the browser's zone, and answered buckets at its midnights.
    asked = [url for url in in_kolkata.log.requests if "/api/v1/metrics/datasets" in url]
    assert parse_qs(urlsplit(asked[-1]).query)["tz"] == [browser_zone]
    stamps = page.eval_on_selector_all(
        "svg[data-series=uploads] rect[data-timestamp]",
        "marks => marks.map(m => m.dataset.timestamp)",
    )
    assert stamps and all(stamp.endswith("T00:00:00+05:30") for stamp in stamps), stamps[:3]

    for series in ("uploads", "transformations", "requests", "transfer_bytes", "storage_bytes"):
        chart = page.locator(f"svg[data-series={series}]")
        expect(chart).to_have_attribute("role", "img")
        values = page.eval_on_selector_all(
            f"svg[data-series={series}] [data-value]",
            "marks => marks.map(m => Number(m.dataset.value))",
        )
        assert len(values) >= 30 and max(values) > 0, (series, values)
    uploads = page.eval_on_selector_all(
        "svg[data-series=uploads] [data-value]", "marks => marks.map(m => Number(m.dataset.value))"
    )
    assert sum(uploads) == UPLOADS
    cache = page.eval_on_selector_all(
        "svg[data-series=cache_hit_ratio] [data-value]",
        "marks => marks.map(m => Number(m.dataset.value))",
    )
    assert sum(cache) >= UPLOADS  # each delivery was a hit or a render

    # The accessible alternative: a title on each drawing and a table of every point.
    expect(page.locator("#chart-uploads svg title").first).to_have_text("Uploads, daily")
    page.get_by_text("Uploads: data table").click()
    table = page.locator("#chart-uploads table")
    expect(table.locator("tbody tr")).to_have_count(len(uploads))
    in_kolkata.check_accessibility()
    in_kolkata.screenshots("dashboard-metrics")

    page.get_by_label("Interval").select_option("HOURLY")
    expect(page.locator("#metrics-status")).to_have_text("Hourly charts drawn.")
    hourly = page.eval_on_selector_all(
        "svg[data-series=uploads] [data-value]", "marks => marks.map(m => Number(m.dataset.value))"
    )
    assert sum(hourly) == UPLOADS and 24 <= len(hourly) <= 26
    assert "interval=HOURLY" in page.url
    in_kolkata.check_accessibility()
    in_kolkata.log.assert_stayed_on(in_kolkata.server.url)
    in_kolkata.log.assert_no_console_errors()
