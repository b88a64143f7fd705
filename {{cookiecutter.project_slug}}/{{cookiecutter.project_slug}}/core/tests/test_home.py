import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_the_stylesheet(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert settings.SITE_NAME in response.text
    assert "css/project.css" in response.text


def test_home_page_tells_how_to_create_the_first_admin_in_debug_only(client: Client, settings) -> None:
    settings.DEBUG = True
    assert "make createsuperuser" in client.get("/").text
    get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-test-password")
    assert "make createsuperuser" not in client.get("/").text
    get_user_model().objects.all().delete()
    settings.DEBUG = False
    assert "make createsuperuser" not in client.get("/").text
{%- if feature("celery") or feature("elasticsearch") %}


def test_home_page_links_the_optional_apps(client: Client) -> None:
    response = client.get("/")
{%- if feature("celery") %}
    assert 'href="/tasks/"' in response.text
{%- endif %}
{%- if feature("elasticsearch") %}
    assert 'href="/search/"' in response.text
{%- endif %}
{%- endif %}
