"""The Images, Upload and Playground pages in Chromium, as a person uses them: upload files with
progress, find them in the grid, build a transformation, delete, bulk delete and bulk download;
every request stays on the server, axe-core finds nothing serious, screenshots at two widths."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import DEADLINE_SECONDS
from tests.dashboard.browser.conftest import DashboardPage, DashboardServer
from tests.images.helpers import jpeg, path_of, png

# Processing runs in the server's own job threads; on a loaded machine give it time.
PROCESSING_SECONDS = 60.0


def uploaded(server: DashboardServer, name: str, data: bytes) -> dict[str, Any]:
    """An image uploaded through the API with the server key, once READY."""
    headers = {"Authorization": f"Bearer {server.server_key}"}
    created = server.http.post(
        "/api/v1/images/standard_upload", json={"file_name": name}, headers=headers
    )
    assert created.status_code == 200, created.text
    body = created.json()
    put = server.http.put(path_of(body["upload_url"]), content=data)
    assert put.status_code == 200, put.text
    deadline = time.monotonic() + PROCESSING_SECONDS
    while True:
        image = server.http.get(f"/api/v1/images/{body['image']['id']}", headers=headers).json()
        if image["status"] == "READY":
            return dict(image)
        assert time.monotonic() < deadline, image
        time.sleep(0.1)


def grid_names(page: Page) -> list[str]:
    return page.locator(".tile-name").all_inner_texts()


def wait_thumbnails_loaded(page: Page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tile img')].every((img) => img.complete && "
        "img.naturalWidth > 0)"
    )


def test_upload_three_files_with_progress_then_see_them_ready(signed_in: DashboardPage) -> None:
    page = signed_in.page
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Upload").click()
    page.wait_for_url("**/dashboard/upload?env=*")
    signed_in.check_accessibility()
    # Two files chosen with the file input (a keyboard reaches it), one dropped.
    page.get_by_label("Choose files").set_input_files(
        [
            {"name": "red.jpg", "mimeType": "image/jpeg", "buffer": jpeg(640, 480)},
            {"name": "grey.png", "mimeType": "image/png", "buffer": png(300, 200)},
        ]
    )
    dropped = list(jpeg(200, 400))
    page.evaluate(
        """(bytes) => {
          const file = new File([new Uint8Array(bytes)], "tall.jpg", { type: "image/jpeg" });
          const data = new DataTransfer();
          data.items.add(file);
          const zone = document.getElementById("drop-zone");
          const init = { dataTransfer: data, bubbles: true, cancelable: true };
          zone.dispatchEvent(new DragEvent("dragover", init));
          zone.dispatchEvent(new DragEvent("drop", init));
        }""",
        dropped,
    )
    rows = page.locator(".upload-row")
    page.wait_for_function(
        "() => document.querySelectorAll('.upload-row[data-status]').length === 3",
        timeout=PROCESSING_SECONDS * 1000,
    )
    assert rows.count() == 3
    for n in range(3):
        row = rows.nth(n)
        assert row.get_attribute("data-status") == "READY", row.inner_text()
        # Each file's own progress bar went all the way.
        assert row.locator("progress").evaluate("(bar) => bar.value") == 100
        assert row.locator("[role=status]").inner_text().startswith("Ready, ")
    states = rows.locator("[role=status]").all_inner_texts()
    by = "\N{MULTIPLICATION SIGN}"
    assert sorted(states) == [f"Ready, 200{by}400", f"Ready, 300{by}200", f"Ready, 640{by}480"]
    page.wait_for_function(
        "() => [...document.querySelectorAll('.upload-row img')].every((img) => img.complete && "
        "img.naturalWidth === 150)"
    )
    signed_in.check_accessibility()
    signed_in.screenshots("images-upload-done")
    # The grid shows them, newest first, with their thumbnails from the CDN.
    page.get_by_role("link", name="All images").click()
    page.wait_for_url("**/dashboard/images?env=*")
    assert sorted(grid_names(page)) == ["grey.png", "red.jpg", "tall.jpg"]
    wait_thumbnails_loaded(page)
    signed_in.check_accessibility()
    signed_in.screenshots("images-grid")
    signed_in.log.assert_stayed_on(signed_in.server.url)
    signed_in.log.assert_no_console_errors()


def test_a_transformation_preview_has_the_requested_size(signed_in: DashboardPage) -> None:
    server = signed_in.server
    uploaded(server, "landscape.jpg", jpeg(800, 600))
    page = signed_in.page
    page.reload()
    page.get_by_role("link", name="landscape.jpg").click()
    page.wait_for_url("**/dashboard/images/*")
    assert "800 \N{MULTIPLICATION SIGN} 600 px" in page.locator(".facts").inner_text()
    signed_in.check_accessibility()
    signed_in.screenshots("images-detail")
    page.get_by_role("link", name="Open in the playground").click()
    page.wait_for_url("**/dashboard/playground?*image=*")
    result = page.locator("#result-image")
    page.get_by_label("Width (px, or a share below 1)").fill("240")
    page.get_by_label("Format").select_option("png")
    url = page.locator("#result-url")
    assert url.inner_text().endswith("?width=240&format=png")
    page.wait_for_function(
        "() => { const img = document.getElementById('result-image');"
        " return img.dataset.url && img.dataset.url.endsWith('width=240&format=png')"
        " && img.complete; }"
    )
    assert result.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [240, 180]
    assert page.get_by_role("status").filter(has_text="Rendered").inner_text() == (
        "Rendered: 240 \N{MULTIPLICATION SIGN} 180 px"
    )
    # A preset and a fit: the URL follows every field.
    page.get_by_label("Preset").select_option("thumbnail")
    page.get_by_label("Width (px, or a share below 1)").fill("")
    page.get_by_label("Format").select_option("")
    assert url.inner_text().endswith("@thumbnail")
    page.wait_for_function(
        "() => { const img = document.getElementById('result-image');"
        " return img.dataset.url && img.dataset.url.endsWith('@thumbnail') && img.complete; }"
    )
    assert result.evaluate("(img) => img.naturalWidth") == 150
    signed_in.check_accessibility()
    signed_in.screenshots("images-playground")
    # A value the CDN refuses: its 400's message, not a broken image.
    page.get_by_label("More parameters").fill("blur=much")
    alert = page.locator("#result-error")
    alert.filter(has_text="400").wait_for()
    assert "blur" in alert.inner_text()
    assert result.is_hidden()
    signed_in.check_accessibility()
    signed_in.screenshots("images-playground-error")
    signed_in.log.assert_stayed_on(server.url)


def test_delete_one_image_then_bulk_delete_others(signed_in: DashboardPage) -> None:
    server = signed_in.server
    for name in ("one.jpg", "two.jpg", "three.jpg", "four.jpg"):
        uploaded(server, name, jpeg(120, 90))
    page = signed_in.page
    page.reload()
    page.get_by_role("link", name="two.jpg").click()
    page.wait_for_url("**/dashboard/images/*")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete image").click()
    page.wait_for_url("**/dashboard/images?env=*")
    page.get_by_text("Deleted two.jpg.").wait_for()
    assert sorted(grid_names(page)) == ["four.jpg", "one.jpg", "three.jpg"]
    # Cancelling the confirmation deletes nothing.
    page.get_by_label("Select one.jpg").check()
    page.get_by_label("Select four.jpg").check()
    assert page.locator("#selected-count").inner_text() == "2 selected"
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete selected").click()
    assert sorted(grid_names(page)) == ["four.jpg", "one.jpg", "three.jpg"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete selected").click()
    page.get_by_text("Deleted 2 images.").wait_for()
    assert grid_names(page) == ["three.jpg"]
    listed = server.http.get(
        "/api/v1/images/", headers={"Authorization": f"Bearer {server.server_key}"}
    ).json()
    assert [image["original_filename"] for image in listed] == ["three.jpg"]
    signed_in.check_accessibility()
    signed_in.log.assert_stayed_on(server.url)
    signed_in.log.assert_no_console_errors()


def test_bulk_download_gives_a_zip_link(signed_in: DashboardPage) -> None:
    server = signed_in.server
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        uploaded(server, name, jpeg(100, 100))
    page = signed_in.page
    page.reload()
    page.get_by_label("Select all on this page").check()
    assert page.locator("#selected-count").inner_text() == "3 selected"
    page.get_by_role("button", name="Download selected").click()
    link = page.get_by_role("link", name="Download the zip")
    link.wait_for(timeout=PROCESSING_SECONDS * 1000)
    href = link.get_attribute("href")
    assert href and href.startswith(server.url)
    signed_in.check_accessibility()
    signed_in.screenshots("images-bulk-download")
    answer = server.http.get(path_of(href), timeout=DEADLINE_SECONDS)
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert len(archive.namelist()) == 3
    signed_in.log.assert_stayed_on(server.url)
    signed_in.log.assert_no_console_errors()
