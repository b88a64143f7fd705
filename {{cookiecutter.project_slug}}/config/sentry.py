"""Error reporting with sentry-sdk, to Sentry or any compatible tracker (GlitchTip locally)."""

import sentry_sdk
{%- if feature("celery") %}
from sentry_sdk.integrations.celery import CeleryIntegration
{%- endif %}
from sentry_sdk.integrations.django import DjangoIntegration
{%- if feature("redis") %}
from sentry_sdk.integrations.redis import RedisIntegration
{%- endif %}


def init_sentry(dsn: str, environment: str, release: str, traces_sample_rate: float = 0.0) -> None:
    """Start reporting to `dsn`. The settings call it only when SENTRY_DSN is set.

    The SDK's defaults keep personal data (user names, addresses, cookies) out of the reports.
    """
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        integrations=[
            DjangoIntegration(),
{%- if feature("celery") %}
            CeleryIntegration(monitor_beat_tasks=True),
{%- endif %}
{%- if feature("redis") %}
            RedisIntegration(),
{%- endif %}
        ],
    )
