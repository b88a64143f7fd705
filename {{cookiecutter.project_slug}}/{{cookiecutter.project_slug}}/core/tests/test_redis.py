"""The cache and the sessions live in the real Redis of REDIS_URL."""

import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.backends.cache import KEY_PREFIX as SESSION_KEY_PREFIX
from django.core.cache import cache
from django.test import Client

from {{ cookiecutter.project_slug }}.users.models import User

pytestmark = pytest.mark.service("cache")


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"REDIS_URL is set but Redis does not answer: {error}", pytrace=False)
    yield client
    client.close()


def test_the_cache_writes_to_redis(redis_client: redis.Redis) -> None:
    key = f"test-{uuid.uuid4().hex}"
    cache.set(key, {"answer": 42}, timeout=60)
    try:
        assert redis_client.exists(cache.make_key(key)) == 1
        assert redis_client.ttl(cache.make_key(key)) > 0
        assert cache.get(key) == {"answer": 42}
    finally:
        cache.delete(key)
    assert redis_client.exists(cache.make_key(key)) == 0


@pytest.mark.django_db
def test_sessions_live_in_redis(client: Client, user: User, redis_client: redis.Redis) -> None:
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    client.force_login(user)
    session_key = client.session.session_key
    assert session_key is not None
    stored = cache.make_key(SESSION_KEY_PREFIX + session_key)
    assert redis_client.exists(stored) == 1
    client.logout()
    assert redis_client.exists(stored) == 0
