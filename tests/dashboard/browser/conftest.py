"""The dashboard in a real headless Chromium, against a real imgwired on loopback.

Conventions of ``tests/browser/conftest.py`` (its ``browser`` fixture, Chromium's flags, a
server per test, a fresh context per test, never ``page.route``), plus the dashboard's own
helpers: signing in through the real form, the log of every request a page made (all must stay
on the server's origin), axe-core's accessibility check, and screenshots at 1440 and 360 px.

axe-core comes from the ``axe-playwright-python`` package (the dev extra), which ships
``axe.min.js``; it is injected through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so the page under test keeps its real policy.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request

from imgwired.accounts.organization import Initialized
from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.browser.conftest import DEADLINE_SECONDS, browser, serving

__all__ = ["browser"]

SCREENSHOT_DIR = Path(os.environ.get("IMGWIRED_SCREENSHOT_DIR", "/tmp/imgwired-screenshots"))
WIDTHS = {"wide": (1440, 900), "narrow": (360, 740)}
# axe-core's impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")


@dataclass
class DashboardServer:
    """A running imgwired with one initialised environment."""

    url: str
    environment_id: uuid.UUID
    admin_token: str
    server_key: str
    http: httpx.Client

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


@pytest.fixture
def dashboard_server(database_url: str, tmp_path: Path) -> Iterator[DashboardServer]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = Settings(
            database_url=database_url,
            data_dir=tmp_path / "data",
            migrate_on_start=False,
            public_url=url,
        )
        app = create_app(settings)
        installed: Initialized = app.state.services.organization.initialize(
            environment_name="production"
        )
        with serving(app, sock), httpx.Client(base_url=url, timeout=DEADLINE_SECONDS) as http:
            yield DashboardServer(
                url,
                installed.environment.id,
                installed.admin_token,
                installed.server_key.secret,
                http,
            )


@dataclass
class PageLog:
    """Every request a page made, and every console error (a CSP refusal is one)."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_stayed_on(self, origin: str) -> None:
        """No request left ``origin`` (data: and blob: URLs are the page's own bytes)."""
        assert self.requests, "the page made no request at all"
        away = [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and not _same_origin(url, origin)
        ]
        assert away == [], f"requests left {origin}: {away}"

    def assert_no_console_errors(self) -> None:
        assert self.console_errors == [], self.console_errors


def _same_origin(url: str, origin: str) -> bool:
    parts, own = urlsplit(url), urlsplit(origin)
    return (parts.scheme, parts.netloc) == (own.scheme, own.netloc)


@dataclass
class DashboardPage:
    server: DashboardServer
    page: Page
    log: PageLog

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.ok, path

    def sign_in(self, token: str) -> None:
        """Sign in through the real form, as a person would."""
        self.goto("/dashboard/sign-in")
        self.page.get_by_label("Admin token or server key").fill(token)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/dashboard/images**")

    def check_accessibility(self) -> None:
        assert_accessible(self.page)

    def screenshots(self, name: str) -> list[Path]:
        return take_screenshots(self.page, name)


@pytest.fixture
def open_dashboard(browser: Browser, dashboard_server: DashboardServer) -> Iterator[DashboardPage]:
    """A fresh browser context with one page, its requests and console logged."""
    context = browser.new_context()
    context.set_default_timeout(DEADLINE_SECONDS * 1000)
    page = context.new_page()
    log = PageLog()
    page.on("request", log.on_request)
    page.on("console", log.on_console)
    try:
        yield DashboardPage(dashboard_server, page, log)
    finally:
        context.close()


@pytest.fixture
def signed_in(open_dashboard: DashboardPage) -> DashboardPage:
    """Signed in with the admin token through the sign-in form."""
    open_dashboard.sign_in(open_dashboard.server.admin_token)
    return open_dashboard


@cache
def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def assert_accessible(page: Page) -> None:
    """axe-core over the whole page: no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    failing = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]
    assert failing == [], f"{page.url}: {failing}"


def take_screenshots(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at each width in ``SCREENSHOT_DIR`` (outside the repository)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    taken = []
    try:
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            path = SCREENSHOT_DIR / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            taken.append(path)
    finally:
        if original is not None:
            page.set_viewport_size(original)
    return taken
