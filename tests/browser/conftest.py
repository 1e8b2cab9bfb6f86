"""A real imgwired, a real page on another origin and a real headless Chromium.

Each test gets its own imgwired (uvicorn in a thread, on its own database and port, started in
well under a second), an initialised environment, and fresh browser contexts: Chromium keeps its
CORS preflight cache per context, so nothing one test learns leaks into another.

The pages that call imgwired are served by a plain HTTP server on ``localhost``, while imgwired
listens on ``127.0.0.1``: different origins, both loopback (so no Private Network Access
preflights get in the way). Two page servers give two origins: one a test allowlists, one it
does not.

What the page script sees comes from ``page.evaluate``; what really crossed the wire (preflights,
statuses and headers a script may not read, Chromium's CORS error) comes from the DevTools
protocol. Requests are never intercepted (no ``page.route``): Playwright would then answer
preflights itself and the test would prove nothing about imgwired.
"""

from __future__ import annotations

import http.server
import inspect
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright

from imgwired.accounts.organization import Initialized
from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import in_ci

# Debian's Chromium; IMGWIRED_TEST_CHROMIUM names another binary (or, in a test, a missing one).
CHROMIUM = Path(os.environ.get("IMGWIRED_TEST_CHROMIUM", "/usr/bin/chromium"))
INSTALL_CHROMIUM = "apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long to wait for something that is under way (a server starting, a CDP event arriving).
DEADLINE_SECONDS = 10.0
UPLOAD_PATH = "/api/v1/images/standard_upload"

# The page every test runs its script in: blank, and no favicon request to muddy the log.
_PAGE = b"<!doctype html><html><head><link rel='icon' href='data:,'></head><body></body></html>"


# -- imgwired -------------------------------------------------------------------------------


@dataclass
class Imgwired:
    """A running imgwired, its initialised environment and an HTTP client acting as a server."""

    url: str
    app: FastAPI
    environment_id: uuid.UUID
    server_key: str
    client_key: str
    admin_token: str
    http: httpx.Client

    @property
    def upload_url(self) -> str:
        return self.url + UPLOAD_PATH

    @property
    def server(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server_key}"}

    def allow(self, pattern: str) -> str:
        """Add ``pattern`` to the environment's CORS origins; its id."""
        response = self.http.post(
            "/api/v1/cors_origins/", json={"pattern": pattern}, headers=self.server
        )
        assert response.status_code == 200, response.text
        origin_id: str = response.json()["id"]
        return origin_id

    def disallow(self, origin_id: str) -> None:
        response = self.http.delete(f"/api/v1/cors_origins/{origin_id}", headers=self.server)
        assert response.status_code == 200, response.text
        assert response.json() == {"id": origin_id, "status": "deleted"}

    def rejections(self) -> list[dict[str, Any]]:
        """``GET /api/v1/cors_origins/rejections``: the refused origins, as listed right now."""
        response = self.http.get("/api/v1/cors_origins/rejections", headers=self.server)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    def rejections_of(self, origin: str) -> list[dict[str, Any]]:
        """The rejection rows of ``origin``; the list writes pending counts before reading."""
        return [row for row in self.rejections() if row["origin"] == origin]


class _ServerThread:
    """uvicorn serving ``app`` on an already bound socket, in a thread of this process."""

    def __init__(self, app: FastAPI, sock: socket.socket) -> None:
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="imgwired", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        # uvicorn offers a flag, not an event, for "listening and lifespan done".
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("imgwired did not start (see the captured log)")
            time.sleep(0.005)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(DEADLINE_SECONDS)
        assert not self.thread.is_alive(), "imgwired did not stop"


@contextmanager
def serving(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Serve ``app`` (lifespan on) on the already bound ``sock`` until the block ends."""
    server = _ServerThread(app, sock)
    server.start()
    try:
        yield
    finally:
        server.stop()


@pytest.fixture
def imgwired(database_url: str, tmp_path: Path) -> Iterator[Imgwired]:
    """A running imgwired on 127.0.0.1 with one initialised environment and no CORS origins."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        settings = Settings(
            database_url=database_url,
            data_dir=tmp_path / "data",
            migrate_on_start=False,
            public_url=url,
            cors_poll_seconds=0.2,
        )
        app = create_app(settings)
        # As `imgwired init` then `imgwired serve`: the server compiles the environment's CORS
        # configuration when it starts.
        installed: Initialized = app.state.services.organization.initialize(
            environment_name="production"
        )
        # These pages upload without asking a backend for a token first.
        app.state.services.api_keys.update(
            installed.environment.id, installed.client_key.key.id, {"allow_unsigned_upload": True}
        )
        server = _ServerThread(app, sock)
        server.start()
        try:
            with httpx.Client(base_url=url, timeout=DEADLINE_SECONDS) as http:
                yield Imgwired(
                    url=url,
                    app=app,
                    environment_id=installed.environment.id,
                    server_key=installed.server_key.secret,
                    client_key=installed.client_key.secret,
                    admin_token=installed.admin_token,
                    http=http,
                )
        finally:
            server.stop()


