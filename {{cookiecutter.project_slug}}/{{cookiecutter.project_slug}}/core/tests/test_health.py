"""/health/ against the services this run is configured with, and with each one unreachable.

An unreachable service is a URL on port 1 of this host, where nothing listens.
"""

import pytest
{%- if feature("celery") or feature("elasticsearch") %}
from django.conf import settings
{%- endif %}
from django.db import connections
from django.test import Client

pytestmark = pytest.mark.django_db


def expected_services() -> set[str]:
    services = {"database", "cache"}
{%- if feature("celery") %}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.add("broker")
{%- endif %}
{%- if feature("elasticsearch") %}
    if settings.ELASTICSEARCH_URL:
        services.add("search")
{%- endif %}
    return services


def test_all_services_up(client: Client) -> None:
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["services"]) == expected_services()
    assert set(body["services"].values()) == {"ok"}


def test_health_is_never_cached(client: Client) -> None:
    response = client.get("/health/")
    assert "no-cache" in response["Cache-Control"]


def assert_down(client: Client, service: str) -> None:
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "error"
    assert body["services"][service].startswith("error"), body
    assert [name for name, status in body["services"].items() if status != "ok"] == [service]


def test_database_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # New connections (the check opens its own, in another thread) read these settings.
    database = connections.settings["default"]
    if database["ENGINE"].endswith("sqlite3"):
        monkeypatch.setitem(database, "NAME", "/nonexistent/folder/db.sqlite3")
    else:
        monkeypatch.setitem(database, "HOST", "127.0.0.1")
        monkeypatch.setitem(database, "PORT", "1")
    assert_down(client, "database")
{%- if feature("redis_cache") %}


def test_cache_down(client: Client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert_down(client, "cache")
{%- endif %}
{%- if feature("celery") %}


def test_broker_down(client: Client, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
{%- if feature("rabbitmq") %}
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
{%- else %}
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
{%- endif %}
    assert_down(client, "broker")
{%- endif %}
{%- if feature("elasticsearch") %}


def test_search_down(client: Client, settings) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    assert_down(client, "search")
{%- endif %}
