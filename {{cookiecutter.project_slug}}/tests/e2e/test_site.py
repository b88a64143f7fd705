"""The site through the front door: health, pages, security headers, the admin in a browser."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from .conftest import Account, fetch, manage

SITE_NAME = {{ cookiecutter.project_name | py_string }}


def test_health_answers_200_with_every_service_up():
    # Anonymous callers learn the overall status only; the services are listed for staff.
    response = fetch("/health/", headers={"Accept": "application/json"})
    assert response.status == 200, response.body
    assert json.loads(response.body) == {"status": "ok"}
    live = fetch("/health/live/")
    assert live.status == 200, live.body


def test_pages_carry_the_security_headers_of_the_production_settings():
    response = fetch("/")
    assert response.status == 200
    assert response.header("X-Frame-Options") == "DENY"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "same-origin"
    assert response.header("Cross-Origin-Opener-Policy") == "same-origin"
    policy = response.header("Content-Security-Policy")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "camera=()" in response.header("Permissions-Policy")


def test_a_client_s_own_x_forwarded_proto_is_not_believed():
    # nginx tells Django the scheme of its own connection (plain HTTP here), whatever the client
    # claims; only a load balancer named in NGINX_TRUSTED_PROXY is believed. Django sends HSTS
    # only over HTTPS, so a believed forgery would show as the header.
    response = fetch("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "Strict-Transport-Security" not in response.headers


# Run by Django's test client inside the production settings, with the HTTPS redirect at its
# production default (host-up turns it off: nothing answers https:// on this host) and the
# production domain, the one host the production env file allows.
REDIRECT_PROBE = """
import json
from django.test import Client
client = Client(HTTP_HOST="{{ cookiecutter.domain_name }}")
page = client.get("/")
health = client.get("/health/")
secure = client.get("/", secure=True)
print(json.dumps({
    "page": [page.status_code, page.get("Location")],
    "health": health.status_code,
    "secure": [secure.status_code, secure.get("Strict-Transport-Security")],
}))
"""


def test_production_settings_redirect_http_to_https_except_health():
    probe = manage("shell", "--no-startup", "-c", REDIRECT_PROBE, env={"DJANGO_SECURE_SSL_REDIRECT": "True"})
    result = json.loads(probe.strip().splitlines()[-1])
    assert result["page"] == [301, "https://{{ cookiecutter.domain_name }}/"]
    assert result["health"] == 200
    status, hsts = result["secure"]
    assert status == 200
    assert hsts.startswith("max-age=")
    assert "includeSubDomains" in hsts


def test_home_page_renders_with_its_stylesheet(page: Page, screenshot):
    page.goto("/")
    expect(page.locator("h1")).to_have_text(SITE_NAME)
    # The stylesheet came through: the header is laid out by project.css, not the browser default.
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    assert screenshot(page, "home").stat().st_size > 0


def test_admin_login_as_a_user_made_by_the_test(logged_in_page: Page, staff_user: Account, screenshot):
    page = logged_in_page
    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text(staff_user.username)
    assert screenshot(page, "admin").stat().st_size > 0
