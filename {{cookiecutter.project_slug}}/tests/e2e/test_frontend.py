"""The Vue app as production serves it: the Vite build from nginx, its data from Django's API."""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from .conftest import Account


def test_the_vue_page_shows_data_from_the_api(page: Page, staff_user: Account, screenshot):
    responses: list[Response] = []
    console: list[str] = []
    # Functions of ours: Playwright tags its handlers, which a bound method of a list refuses.
    page.on("response", lambda response: responses.append(response))
    page.on("console", lambda message: console.append(message.text))
    with page.expect_response("**/api/me/") as me:
        app = page.goto("/app/")
    assert me.value.json()["authenticated"] is False
    # The page runs under the production Content-Security-Policy, and nothing of it is blocked.
    assert app is not None
    assert "script-src 'self'" in app.headers["content-security-policy"]

    # The app's code is the hashed bundle of `vite build`, a static file that nginx serves.
    scripts = [response for response in responses if response.request.resource_type == "script"]
    bundles = [response for response in scripts if "/static/frontend/assets/" in response.url]
    assert bundles, f"no script of the Vite build was loaded: {[response.url for response in scripts]}"
    assert all(response.status == 200 for response in bundles)
    assert all(response.headers.get("x-served-by") == "nginx" for response in bundles)

    current_user = page.get_by_test_id("current-user")
    expect(current_user).to_have_text("Not signed in")
    # Rendered from /api/health/, which lists the services for staff only.
    expect(page.get_by_test_id("service-status")).to_have_text("All systems operational")
    expect(page.locator(".services li")).to_have_count(0)

    # Signing in through the API: the name shown is this run's fresh user, so it can only have
    # come from the server.
    page.fill("#sign-in-username", staff_user.username)
    page.fill("#sign-in-password", staff_user.password)
    with page.expect_response("**/api/session/") as session:
        page.get_by_role("button", name="Sign in").click()
    assert session.value.status == 200
    expect(current_user).to_have_text(f"Signed in as {staff_user.username}")
    screenshot(page, "frontend")
    violations = [text for text in console if "Content Security Policy" in text]
    assert not violations, violations
