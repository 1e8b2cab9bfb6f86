"""``/docs`` and ``/redoc`` in Chromium: they render the API with no request leaving the origin.

Every request the page makes (its own, its workers', anything another frame would make) is
recorded by the browser context, and every request Chromium's network stack starts for the page
by the DevTools protocol; a request the page's Content-Security-Policy refused never reaches
either, so the refusals are recorded too (``securitypolicyviolation`` events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.browser.conftest import Imgwired, NetworkLog

# Rendering a 1.5 MB bundle on a loaded machine takes a few seconds; this is the ceiling.
RENDER_DEADLINE_MS = 60_000
# The summary of an operation of the contract, as both pages show it.
SUMMARY = "Create CORS Origin"

_RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.violations.push(event.violatedDirective + " " + event.blockedURI));
"""


@dataclass
class DocsPage:
    """A docs page in its own fresh browser context, and everything it asked for."""

    page: Page
    network: NetworkLog
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("() => window.violations")
        return found

    def all_urls(self) -> list[str]:
        """Every URL the context or the network stack saw requested, in no particular order."""
        seen = {exchange.url for exchange in self.network.starting_with("GET", "")}
        seen.update(exchange.url for exchange in self.network.starting_with("POST", ""))
        return sorted(seen | set(self.requested))


OpenDocs = Callable[[str], DocsPage]


@pytest.fixture
def open_docs(browser: Browser, imgwired: Imgwired) -> Iterator[OpenDocs]:
    contexts: list[BrowserContext] = []

    def open_(path: str) -> DocsPage:
        context = browser.new_context()
        contexts.append(context)
        context.add_init_script(_RECORD_VIOLATIONS)
        page = context.new_page()
        docs = DocsPage(page, NetworkLog(page, context.new_cdp_session(page)))
        context.on("request", lambda request: docs.requested.append(request.url))

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                docs.errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: docs.errors.append(str(error)))
        response = page.goto(imgwired.url + path)
        assert response is not None and response.status == 200
        return docs

    yield open_
    for context in contexts:
        context.close()


def assert_stayed_on_the_origin(docs: DocsPage, imgwired: Imgwired) -> None:
    # Whatever was still under way (a font, a worker's script) has been asked for by now.
    docs.page.wait_for_load_state("networkidle")
    urls = docs.all_urls()
    assert any(url.startswith(imgwired.url + "/docs/assets/") for url in urls), urls
    origin = urlsplit(imgwired.url)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"}:
            continue
        assert (parts.scheme, parts.hostname, parts.port) == (
            origin.scheme,
            origin.hostname,
            origin.port,
        ), url
    assert docs.violations() == []
    assert docs.errors == []


def test_swagger_ui_renders_the_operations_from_this_server_only(
    open_docs: OpenDocs, imgwired: Imgwired
) -> None:
    docs = open_docs("/docs")

    summary = docs.page.wait_for_selector(
        f'.opblock-summary-description:text-is("{SUMMARY}")', timeout=RENDER_DEADLINE_MS
    )

    assert summary is not None and summary.is_visible()
    assert docs.page.title() == "imgwired - Swagger UI"
    assert_stayed_on_the_origin(docs, imgwired)
    # The document itself came from this server too.
    assert docs.network.response("GET", imgwired.url + "/openapi.json").status == 200


def test_redoc_renders_the_operations_from_this_server_only(
    open_docs: OpenDocs, imgwired: Imgwired
) -> None:
    docs = open_docs("/redoc")

    heading = docs.page.wait_for_selector(f'h2:text-is("{SUMMARY}")', timeout=RENDER_DEADLINE_MS)

    assert heading is not None and heading.is_visible()
    assert docs.page.title() == "imgwired - ReDoc"
    assert_stayed_on_the_origin(docs, imgwired)
    assert docs.network.response("GET", imgwired.url + "/openapi.json").status == 200
