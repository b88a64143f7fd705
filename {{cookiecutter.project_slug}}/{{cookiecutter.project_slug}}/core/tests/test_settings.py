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


def production_value(tmp_path: Path, expression: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """`expression` evaluated over the production settings, with the services configured."""
    return manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(repr(({expression})))",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ENV_DIR=str(tmp_path),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **SERVICE_VARIABLES,
        **variables,
    )


def test_production_mails_error_reports_only_through_smtp(tmp_path: Path) -> None:
    without_smtp = production_value(tmp_path, "settings.ADMINS, settings.MANAGERS")
    assert without_smtp.stdout.strip() == "([], [])", without_smtp.stderr
    with_smtp = production_value(
        tmp_path, "settings.ADMINS", DJANGO_EMAIL_URL="smtp+tls://user:password@smtp.example.com:587"
    )
    assert {{ cookiecutter.email | tojson }} in with_smtp.stdout, with_smtp.stderr


def test_production_believes_x_forwarded_proto_only_from_a_proxy_that_sets_it(tmp_path: Path) -> None:
    default = production_value(tmp_path, "settings.SECURE_PROXY_SSL_HEADER")
{%- if feature("nginx") %}
    # nginx (compose/nginx/site.template) overwrites whatever the client sent.
    assert default.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", default.stderr
{%- else %}
    # Nothing in front of gunicorn overwrites the header: a client could claim HTTPS.
    assert default.stdout.strip() == "None", default.stderr
{%- endif %}
    header = "settings.SECURE_PROXY_SSL_HEADER"
    refused = production_value(tmp_path, header, DJANGO_TRUST_X_FORWARDED_PROTO="False")
    assert refused.stdout.strip() == "None", refused.stderr
    trusted = production_value(tmp_path, header, DJANGO_TRUST_X_FORWARDED_PROTO="True")
    assert trusted.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", trusted.stderr


def test_production_hsts_is_a_year_with_preload_as_a_checked_opt_in(tmp_path: Path) -> None:
    hsts = (
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD"
    )
    default = production_value(tmp_path, hsts)
    assert default.stdout.strip() == "(31536000, True, False)", default.stderr
    preloaded = production_value(tmp_path, hsts, DJANGO_SECURE_HSTS_PRELOAD="True")
    assert preloaded.stdout.strip() == "(31536000, True, True)", preloaded.stderr
    too_short = production_value(
        tmp_path, hsts, DJANGO_SECURE_HSTS_PRELOAD="True", DJANGO_SECURE_HSTS_SECONDS="60"
    )
    assert too_short.returncode != 0
    assert "DJANGO_SECURE_HSTS_PRELOAD needs" in too_short.stderr
