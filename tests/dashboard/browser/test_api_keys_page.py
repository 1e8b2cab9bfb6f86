"""The API keys page in Chromium: a client key created through the form is shown once (and
copied), then listed masked; its settings refuse a bad value by the field; revoked after a
confirmation, it no longer opens the API."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, expect

from tests.dashboard.browser.conftest import DashboardPage

UPLOAD = "/api/v1/images/standard_upload"


def test_create_a_client_key_then_revoke_it(signed_in: DashboardPage) -> None:
    page = signed_in.page
    server = signed_in.server
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.get_by_role("link", name="API keys", exact=True).click()
    page.wait_for_url("**/dashboard/api-keys?env=*")

    create = page.locator("#key-create")
    create.get_by_label("Name").fill("storefront")
    create.get_by_label("Client key (browsers)").check()
    create.get_by_label("Allow uploads without an upload token").check()
    create.get_by_label("image/png").check()
    create.get_by_role("button", name="Create key").click()

    secret_element = page.locator("#new-secret-value")
    expect(secret_element).to_have_text(re.compile(r"^ck_\S{20,}$"))
    secret = secret_element.inner_text()
    expect(page.get_by_text("it is shown only once")).to_be_visible()
    page.get_by_role("button", name="Copy key").click()
    expect(page.locator("#flash")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    signed_in.check_accessibility()
    signed_in.screenshots("dashboard-api-keys-created")

    # The key works: a browser-style upload request is accepted by its settings.
    created = server.http.post(
        UPLOAD,
        json={"file_name": "a.png", "mime_type": "image/png", "content_length": 100},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert created.status_code == 200, created.text

    page.get_by_role("button", name="I have copied it").click()
    expect(page.locator("#flash")).to_contain_text("listed below, masked")
    item = page.locator("li.key", has=page.get_by_role("heading", name="storefront"))
    expect(item).to_contain_text(f"ck_****{secret[-4:]}")
    assert secret not in page.content()

    # A refused setting shows the API's message by its field; nothing changes.
    item.locator("summary").click()
    item.get_by_label("Largest upload (bytes)").fill("10")
    item.get_by_role("button", name="Save settings").click()
    expect(item.locator("[data-error-for=maximum_upload_bytes]")).to_contain_text(
        "between 5120 and 104857600"
    )
    item.get_by_label("Largest upload (bytes)").fill("6000")
    item.get_by_role("button", name="Save settings").click()
    expect(page.locator("#flash")).to_contain_text("Saved the settings of storefront")
    item = page.locator("li.key", has=page.get_by_role("heading", name="storefront"))
    expect(item).to_contain_text("at most 6,000 bytes")

    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    item.get_by_role("button", name="Revoke storefront").click()
    expect(page.locator("#flash")).to_contain_text("Revoked storefront")
    assert questions and "cannot be undone" in questions[0]
    expect(page.get_by_role("heading", name="storefront")).to_have_count(0)
    refused = server.http.post(
        UPLOAD,
        json={"file_name": "a.png", "mime_type": "image/png", "content_length": 100},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert refused.status_code == 401, refused.text
    signed_in.check_accessibility()
    signed_in.screenshots("dashboard-api-keys")
    signed_in.log.assert_stayed_on(server.url)


def test_a_dismissed_confirmation_revokes_nothing(signed_in: DashboardPage) -> None:
    page = signed_in.page
    signed_in.goto("/dashboard/api-keys")
    keys = page.locator("li.key")
    before = keys.count()
    assert before >= 2
    page.once("dialog", lambda dialog: dialog.dismiss())
    keys.first.locator("[data-revoke-key]").click()
    # A confirmed revoke would reload and flash; the dismissed one leaves the list as it was.
    expect(page.locator("#flash")).to_be_empty()
    expect(keys).to_have_count(before)
    listed = signed_in.server.http.get(
        "/api/v1/api_keys/",
        headers={
            **signed_in.server.admin,
            "X-Environment-Id": str(signed_in.server.environment_id),
        },
    )
    assert len(listed.json()) == before
