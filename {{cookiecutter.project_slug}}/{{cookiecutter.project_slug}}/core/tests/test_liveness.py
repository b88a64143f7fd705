"""/health/live/ answers without any backing service: this module has no database access at
all (pytest-django refuses any query here){% if feature("redis_cache") %}, and the cache points where nothing listens{% endif %}."""

from django.test import Client


def test_liveness_asks_no_service({% if feature("redis_cache") %}settings{% endif %}) -> None:
{%- if feature("redis_cache") %}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
{%- endif %}
    response = Client().get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
