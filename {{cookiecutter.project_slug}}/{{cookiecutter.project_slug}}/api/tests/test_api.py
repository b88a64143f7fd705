"""The JSON API as the Vue frontend uses it: session sign-in with CSRF, the user, the status."""

import pytest
from django.test import Client

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def browser() -> Client:
    """A client that checks CSRF like a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def ada() -> User:
    return UserFactory.create(username="ada", email="ada@example.com", password=PASSWORD)


def test_me_describes_an_anonymous_visitor_and_hands_over_a_csrf_token(browser: Client) -> None:
    me = browser.get("/api/me/").json()
    assert me["authenticated"] is False
    assert me["username"] == ""
    assert len(me["csrf_token"]) > 30


def test_sign_in_needs_the_csrf_token(browser: Client, ada: User) -> None:
    credentials = {"username": "ada", "password": PASSWORD}
    refused = browser.post("/api/session/", credentials, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    token = browser.get("/api/me/").json()["csrf_token"]
    signed_in = browser.post(
        "/api/session/", credentials, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert signed_in.status_code == 200
    assert signed_in.json()["username"] == "ada"
    assert browser.get("/api/me/").json() | {"csrf_token": ""} == {
        "authenticated": True,
        "username": "ada",
        "email": "ada@example.com",
        "is_staff": False,
        "csrf_token": "",
    }


def test_sign_in_with_a_wrong_password_is_refused(browser: Client, ada: User) -> None:
    token = browser.get("/api/me/").json()["csrf_token"]
    response = browser.post(
        "/api/session/",
        {"username": "ada", "password": "wrong"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Wrong username or password."}
    assert browser.get("/api/me/").json()["authenticated"] is False


def test_sign_out_ends_the_session_and_needs_the_csrf_token(browser: Client, ada: User) -> None:
    browser.force_login(ada)
    assert browser.delete("/api/session/").status_code == 403

    token = browser.get("/api/me/").json()["csrf_token"]
    response = browser.delete("/api/session/", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json()["authenticated"] is False
    assert browser.get("/api/me/").json()["authenticated"] is False


def test_health_gives_the_report_of_the_health_page(admin_client: Client, client: Client) -> None:
    api = admin_client.get("/api/health/")
    page = admin_client.get("/health/", headers={"Accept": "application/json"})
    assert api.status_code == page.status_code == 200
    assert api.json() == page.json()
    assert api.json()["services"]["database"] == "ok"
    assert client.get("/api/health/").json() == {"status": "ok"}


def test_schema_is_for_staff_only(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 403


def test_schema_documents_every_endpoint(admin_client: Client) -> None:
    response = admin_client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/me/", "/api/session/", "/api/health/"} <= set(paths)
    assert set(paths["/api/session/"]) == {"post", "delete"}
