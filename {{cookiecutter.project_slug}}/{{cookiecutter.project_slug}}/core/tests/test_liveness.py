"""/health/live/ answers without any backing service: this module has no database access at
all (pytest-django refuses any query here), and the cache and the broker point nowhere."""

from django.test import Client


def test_liveness_asks_no_service(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