# -- the pages' origins ---------------------------------------------------------------------


class _PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(_PAGE)))
        self.end_headers()
        self.wfile.write(_PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows a failing test's output, and page loads are not news."""


@dataclass(frozen=True)
class PageOrigins:
    """Two origins serving the blank page: one the tests allowlist, one they never do."""

    allowed: str
    allowed_pattern: str
    other: str


@pytest.fixture(scope="session")
def page_origins() -> Iterator[PageOrigins]:
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler) for _ in "ab"]
    threads = [
        threading.Thread(target=server.serve_forever, name="page-origin", daemon=True)
        for server in servers
    ]
    for thread in threads:
        thread.start()
    try:
        allowed, other = (server.server_address[1] for server in servers)
        yield PageOrigins(
            allowed=f"http://localhost:{allowed}",
            allowed_pattern=f"localhost:{allowed}",
            other=f"http://localhost:{other}",
        )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(DEADLINE_SECONDS)


# -- the browser ----------------------------------------------------------------------------


# Package scope, not session: while Playwright's sync API is open it keeps an asyncio loop
# running in the main thread, and later tests that start their own event loop (anyio) would fail.
@pytest.fixture(scope="package")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"real-browser tests need Chromium at {CHROMIUM}"
        if in_ci():
            pytest.fail(reason + "; it is missing on this CI runner")
        # Said once, with how to install it, at the end of the run (pytest_terminal_summary).
        request.config.stash[_CHROMIUM_MISSING] = True
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


_CHROMIUM_MISSING = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test skipped for want of Chromium is reported at the fixture, not at the test: pytest
    folds skips of one place and reason into one summary line, instead of one per test."""
    report: pytest.TestReport = yield
    missing = item.config.stash.get(_CHROMIUM_MISSING, False)
    uses_browser = isinstance(item, pytest.Function) and "browser" in item.fixturenames
    if missing and uses_browser and report.when == "setup" and report.skipped:
        assert isinstance(report.longrepr, tuple)
        line = inspect.unwrap(browser).__code__.co_firstlineno
        report.longrepr = (__file__, line, report.longrepr[2])
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One hint for all the browser tests a missing Chromium skipped (outside CI only)."""
    if not terminalreporter.config.stash.get(_CHROMIUM_MISSING, False):
        return
    terminalreporter.section("Chromium")
    terminalreporter.write_line(
        f"The real-browser tests were skipped: there is no Chromium at {CHROMIUM}. Install it "
        f"with `{INSTALL_CHROMIUM}` (Debian, Ubuntu), or set IMGWIRED_TEST_CHROMIUM to a "
        "Chromium binary.",
        yellow=True,
    )


@dataclass
class Exchange:
    """One request as Chromium's network stack saw it (DevTools ``Network.*`` events)."""

    request_id: str
    method: str = ""
    url: str = ""
    # The request headers actually sent, and the status and headers the server actually sent
    # back (``*ExtraInfo`` events: what crossed the wire, whatever the script may read).
    request_headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Whether the server's response (status line and headers) has been reported.
    answered: bool = False
    # The resource type of the response event: "Preflight" for a CORS preflight.
    response_type: str | None = None
    finished: bool = False
    # ``Network.loadingFailed`` params, when the request failed.
    failure: dict[str, Any] | None = None

    @property
    def cors_error(self) -> str | None:
        status = (self.failure or {}).get("corsErrorStatus")
        return status["corsError"] if status else None


