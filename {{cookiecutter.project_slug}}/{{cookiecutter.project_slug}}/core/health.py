"""The services behind /health/, each probed by a django-health-check check.

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

{% if feature("elasticsearch") -%}
import dataclasses
import datetime

{% endif -%}
{% if feature("celery") or feature("elasticsearch") -%}
from django.conf import settings
{% endif -%}
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
