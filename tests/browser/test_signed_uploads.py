"""The signed-uploads example in Chromium: a page on one origin uploading to imgwired on another.

The example app (``examples/signed-uploads``) runs on ``localhost`` and has its own origin in
imgwired's CORS origins while it runs (added as it starts, removed as it stops); a second copy
on another port never adds one. The client
key requires signed uploads and has a size limit, so every upload goes through the app's token
route, the browser SDK served by imgwired, and imgwired's checks.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pyvips  # type: ignore[import-untyped]

from tests.browser.conftest import BrowserPage, Imgwired, PageOrigins, serving
from tests.examples import signed_uploads

OpenPage = Callable[[str], BrowserPage]
TOKEN_ROUTE = "/api/imgwire/upload-token"
UPLOAD_LIMIT = 2_000_000
# Uploading and processing a megabyte or two takes well under a second; this is the ceiling.
UPLOAD_DEADLINE_MS = 30_000
FINISHED = '#upload-status[data-state="done"], #upload-status[data-state="error"]'

# Run in the page before an upload: keep every progress report the page announces.
_RECORD_PROGRESS = """
() => {
  window.progressSeen = [];
  document.getElementById("upload-form").addEventListener(
    "imgwire:progress", (event) => window.progressSeen.push(event.detail.percent));
}
"""


@dataclass(frozen=True)
class Example:
    """The example app twice: on an origin it allowlisted itself, and on one nobody did."""

    allowed: str
    other: str
    client_key: str
    # The environment's CORS configuration before the example started.
    cors_before: dict[str, Any]
    # Stops both copies, as Ctrl+C would (their lifespans end).
    stop: Callable[[], None]


@dataclass(frozen=True)
class Upload:
    state: str
    text: str
    progress: list[int]


def jpeg(path: Path, width: int, height: int) -> Path:
    """A real JPEG of noise (so it stays large), ``width`` x ``height``."""
    noise = [pyvips.Image.gaussnoise(width, height, mean=128, sigma=40) for _ in range(3)]
    noise[0].bandjoin(noise[1:]).cast("uchar").jpegsave(str(path), Q=90)
    return path


@pytest.fixture
def signed_client_key(imgwired: Imgwired) -> str:
    """A client key that requires an upload token and refuses files over ``UPLOAD_LIMIT``."""
    admin = {
        "Authorization": f"Bearer {imgwired.admin_token}",
        "X-Environment-Id": str(imgwired.environment_id),
    }
    response = imgwired.http.post(
        "/api/v1/api_keys/",
        json={
            "name": "signed uploads",
            "key_type": "CLIENT",
            "allow_unsigned_upload": False,
            "maximum_upload_bytes": UPLOAD_LIMIT,
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    key: str = response.json()["client_key"]
    return key


@pytest.fixture
def example(imgwired: Imgwired, signed_client_key: str) -> Iterator[Example]:
    module = signed_uploads.load()
    with socket.socket() as allowed_sock, socket.socket() as other_sock:
        origins = []
        for sock in (allowed_sock, other_sock):
            sock.bind(("127.0.0.1", 0))
            origins.append(f"http://localhost:{sock.getsockname()[1]}")

        def app_on(public_origin: str | None) -> Any:
            config = module.Config(
                imgwired_url=imgwired.url,
                server_key=imgwired.server_key,
                client_key=signed_client_key,
                public_origin=public_origin,
            )
            return module.create_app(config)

        before = cors_configuration(imgwired)
        # The first copy allowlists its origin while it runs; the second is the same page
        # elsewhere, left off the list.
        with ExitStack() as running:
            running.enter_context(serving(app_on(origins[0]), allowed_sock))
            running.enter_context(serving(app_on(None), other_sock))
            yield Example(
                allowed=origins[0],
                other=origins[1],
                client_key=signed_client_key,
                cors_before=before,
                stop=running.close,
            )
        # Whatever the test did, the example leaves the environment's CORS as it found it.
        assert cors_configuration(imgwired) == before


def cors_configuration(imgwired: Imgwired) -> dict[str, Any]:
    """The environment's CORS origins (id, pattern) and its CORS policy, as listed right now."""
    origins = imgwired.http.get("/api/v1/cors_origins/", headers=imgwired.server)
    policy = imgwired.http.get("/api/v1/cors_policy", headers=imgwired.server)
    assert origins.status_code == 200 and policy.status_code == 200
    return {
        "origins": [(origin["id"], origin["pattern"]) for origin in origins.json()],
        "policy": policy.json(),
    }


def open_example(open_page: OpenPage, origin: str, user: str, query: str = "") -> BrowserPage:
    """The example page in a fresh context, signed in as ``user``, its SDK loaded."""
    opened = open_page(origin)
    page = opened.page
    if query:
        page.goto(f"{origin}/{query}")
    page.select_option("#sign-in-user", user)
    with page.expect_navigation():
        page.click("#sign-in")
    assert page.url == f"{origin}/{query}"
    # "ready" is set by the page's module once the SDK imported from imgwired has loaded.
    page.wait_for_selector('#upload-status[data-state="ready"]')
    return opened


