import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_the_stylesheet(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert settings.SITE_NAME in response.text
    assert "css/project.css" in response.text
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
