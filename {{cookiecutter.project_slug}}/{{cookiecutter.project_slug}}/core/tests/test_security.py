"""The defenses every page and sign-in has: throttled logins, CSP, masked error reports."""

import pytest
from django.conf import settings
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SERVICE_PASSWORD = "s3cret-service-password"


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("fails/", fails)]


def test_admin_sign_in_is_refused_with_429_after_repeated_wrong_passwords() -> None:
    UserFactory.create(username="ada", is_staff=True)
    client = Client()
    statuses = [
        client.post("/admin/login/", {"username": "ada", "password": f"guess-{n}"}).status_code
        for n in range(30)
    ]
    assert statuses[0] == 200  # the form again, with an error
    assert 429 in statuses
    assert set(statuses[statuses.index(429) :]) == {429}
    # Locked: even the right password is refused now.
    assert client.post("/admin/login/", {"username": "ada", "password": PASSWORD}).status_code == 429
{%- if feature("vue") %}


def test_api_sign_in_is_refused_with_429_after_repeated_wrong_passwords() -> None:
    UserFactory.create(username="ada")
    client = Client(enforce_csrf_checks=True)
    token = client.get("/api/me/").json()["csrf_token"]

    def sign_in(password: str) -> int:
        return client.post(
            "/api/session/",
            {"username": "ada", "password": password},
            content_type="application/json",
            headers={"X-CSRFToken": token},
        ).status_code

    statuses = [sign_in(f"guess-{n}") for n in range(30)]
    assert statuses[0] == 400
    assert 429 in statuses
    assert sign_in(PASSWORD) == 429
{%- endif %}


def test_a_success_before_the_limit_resets_the_count() -> None:
    UserFactory.create(username="ada", is_staff=True)
    client = Client()
    for round_ in range(3):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post("/admin/login/", {"username": "ada", "password": f"guess-{round_}-{n}"})
        signed_in = client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
        assert signed_in.status_code == 302, round_
        client.logout()


def test_every_page_sends_a_content_security_policy_and_a_permissions_policy(client: Client) -> None:
    for url in ("/", "/admin/login/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy, url
        assert "camera=()" in response["Permissions-Policy"], url


@override_settings(
    ROOT_URLCONF=__name__,
    ADMINS=[("Ops", "ops@example.com")],
    SERVICE_URL_FOR_THE_TEST=f"postgres://app:{SERVICE_PASSWORD}@postgres:5432/app",
    NESTED_FOR_THE_TEST={"replicas": [f"redis://:{SERVICE_PASSWORD}@redis:6379/0"]},
)
def test_a_500_mails_a_report_without_the_credentials_of_service_urls() -> None:
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0].body
    assert "RuntimeError" in report
    assert "SERVICE_URL_FOR_THE_TEST" in report  # the settings are in the report...
    assert "postgres://********************@postgres:5432/app" in report
    assert "redis://********************@redis:6379/0" in report
    assert SERVICE_PASSWORD not in report  # ...but not the password in them
    assert settings.SECRET_KEY not in report


@override_settings(ROOT_URLCONF=__name__, ADMINS=[])
def test_without_admins_a_500_sends_no_report(capsys: pytest.CaptureFixture[str]) -> None:
    """What production does without SMTP: the traceback in the logs, no settings dump anywhere."""
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    assert mail.outbox == []
    assert "SECRET_KEY" not in capsys.readouterr().err
