"""The services behind /health/, each probed by a django-health-check check.

Probes run at most once per HEALTH_CHECK_CACHE_SECONDS in each web process, whatever the rate of
requests: monitors and load balancers polling /health/ fast cannot load the services (or the
site) with probes. Load balancers poll /health/live/, which probes nothing.

Service names in the JSON answer (only those this deployment uses):
- database: the default database, with `SELECT 1`;
- cache: a write and a read through Django's default cache{% if feature("redis_cache") %} (Redis when REDIS_URL is set){% endif %};
{%- if feature("celery") %}
- broker: a connection to the Celery broker ({% if feature("rabbitmq") %}RabbitMQ{% else %}Redis{% endif %}), unless tasks run eagerly without one;
{%- endif %}
{%- if feature("elasticsearch") %}
- search: the Elasticsearch cluster's health (red is down), when ELASTICSEARCH_URL is set.
{%- endif %}
"""

import asyncio
import dataclasses
{%- if feature("elasticsearch") %}
import datetime
{%- endif %}
import secrets
import threading
import time

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest
{% if feature("elasticsearch") -%}
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as elasticsearch_errors
{% endif -%}
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
{%- if feature("rabbitmq") %}
from health_check.contrib.rabbitmq import RabbitMQ
{%- elif feature("celery") %}
from health_check.contrib.redis import Redis
{%- endif %}
{%- if feature("elasticsearch") %}
from health_check.exceptions import ServiceUnavailable
{%- endif %}
{%- if feature("celery") and not feature("rabbitmq") %}
from redis.asyncio import Redis as RedisClient
{%- endif %}
{%- if feature("elasticsearch") %}


@dataclasses.dataclass
class ElasticsearchCluster(HealthCheck):
    """Down when the cluster does not answer or reports red (a primary shard is unassigned)."""

    url: str = dataclasses.field(repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=5), repr=False)

    def run(self) -> None:
        # One attempt: the client's retries and dead-node back-off would outlast the probe.
        client = Elasticsearch(self.url, request_timeout=self.timeout.total_seconds(), max_retries=0)
        try:
            status = client.cluster.health()["status"]
        except elasticsearch_errors.ApiError as error:
            raise ServiceUnavailable(f"Elasticsearch answered {error.meta.status}") from error
        except elasticsearch_errors.TransportError as error:
            raise ServiceUnavailable("Unable to connect to Elasticsearch") from error
        finally:
            client.close()
        if status == "red":
            raise ServiceUnavailable("Elasticsearch cluster status is red")
{%- endif %}


def configured_checks() -> dict[str, HealthCheck]:
    """Service name -> its check, read from the settings at each request."""
    checks: dict[str, HealthCheck] = {"database": Database(), "cache": Cache()}
{%- if feature("celery") %}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
{%- if feature("rabbitmq") %}
        checks["broker"] = RabbitMQ(amqp_url=settings.CELERY_BROKER_URL)
{%- else %}
        broker_url = settings.CELERY_BROKER_URL
        checks["broker"] = Redis(client_factory=lambda: RedisClient.from_url(broker_url))
{%- endif %}
{%- endif %}
{%- if feature("elasticsearch") %}
    if settings.ELASTICSEARCH_URL:
        checks["search"] = ElasticsearchCluster(url=settings.ELASTICSEARCH_URL)
{%- endif %}
    return checks


@dataclasses.dataclass(frozen=True)
class Report:
    """Service name -> "ok" or "error: <reason>", as probed at `taken_at` (time.monotonic())."""

    services: dict[str, str]
    taken_at: float

    @property
    def healthy(self) -> bool:
        return all(state == "ok" for state in self.services.values())


async def probe() -> dict[str, str]:
    """Every configured service, probed concurrently."""
    checks = configured_checks()
    results = await asyncio.gather(*(check.get_result(None) for check in checks.values()))
    return {
        name: f"error: {result.error}" if result.error else "ok"
        for name, result in zip(checks, results, strict=True)
    }


_last_report: Report | None = None
# One probe at a time per process: threads (gthread workers) arriving meanwhile wait and share it.
_probing = threading.Lock()


def current_report() -> Report:
    """The last report if younger than HEALTH_CHECK_CACHE_SECONDS, else a new probe."""
    global _last_report
    with _probing:
        report = _last_report
        if report is None or time.monotonic() - report.taken_at >= settings.HEALTH_CHECK_CACHE_SECONDS:
            started = time.monotonic()
            report = _last_report = Report(async_to_sync(probe)(), started)
        return report


def forget_report() -> None:
    """Probe again at the next request (tests that take a service down)."""
    global _last_report
    _last_report = None


def may_see_details(request: HttpRequest) -> bool:
    """Staff, or a caller presenting HEALTH_CHECK_TOKEN in the X-Health-Check-Token header.

    Anyone else learns the overall status only: which service fails, and why, tells an attacker
    what the site runs on and when it is weak.
    """
    token = settings.HEALTH_CHECK_TOKEN
    presented = request.headers.get("X-Health-Check-Token", "")
    if token and presented and secrets.compare_digest(presented.encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)