class NetworkLog:
    """Records what Chromium's network stack does for one page, via a CDP session."""

    def __init__(self, page: Page, cdp: CDPSession) -> None:
        self._page = page
        self._exchanges: dict[str, Exchange] = {}
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.requestWillBeSentExtraInfo", self._on_request_extra)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.responseReceivedExtraInfo", self._on_response_extra)
        cdp.on("Network.loadingFinished", self._on_finished)
        cdp.on("Network.loadingFailed", self._on_failed)
        cdp.send("Network.enable")

    def exchanges(self, method: str, url: str) -> list[Exchange]:
        """Every request seen so far for ``method url``, oldest first."""
        return [e for e in self._exchanges.values() if e.method == method and e.url == url]

    def starting_with(self, method: str, url: str) -> list[Exchange]:
        """Every ``method`` request seen so far whose URL starts with ``url`` (any query)."""
        return [e for e in self._exchanges.values() if e.method == method and e.url.startswith(url)]

    def wait_for(self, what: str, found: Callable[[], Exchange | None]) -> Exchange:
        """``found()`` as soon as it returns an exchange; the events arrive while we wait."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (exchange := found()) is None:
            if time.monotonic() > deadline:
                seen = [(e.method, e.url, e.status, e.cors_error) for e in self._exchanges.values()]
                raise AssertionError(f"Chromium never reported {what}; it saw {seen}")
            self._page.wait_for_timeout(10)
        return exchange

    def response(self, method: str, url: str) -> Exchange:
        """The latest ``method url`` once the server's status and headers have arrived."""
        return self.responses(method, url, 1)[-1]

    def responses(self, method: str, url: str, count: int) -> list[Exchange]:
        """The ``method url`` requests once at least ``count`` of them have been answered."""

        def answered() -> Exchange | None:
            done = [e for e in self.exchanges(method, url) if e.answered]
            return done[-1] if len(done) >= count else None

        self.wait_for(f"{count} response(s) to {method} {url}", answered)
        return [e for e in self.exchanges(method, url) if e.answered]

    def preflight(self, url: str) -> Exchange:
        """The latest CORS preflight Chromium sent for ``url``, once answered."""
        exchange = self.response("OPTIONS", url)
        assert exchange.request_headers.get("access-control-request-method"), exchange
        return exchange

    def failure(self, method: str, url: str) -> Exchange:
        """The latest ``method url`` once it has failed (e.g. blocked by CORS)."""

        def failed() -> Exchange | None:
            done = [e for e in self.exchanges(method, url) if e.failure is not None]
            return done[-1] if done else None

        return self.wait_for(f"a failure of {method} {url}", failed)

    def _exchange(self, params: dict[str, Any]) -> Exchange:
        request_id: str = params["requestId"]
        return self._exchanges.setdefault(request_id, Exchange(request_id))

    def _on_request(self, params: dict[str, Any]) -> None:
        exchange = self._exchange(params)
        exchange.method = params["request"]["method"]
        exchange.url = params["request"]["url"]

    def _on_request_extra(self, params: dict[str, Any]) -> None:
        headers = params.get("headers", {})
        self._exchange(params).request_headers = {k.lower(): v for k, v in headers.items()}

    def _on_response(self, params: dict[str, Any]) -> None:
        exchange = self._exchange(params)
        exchange.response_type = params.get("type")
        if exchange.status is None:
            exchange.status = params["response"]["status"]

    def _on_response_extra(self, params: dict[str, Any]) -> None:
        exchange = self._exchange(params)
        exchange.status = params["statusCode"]
        exchange.headers = {k.lower(): v for k, v in params.get("headers", {}).items()}
        exchange.answered = True

    def _on_finished(self, params: dict[str, Any]) -> None:
        self._exchange(params).finished = True

    def _on_failed(self, params: dict[str, Any]) -> None:
        self._exchange(params).failure = params


# Run in the page: what a script calling fetch() gets to see.
_FETCH = """
async ({url, init}) => {
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch (e) { body = text; }
    return {
      ok: response.ok,
      status: response.status,
      type: response.type,
      body,
      headers: Object.fromEntries(response.headers.entries()),
    };
  } catch (error) {
    return {error: String(error), name: error.name};
  }
}
"""

# Run in the page: a multipart upload with nothing but the FormData (a CORS "simple" request).
_FORM_UPLOAD = """
async ({url, mode}) => {
  const form = new FormData();
  const jpeg = new Blob([new Uint8Array([255, 216, 255, 224])], {type: "image/jpeg"});
  form.append("file", jpeg, "a.jpg");
  try {
    const response = await fetch(url, {method: "POST", body: form, mode});
    return {ok: response.ok, status: response.status, type: response.type};
  } catch (error) {
    return {error: String(error), name: error.name};
  }
}
"""


@dataclass
class BrowserPage:
    """A page loaded from ``origin`` in its own fresh browser context, with its network log."""

    origin: str
    page: Page
    network: NetworkLog

    def fetch(self, url: str, **init: Any) -> dict[str, Any]:
        """``fetch(url, init)`` in the page: the response as script sees it, or the error."""
        result: dict[str, Any] = self.page.evaluate(_FETCH, {"url": url, "init": init})
        return result

    def upload_form(self, url: str, *, mode: str = "cors") -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(_FORM_UPLOAD, {"url": url, "mode": mode})
        return result


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], BrowserPage]]:
    """Open the blank page of ``origin`` in a new browser context (new preflight cache)."""
    contexts: list[BrowserContext] = []

    def open_(origin: str) -> BrowserPage:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        network = NetworkLog(page, context.new_cdp_session(page))
        response = page.goto(origin + "/")
        assert response is not None and response.status == 200
        return BrowserPage(origin, page, network)

    yield open_
    for context in contexts:
        context.close()
