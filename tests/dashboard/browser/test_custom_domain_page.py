"""The Custom domain page in Chromium: add a hostname through the form (a refused one gets the
API's message by the field), test the connection before and after its CNAME exists, delete."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, expect

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.browser.conftest import DEADLINE_SECONDS, serving
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import TARGET, resolving_through
from tests.dashboard.browser.conftest import DashboardPage, DashboardServer

HOSTNAME = "images.example.com"


@pytest.fixture
def dns_server() -> Iterator[FakeDns]:
    with FakeDns() as server:
        yield server


@pytest.fixture
def dashboard_server(
    database_url: str, tmp_path: Path, dns_server: FakeDns
) -> Iterator[DashboardServer]:
    """The dashboard's server, resolving custom domains through ``dns_server``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = Settings(
            database_url=database_url,
            data_dir=tmp_path / "data",
            migrate_on_start=False,
            public_url=url,
        )
        app = create_app(resolving_through(settings, dns_server))
        installed = app.state.services.organization.initialize(environment_name="production")
        with serving(app, sock), httpx.Client(base_url=url, timeout=DEADLINE_SECONDS) as http:
            yield DashboardServer(
                url,
                installed.environment.id,
                installed.admin_token,
                installed.server_key.secret,
                http,
            )


def test_add_test_and_delete_a_domain(signed_in: DashboardPage, dns_server: FakeDns) -> None:
    page = signed_in.page
    page.get_by_role("link", name="Custom domain", exact=True).click()
    page.wait_for_url("**/dashboard/custom-domain?env=*")

    page.get_by_label("Hostname").fill("com")
    page.get_by_role("button", name="Add domain").click()
    expect(page.locator("#domain-hostname-error")).not_to_be_empty()

    page.get_by_label("Hostname").fill(HOSTNAME)
    page.get_by_role("button", name="Add domain").click()
    expect(page.locator("#flash")).to_contain_text(f"Added {HOSTNAME}")
    records = page.locator("#dns-records")
    expect(records).to_contain_text(TARGET)
    expect(records).to_contain_text(f"_acme-challenge.{HOSTNAME}")
    expect(page.locator("#domain-status")).to_contain_text("Not tested yet")

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#flash")).to_contain_text("not connected yet")
    expect(page.locator("#domain-status")).to_contain_text("Failed")
    expect(page.locator("#domain-error")).not_to_be_empty()

    dns_server.point(HOSTNAME, TARGET)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#flash")).to_contain_text(f"{HOSTNAME} is connected")
    expect(page.locator("#domain-status")).to_contain_text("Connected")
    signed_in.check_accessibility()
    signed_in.screenshots("dashboard-custom-domain-connected")

    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Delete domain").click()
    expect(page.locator("#flash")).to_contain_text(f"Deleted {HOSTNAME}")
    expect(page.get_by_label("Hostname")).to_be_visible()
    signed_in.log.assert_stayed_on(signed_in.server.url)
