import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.users.models import User

pytestmark = pytest.mark.django_db


def test_the_custom_user_model_is_active() -> None:
    assert get_user_model() is User


def test_str_prefers_the_name(user: User) -> None:
    assert str(user) == user.name
    user.name = ""
    assert str(user) == user.username


def test_passwords_are_hashed(user: User) -> None:
    assert user.password != "correct horse battery staple"
    assert user.check_password("correct horse battery staple")


def test_createsuperuser_runs_without_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command("createsuperuser", interactive=False, username="admin", email="admin@example.com")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("a-long-admin-password")


def test_admin_lists_and_searches_users(admin_client: Client, user: User) -> None:
    response = admin_client.get(reverse("admin:users_user_changelist"), {"q": user.username})
    assert response.status_code == 200
    assert user.username in response.text


def test_admin_adds_a_user(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:users_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "a-long-fresh-password",
            "password2": "a-long-fresh-password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert User.objects.get(username="newcomer").check_password("a-long-fresh-password")


def test_admin_edits_a_user(admin_client: Client, user: User) -> None:
    response = admin_client.get(reverse("admin:users_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert user.email in response.text