def upload(opened: BrowserPage, file: Path) -> Upload:
    """Choose ``file``, press Upload, and wait for the page to say how it went."""
    page = opened.page
    page.evaluate(_RECORD_PROGRESS)
    page.set_input_files("#file", str(file))
    page.click("#upload-button")
    status = page.wait_for_selector(FINISHED, timeout=UPLOAD_DEADLINE_MS)
    assert status is not None
    return Upload(
        state=status.get_attribute("data-state") or "",
        text=status.text_content() or "",
        progress=page.evaluate("() => window.progressSeen"),
    )


def images_of(imgwired: Imgwired) -> list[dict[str, Any]]:
    response = imgwired.http.get("/api/v1/images/", headers=imgwired.server)
    assert response.status_code == 200, response.text
    images: list[dict[str, Any]] = response.json()
    return images


def test_allowlisted_page_uploads_with_a_token_and_shows_the_ready_image(
    imgwired: Imgwired, example: Example, open_page: OpenPage, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "photo.jpg", 1200, 800)
    opened = open_example(open_page, example.allowed, "ada")
    # Loopback sends a megabyte at once; at 8 Mbit/s the bytes take about a second to go up,
    # so Chromium reports progress along the way, as it would on a real connection.
    throttle = opened.page.context.new_cdp_session(opened.page)
    throttle.send("Network.enable")
    throttle.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )

    result = upload(opened, photo)

    assert result.state == "done", result
    assert result.text == "Uploaded photo.jpg: 1200\N{MULTIPLICATION SIGN}800."
    # The bytes went up with progress reports, the last one 100%.
    partial = [percent for percent in result.progress if 0 < percent < 100]
    assert len(partial) >= 2, result.progress
    assert result.progress == sorted(set(result.progress))
    assert result.progress[-1] == 100
    page = opened.page
    assert page.eval_on_selector("#upload-progress", "bar => bar.value") == 100
    # The <img> shows the processed image, delivered by imgwired's CDN.
    shown = page.eval_on_selector(
        "#upload-result",
        "img => ({src: img.src, width: img.naturalWidth, height: img.naturalHeight,"
        " hidden: img.hidden, complete: img.complete})",
    )
    assert shown["complete"] and not shown["hidden"], shown
    assert (shown["width"], shown["height"]) == (1200, 800)
    assert shown["src"].startswith(imgwired.url + "/cdn/")
    # The SDK came from imgwired, across origins; the token from the app's own backend.
    sdk = opened.network.response("GET", imgwired.url + "/sdk/imgwire.js")
    assert sdk.status == 200
    assert sdk.headers["access-control-allow-origin"] == "*"
    token = opened.network.response("POST", example.allowed + TOKEN_ROUTE)
    assert token.status == 200
    # imgwired holds one READY image, created with an upload token.
    [image] = images_of(imgwired)
    assert image["status"] == "READY"
    assert image["upload_token_id"] is not None
    assert shown["src"] == image["cdn_url"]


def test_a_reused_token_is_refused_with_the_servers_reason(
    imgwired: Imgwired, example: Example, open_page: OpenPage, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "photo.jpg", 320, 240)
    # "?reuse-token" makes the page keep its first token and send it again (see the README).
    opened = open_example(open_page, example.allowed, "grace", query="?reuse-token")
    assert upload(opened, photo).state == "done"

    again = upload(opened, photo)

    assert again.state == "error", again
    # The sentence is imgwired's own `detail`, carried by the SDK's ImgwireError.
    assert again.text == (
        "Upload refused (401 UploadTokenError): The upload token has already been used"
    )
    assert again.progress == []
    # One token was asked for; the second upload was refused before any bytes were sent.
    assert len(opened.network.exchanges("POST", example.allowed + TOKEN_ROUTE)) == 1
    refused = opened.network.starting_with("POST", imgwired.upload_url + "?upload_token=")
    assert [exchange.status for exchange in refused] == [200, 401]
    assert len(images_of(imgwired)) == 1


def test_a_file_over_the_keys_limit_is_refused_readably(
    imgwired: Imgwired, example: Example, open_page: OpenPage, tmp_path: Path
) -> None:
    poster = jpeg(tmp_path / "poster.jpg", 2400, 1600)
    size = poster.stat().st_size
    assert size > UPLOAD_LIMIT
    opened = open_example(open_page, example.allowed, "ada")

    result = upload(opened, poster)

    assert result.state == "error", result
    assert result.text == (
        f"Upload refused (413 UploadTooLargeError): content_length {size} is over this key's "
        f"limit of {UPLOAD_LIMIT} bytes"
    )
    assert result.progress == []
    assert opened.network.starting_with("PUT", imgwired.url + "/upload/") == []
    assert images_of(imgwired) == []


