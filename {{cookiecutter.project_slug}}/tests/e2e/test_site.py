"""The site through the front door: health, pages, security headers, the admin in a browser."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from .conftest import Account, fetch, manage

SITE_NAME = {{ cookiecutter.project_name | py_string }}
SERVICES = {"database", "cache"{% if feature("celery") %}, "broker"{% endif %}}


def test_health_answers_200_with_every_service_up():
    response = fetch("/health/", headers={"Accept": "application/json"})
    assert response.status == 200, response.body
    report = json.loads(response.body)
    assert report["status"] == "ok"
    assert set(report["services"]) >= SERVICES
    assert all(state == "ok" for state in report["services"].values()), report["services"]


def test_pages_carry_the_security_headers_of_the_production_settings():
    response = fetch("/")
    assert response.status == 200
    assert response.header("X-Frame-Options") == "DENY"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "same-origin"
    assert response.header("Cross-Origin-Opener-Policy") == "same-origin"


def test_https_reported_by_a_tls_proxy_gets_hsts():
    # nginx keeps the X-Forwarded-Proto of a load balancer in front of it; Django then knows
    # the visitor came over HTTPS and tells the browser to keep to it.
    response = fetch("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.header("Strict-Transport-Security").startswith("max-age=")
    # Browsers ignore HSTS over plain HTTP, and Django does not send it there.
    assert "Strict-Transport-Security" not in fetch("/").headers


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
