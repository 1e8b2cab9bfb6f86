"""The CORS page in Chromium: an origin added through the form is allowed by the explain form,
the API's message for a bad pattern shows next to the field, and a fetch that a page on
another loopback origin makes and this server refuses shows up in the refused-origins log."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import PageOrigins, page_origins
from tests.dashboard.browser.conftest import DashboardPage

__all__ = ["page_origins"]


def _open_cors(dashboard: DashboardPage) -> Page:
    dashboard.page.get_by_role("link", name="CORS", exact=True).click()
    dashboard.page.wait_for_url("**/dashboard/cors?env=*")
    return dashboard.page


def _client_key(dashboard: DashboardPage) -> str:
    server = dashboard.server
    response = server.http.post(
        "/api/v1/api_keys/",
        json={"name": "browser", "key_type": "CLIENT"},
        headers={**server.admin, "X-Environment-Id": str(server.environment_id)},
    )
    assert response.status_code == 200, response.text
    key: str = response.json()["client_key"]
    return key


def test_an_added_origin_is_explained_as_allowed(signed_in: DashboardPage) -> None:
    page = _open_cors(signed_in)
    page.get_by_label("Pattern", exact=True).fill("*.com")
    page.get_by_role("button", name="Add origin").click()
    # The API's 422 message, next to the field, and the field marked invalid.
    message = page.locator("#new-pattern-error")
    expect(message).to_contain_text("public suffix")
    expect(page.get_by_label("Pattern", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Pattern", exact=True).fill("https://app.example.com")
    page.get_by_role("button", name="Add origin").click()
    expect(page.locator("#flash")).to_contain_text("Added https://app.example.com")
    expect(page.locator("#origins input[name=pattern]")).to_have_value("https://app.example.com")

    page.get_by_label("Origin", exact=True).fill("https://app.example.com")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#explain-verdict")).to_have_text("Allowed")
    expect(page.locator("#explain-result")).to_contain_text("https://app.example.com")

    page.get_by_label("Origin", exact=True).fill("https://evil.example.org")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#explain-verdict")).to_have_text("Refused")
    expect(page.locator("#explain-result")).to_contain_text("No pattern")
    signed_in.check_accessibility()
    signed_in.screenshots("dashboard-cors-explained")
    signed_in.log.assert_stayed_on(signed_in.server.url)
    # Chromium logs the refused write; nothing else went wrong (no CSP refusal, no script error).
    assert signed_in.log.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]


def test_a_policy_refusal_shows_by_its_field(signed_in: DashboardPage) -> None:
    page = _open_cors(signed_in)
    page.get_by_label("Preflight cache (seconds)").fill("90000")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#policy-max_age-error")).to_contain_text("between 0 and 86400")
    page.get_by_label("Preflight cache (seconds)").fill("600")
    page.get_by_label("Mode").select_option("report_only")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#flash")).to_contain_text("Policy saved")
    expect(page.get_by_label("Preflight cache (seconds)")).to_have_value("600")
    expect(page.get_by_label("Mode")).to_have_value("report_only")


def test_a_refused_fetch_appears_in_the_log(
    signed_in: DashboardPage, page_origins: PageOrigins
) -> None:
    page = _open_cors(signed_in)
    page.get_by_label("Pattern", exact=True).fill(page_origins.allowed_pattern)
    page.get_by_role("button", name="Add origin").click()
    expect(page.locator("#flash")).to_contain_text("Added")
    expect(page.locator("#rejections-empty")).to_be_visible()

    # A page on another loopback origin uploads with a client key: its preflight is refused.
    client_key = _client_key(signed_in)
    other = page.context.new_page()
    other.goto(page_origins.other + "/")
    outcome = other.evaluate(
        """async ([url, key]) => {
          try {
            await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${key}`,
              "Content-Type": "application/json" }, body: "{}" });
            return "served";
          } catch (error) { return "blocked"; }
        }""",
        [signed_in.server.url + "/api/v1/images/standard_upload", client_key],
    )
    assert outcome == "blocked"
    other.close()

    with page.expect_navigation():
        page.get_by_role("link", name="Refresh").click()
    row = page.locator("#rejections tbody tr", has_text=page_origins.other)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("origin_not_allowed")
    expect(row.locator("td.number")).to_have_text("1")
    signed_in.check_accessibility()
    signed_in.screenshots("dashboard-cors-refused")
    # The dashboard's own requests stayed on its server (the other page is another tab).
    signed_in.log.assert_stayed_on(signed_in.server.url)