def test_the_page_on_an_origin_not_allowlisted_cannot_upload(
    imgwired: Imgwired, example: Example, open_page: OpenPage, tmp_path: Path
) -> None:
    photo = jpeg(tmp_path / "photo.jpg", 320, 240)
    opened = open_example(open_page, example.other, "ada")

    result = upload(opened, photo)

    assert result.state == "error", result
    assert result.text == (
        f"Could not reach {imgwired.url}: the network failed, or this page's origin "
        f"({example.other}) is not allowed by the environment's CORS origins"
    )
    # Chromium refused at the preflight; the upload itself never left the browser.
    [attempt] = opened.network.starting_with("POST", imgwired.upload_url)
    failed = opened.network.wait_for(
        "the refused upload", lambda: attempt if attempt.failure is not None else None
    )
    assert failed.cors_error is not None and failed.cors_error.startswith("Preflight")
    assert not failed.answered
    preflight = opened.network.preflight(attempt.url)
    assert preflight.status == 403
    assert preflight.headers["x-cors-error"] == "origin_not_allowed"
    # Nothing was created, and the environment's owner can see who was turned away.
    assert images_of(imgwired) == []
    assert [(row["endpoint"], row["reason"]) for row in imgwired.rejections_of(example.other)] == [
        ("standard_upload", "origin_not_allowed")
    ]


def test_the_example_allowlisted_only_its_own_origin(imgwired: Imgwired, example: Example) -> None:
    response = imgwired.http.get("/api/v1/cors_origins/", headers=imgwired.server)

    assert response.status_code == 200
    assert [origin["pattern"] for origin in response.json()] == [example.allowed]


def test_once_the_example_stops_other_pages_are_no_longer_refused(
    imgwired: Imgwired,
    example: Example,
    open_page: OpenPage,
    page_origins: PageOrigins,
    tmp_path: Path,
) -> None:
    opened = open_example(open_page, example.allowed, "ada")
    assert upload(opened, jpeg(tmp_path / "photo.jpg", 320, 240)).state == "done"
    # While the example runs, its origin is the environment's only allowed one.
    refused = start_upload(open_page(page_origins.other), imgwired, example.client_key)
    assert refused.get("name") == "TypeError", refused

    example.stop()

    # As before it started: no CORS origins (every origin may call), the same policy.
    assert cors_configuration(imgwired) == example.cors_before
    assert example.cors_before["origins"] == []
    answered = start_upload(open_page(page_origins.other), imgwired, example.client_key)
    assert answered.get("status") == 401, answered
    assert answered["body"]["error_type"] == "UploadTokenError"


def start_upload(opened: BrowserPage, imgwired: Imgwired, client_key: str) -> dict[str, Any]:
    """A page's ``POST /api/v1/images/standard_upload`` without a token: what its script sees."""
    return opened.fetch(
        imgwired.upload_url,
        method="POST",
        body='{"file_name": "a.jpg"}',
        headers={"Authorization": f"Bearer {client_key}", "Content-Type": "application/json"},
    )


# Run in the page: the SDK, imported from imgwired, reading images; each error as a plain object.
_SDK_ERRORS = """
async ({sdk, baseUrl, clientKey, missing}) => {
  const { ImgwireClient, ImgwireError } = await import(sdk);
  const attempt = async (apiKey, id) => {
    try {
      await new ImgwireClient({ apiKey, baseUrl }).images.get(id);
      return null;
    } catch (error) {
      return {
        isError: error instanceof Error, isImgwireError: error instanceof ImgwireError,
        name: error.name, message: error.message, status: error.status,
        detail: error.detail, errorType: error.errorType, requestId: error.requestId,
      };
    }
  };
  return {
    missing: await attempt(clientKey, missing),
    malformed: await attempt(clientKey, "not-an-id"),
    badKey: await attempt("ck_wrong", missing),
  };
}
"""


def test_sdk_errors_carry_the_servers_error_body(
    imgwired: Imgwired, example: Example, open_page: OpenPage
) -> None:
    opened = open_page(example.allowed)
    missing = "00000000-0000-4000-8000-000000000000"

    errors = opened.page.evaluate(
        _SDK_ERRORS,
        {
            "sdk": imgwired.url + "/sdk/imgwire.js",
            "baseUrl": imgwired.url,
            "clientKey": example.client_key,
            "missing": missing,
        },
    )

    not_found = errors["missing"]
    assert not_found["isError"] and not_found["isImgwireError"], not_found
    assert not_found["name"] == "ImgwireError"
    assert (not_found["status"], not_found["errorType"]) == (404, "ImageNotFoundError")
    assert not_found["message"] == not_found["detail"]
    assert missing in not_found["message"]
    assert not_found["requestId"]
    # A validation error: the list as sent, and one readable line.
    malformed = errors["malformed"]
    assert (malformed["status"], malformed["errorType"]) == (422, "RequestValidationError")
    assert malformed["detail"][0]["loc"] == ["path", "image_id"]
    assert malformed["message"].startswith("image_id: ")
    bad_key = errors["badKey"]
    assert (bad_key["status"], bad_key["errorType"]) == (401, "InvalidApiKeyError")
    assert bad_key["message"] == bad_key["detail"]
