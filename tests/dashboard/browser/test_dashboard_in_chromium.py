"""The dashboard as a person uses it, in Chromium: sign in through the form, visit every page
of the navigation, sign out; every request stays on the server, axe-core finds nothing serious,
the strict Content-Security-Policy refuses nothing the pages need."""

from __future__ import annotations

from imgwired.web.dashboard.nav import NAV
from tests.dashboard.browser.conftest import DashboardPage

COOKIE = "imgwired_session"


def test_every_page_in_the_navigation(signed_in: DashboardPage) -> None:
    page = signed_in.page
    assert page.get_by_role("heading", level=1).inner_text() == "Images"
    for item in NAV:
        page.get_by_role("navigation", name="Dashboard").get_by_role(
            "link", name=item.title, exact=True
        ).click()
        page.wait_for_url(f"**{item.path}?env=*")
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == item.title
        current = page.locator("nav a[aria-current=page]")
        assert current.inner_text() == item.title
        # dashboard.js ran (a module of this origin, allowed by the policy).
        page.wait_for_function("document.documentElement.classList.contains('js')")
        signed_in.check_accessibility()
        for shot in signed_in.screenshots(f"dashboard-{item.slug}"):
            assert shot.stat().st_size > 1000
    signed_in.log.assert_stayed_on(signed_in.server.url)
    signed_in.log.assert_no_console_errors()


def test_the_sign_in_page_is_accessible(open_dashboard: DashboardPage) -> None:
    open_dashboard.goto("/dashboard/sign-in")
    open_dashboard.check_accessibility()
    open_dashboard.screenshots("dashboard-sign-in")
    # A wrong token: the form again, with the error announced.
    open_dashboard.page.get_by_label("Admin token or server key").fill("sk_" + "x" * 43)
    open_dashboard.page.get_by_role("button", name="Sign in").click()
    alert = open_dashboard.page.get_by_role("alert")
    assert "not a valid" in alert.inner_text()
    assert not [c for c in open_dashboard.page.context.cookies() if c["name"] == COOKIE]
    open_dashboard.check_accessibility()
    open_dashboard.log.assert_stayed_on(open_dashboard.server.url)


def test_the_cookie_is_http_only_and_strict(signed_in: DashboardPage) -> None:
    (cookie,) = [c for c in signed_in.page.context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    # Scripts cannot see it.
    assert COOKIE not in signed_in.page.evaluate("document.cookie")


def test_sign_out_ends_the_session(signed_in: DashboardPage) -> None:
    page = signed_in.page
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/dashboard/sign-in")
    signed_in.goto("/dashboard/images")
    assert page.url.endswith("/dashboard/sign-in")
    # The old cookie, put back, opens nothing: the session is gone on the server.
    page.context.add_cookies([cookie])
    signed_in.goto("/dashboard/images")
    assert page.url.endswith("/dashboard/sign-in")
    signed_in.log.assert_stayed_on(signed_in.server.url)


def test_page_scripts_call_the_api_with_the_session(signed_in: DashboardPage) -> None:
    """dashboard.js's api(): the cookie, X-Environment-Id and the CSRF token, from the page."""
    status = signed_in.page.evaluate(
        """async () => {
          const { api } = await import("/dashboard/static/dashboard.js");
          const created = await api("/api/v1/cors_origins/", {
            method: "POST", json: { pattern: "app.example.com" } });
          const listed = await api("/api/v1/cors_origins/");
          const forged = await fetch("/api/v1/cors_origins/", {
            method: "POST", headers: { "Content-Type": "application/json",
              "X-Environment-Id": document.querySelector('meta[name="environment-id"]').content },
            body: JSON.stringify({ pattern: "b.example.com" }) });
          return [created.status, (await listed.json()).map((row) => row.pattern), forged.status];
        }"""
    )
    assert status == [200, ["app.example.com"], 403]


def test_the_browser_sdk_loads_under_the_policy(signed_in: DashboardPage) -> None:
    signed_in.page.get_by_role("link", name="Upload", exact=True).click()
    signed_in.page.wait_for_url("**/dashboard/upload?env=*")
    exported = signed_in.page.evaluate(
        "async () => Object.keys(await import('/sdk/imgwire.js')).sort()"
    )
    assert exported, "the SDK module exported nothing"
    signed_in.log.assert_no_console_errors()
    assert any(url.endswith("/sdk/imgwire.js") for url in signed_in.log.requests)
    signed_in.log.assert_stayed_on(signed_in.server.url)


def test_the_policy_refuses_what_it_should(signed_in: DashboardPage) -> None:
    """Inline script and a script from another origin are refused: the policy is enforced,
    not only sent."""
    page = signed_in.page
    refused = page.evaluate(
        """() => new Promise((resolve) => {
          const seen = [];
          document.addEventListener("securitypolicyviolation", (event) => {
            seen.push(event.violatedDirective);
            if (seen.length === 2) resolve(seen.sort());
          });
          const inline = document.createElement("script");
          inline.textContent = "window.inlineRan = true";
          document.head.append(inline);
          const foreign = document.createElement("script");
          foreign.src = "http://127.0.0.2:9/x.js";
          document.head.append(foreign);
        })"""
    )
    assert [directive.split("-elem")[0] for directive in refused] == ["script-src"] * 2
    assert page.evaluate("window.inlineRan === undefined")


def test_the_environment_switcher(signed_in: DashboardPage) -> None:
    server = signed_in.server
    created = server.http.post(
        "/api/v1/environments/", json={"name": "staging"}, headers=server.admin
    )
    assert created.status_code == 200, created.text
    page = signed_in.page
    signed_in.goto("/dashboard/cors")
    page.get_by_label("Environment").select_option(label="staging")
    page.wait_for_url(f"**env={created.json()['id']}")
    assert (
        page.locator('meta[name="environment-id"]').get_attribute("content")
        == (created.json()["id"])
    )
    signed_in.check_accessibility()
