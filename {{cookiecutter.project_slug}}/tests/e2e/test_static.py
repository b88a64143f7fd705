"""Static files come from nginx itself, with caching and security headers; gunicorn never sees them."""

from __future__ import annotations

import re
import secrets

from .conftest import LOG_DIR, fetch


def stylesheet_url() -> str:
    """The hashed URL of the project's stylesheet, as the home page links it."""
    html = fetch("/").body.decode()
    match = re.search(r'href="(/static/css/project\.[0-9a-f]{12}\.css)"', html)
    assert match, "the home page links no hashed project.css (collectstatic with the manifest storage)"
    return match.group(1)


def test_static_files_are_served_by_nginx_with_caching_headers():
    # A marker in the query string, to look for this very request in gunicorn's access log.
    marker = secrets.token_hex(8)
    response = fetch(f"{stylesheet_url()}?e2e={marker}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("Content-Type").startswith("text/css")
    # Set by nginx's static location only; a response from gunicorn (whitenoise) never has it.
    assert response.header("X-Served-By") == "nginx"
    assert marker not in (LOG_DIR / "web.log").read_text(), "the request went through to gunicorn"
    # A hashed name never changes content: cached for a year, never revalidated.
    assert response.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.header("Content-Encoding") == "gzip"
    # nginx's own responses carry the security headers too.
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("X-Frame-Options") == "DENY"
