"""Production settings: everything from the environment, HTTPS only, no embedded stand-ins.

Runs the same in the production compose stack and on a bare-metal host (Supervisor, nginx).
On a host, the generated env files (`.envs/.production/.*`, or the files of the folder named by
DJANGO_ENV_DIR) fill in whatever the process environment does not set; the process environment
always wins, so compose's `env_file` and Supervisor's `environment` work unchanged.
"""

import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

ENV_DIR = Path(
    os.environ.get("DJANGO_ENV_DIR", Path(__file__).resolve().parent.parent.parent / ".envs" / ".production")
)
# `.django`, `.postgres`...; not an editor's `.django.swp` or `.django~`.
for env_file in sorted(ENV_DIR.glob(".[a-z]*")):
    if env_file.is_file() and re.fullmatch(r"\.[a-z][a-z0-9_]*", env_file.name):
        environ.Env.read_env(env_file, overwrite=False)

from .base import *  # noqa: E402, F403
from .base import EMBEDDED_SERVICES, LOGGING, STORAGES, env{% if cookiecutter.django_version != "5.2" %}, mailer{% endif %}  # noqa: E402

if EMBEDDED_SERVICES:
    raise ImproperlyConfigured(
        "Production needs every service configured; unset: "
        + ", ".join(f"{variable} ({service})" for service, variable in EMBEDDED_SERVICES.items())
    )

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
{%- if cookiecutter.django_version != "5.2" %}
# Mail goes out through SMTP: DJANGO_EMAIL_URL, or else Django's own default, a relay on
# localhost:25. The console backend of development would drop every message.
MAILERS = {"default": mailer(env.str("DJANGO_EMAIL_URL", default="smtp://localhost:25"))}
if not env.str("DJANGO_EMAIL_URL", default=""):
    # No mail server named: error reports go to the logs only. With MAILERS, a mail server that
    # refuses the report would turn it into an exception of the request being logged.
    ADMINS = []
    MANAGERS = []
{%- endif %}
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["{{ cookiecutter.domain_name }}"])
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

# HTTPS. Django itself redirects plain HTTP to HTTPS (DJANGO_SECURE_SSL_REDIRECT, on by default).
# Behind a proxy that terminates TLS (nginx, a load balancer), the request reaching gunicorn is
# plain HTTP: the proxy must set `X-Forwarded-Proto: https`, which SECURE_PROXY_SSL_HEADER
# trusts, or every request would redirect forever. Only ever expose gunicorn through that proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The health endpoint answers load balancers and monitors on plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Start HSTS short and raise DJANGO_SECURE_HSTS_SECONDS (to a year: 31536000) once HTTPS is
# known to work on every subdomain; browsers remember it for that long.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Hashed, compressed static files that whitenoise serves with far-future cache headers.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Host-header probes by scanners are noise, not errors.
LOGGING["loggers"] = {"django.security.DisallowedHost": {"level": "CRITICAL", "propagate": False}}
