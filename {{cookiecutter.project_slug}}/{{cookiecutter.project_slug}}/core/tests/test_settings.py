"""Each settings module, loaded in a fresh process with a controlled environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Every variable that points the project at a service.
SERVICE_VARIABLES = {
    "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
{%- if feature("redis_cache") %}
    "REDIS_URL": "redis://127.0.0.1:6379/0",
{%- endif %}
{%- if feature("rabbitmq") %}
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
{%- elif feature("celery") %}
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
{%- endif %}
{%- if feature("elasticsearch") %}
    "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
{%- endif %}
}


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SERVICE_VARIABLES and not name.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**environment, **variables},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_local_settings_run_embedded_without_services() -> None:
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Embedded mode:") == 1
    for variable in SERVICE_VARIABLES:
        assert variable in result.stderr


def test_production_refuses_a_missing_service(tmp_path: Path) -> None:
    configured = {name: value for name, value in SERVICE_VARIABLES.items() if name != "DATABASE_URL"}
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ENV_DIR=str(tmp_path),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **configured,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_reads_the_host_env_files_and_passes_the_deployment_checklist(tmp_path: Path) -> None:
    (tmp_path / ".django").write_text(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")
    (tmp_path / ".services").write_text("".join(f"{name}={url}\n" for name, url in SERVICE_VARIABLES.items()))
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ENV_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
