"""/health/ against the services this run is configured with, and with each one unreachable;
/health/live/, which asks no service.

An unreachable service is a URL on port 1 of this host, where nothing listens.
"""

from collections.abc import Iterator

import pytest
{%- if feature("celery") or feature("elasticsearch") %}
from django.conf import settings
{%- endif %}
from django.db import connections
from django.test import Client

from {{ cookiecutter.project_slug }}.core import health

pytestmark = pytest.mark.django_db

TOKEN = "a-health-token-of-the-test"


@pytest.fixture(autouse=True)
def fresh_probe(settings) -> Iterator[None]:
    """Each test probes anew; the token is one of the test's."""
    settings.HEALTH_CHECK_TOKEN = TOKEN
    health.forget_report()
    yield
    health.forget_report()


@pytest.fixture
def client() -> Client:
    """A caller allowed to see the services' details."""
    return Client(headers={"X-Health-Check-Token": TOKEN})


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
    for url in ("/health/", "/health/live/"):
        assert "no-cache" in client.get(url)["Cache-Control"], url


def test_anonymous_callers_get_the_status_only() -> None:
    for headers in ({}, {"X-Health-Check-Token": "a wrong token"}):
        response = Client(headers=headers).get("/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}, headers


def test_no_token_configured_accepts_none(settings) -> None:
    settings.HEALTH_CHECK_TOKEN = ""
    response = Client(headers={"X-Health-Check-Token": ""}).get("/health/")
    assert response.json() == {"status": "ok"}


def test_staff_get_the_details(admin_client: Client) -> None:
    body = admin_client.get("/health/").json()
    assert set(body["services"]) == expected_services()


def test_anonymous_callers_learn_a_failure_but_not_which(monkeypatch: pytest.MonkeyPatch) -> None:
    take_database_down(monkeypatch)
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_probes_are_reused_within_the_cache_time(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    probes = []
    real_probe = health.probe

    async def counted_probe() -> dict[str, str]:
        probes.append(1)
        return await real_probe()

    monkeypatch.setattr(health, "probe", counted_probe)
    for _ in range(5):
        assert client.get("/health/").status_code == 200
    assert len(probes) == 1
    # Once the report is older than the cache time, the next request probes again.
    settings.HEALTH_CHECK_CACHE_SECONDS = 0
    client.get("/health/")
    assert len(probes) == 2


def assert_down(client: Client, service: str) -> None:
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "error"
    assert body["services"][service].startswith("error"), body
    assert [name for name, status in body["services"].items() if status != "ok"] == [service]


def take_database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # New connections (the check opens its own, in another thread) read these settings.
    database = connections.settings["default"]
    if database["ENGINE"].endswith("sqlite3"):
        monkeypatch.setitem(database, "NAME", "/nonexistent/folder/db.sqlite3")
    else:
        monkeypatch.setitem(database, "HOST", "127.0.0.1")
        monkeypatch.setitem(database, "PORT", "1")


def test_database_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    take_database_down(monkeypatch)
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
