"""The Metrics page over HTTP: the frame its script draws in, with the interval asked for."""

from __future__ import annotations

import re

from tests.dashboard.conftest import Dashboard


def selected_interval(text: str) -> str:
    match = re.search(r'<option value="(\w+)" selected>', text)
    assert match, text
    return match.group(1)


def test_the_page_offers_every_interval(server_dashboard: Dashboard) -> None:
    page = server_dashboard.client.get("/dashboard/metrics")
    assert page.status_code == 200
    for interval in ("HOURLY", "DAILY", "WEEKLY", "MONTHLY"):
        assert f'<option value="{interval}"' in page.text
    assert selected_interval(page.text) == "DAILY"
    assert 'src="/dashboard/static/metrics.js"' in page.text
    assert 'id="charts"' in page.text


def test_the_interval_asked_for_is_selected(server_dashboard: Dashboard) -> None:
    client = server_dashboard.client
    assert selected_interval(client.get("/dashboard/metrics?interval=WEEKLY").text) == "WEEKLY"
    # An unknown interval is no error: the page opens on the default.
    assert selected_interval(client.get("/dashboard/metrics?interval=<x>").text) == "DAILY"
