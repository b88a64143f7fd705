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
from .base import APPS_DIR, EMBEDDED_SERVICES, LOGGING, {% if feature("vue") %}SILENCED_SYSTEM_CHECKS, {% endif %}STORAGES, env{% if cookiecutter.django_version != "5.2" %}, mailer{% endif %}  # noqa: E402

ONE_YEAR = 365 * 24 * 3600

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
# Behind a proxy that terminates TLS, the request reaching gunicorn is plain HTTP, and only the
# proxy can say it arrived over HTTPS, with X-Forwarded-Proto. The header is believed only when
# a proxy in front always sets it itself{% if feature("nginx") %} (this project's nginx does: compose/nginx/site.template){% endif %};
# otherwise any client could send `X-Forwarded-Proto: https` and skip the redirect.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default={{ "True" if feature("nginx") else "False" }}):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The health endpoints answer load balancers and monitors on plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^health/(live/)?$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for a year on the domain and its subdomains: this site answers plain HTTP with nothing
# but a redirect, so a shorter time protects no one better; it only leaves the first request of
# each visit open to a downgrade. Check before going live that every subdomain serves HTTPS.
# Preloading (browsers ship the domain as HTTPS-only) is a separate, hard-to-undo step: opt in
# with DJANGO_SECURE_HSTS_PRELOAD=True, then submit the domain at hstspreload.org, which requires
# a year and the subdomains, as checked here.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=ONE_YEAR)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if SECURE_HSTS_PRELOAD and (SECURE_HSTS_SECONDS < ONE_YEAR or not SECURE_HSTS_INCLUDE_SUBDOMAINS):
    raise ImproperlyConfigured(
        "DJANGO_SECURE_HSTS_PRELOAD needs DJANGO_SECURE_HSTS_SECONDS of a year (31536000) or more "
        "and DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=True"
    )

# Hashed, compressed static files that whitenoise serves with far-future cache headers.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": f"{APPS_DIR.name}.core.storage.StaticFilesStorage"},
}

# Preloading is an opt-in (see HSTS above), not something the deployment checklist should demand.
SILENCED_SYSTEM_CHECKS = [{% if feature("vue") %}*SILENCED_SYSTEM_CHECKS, {% endif %}"security.W021"]

# 500s are mailed to ADMINS only through a real mail server (DJANGO_EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.com:587). The default console backend would print each
# report, request and settings included, into the logs: without SMTP, errors go to the logs as
# a traceback and nothing else.
if not env.str("DJANGO_EMAIL_URL", default="").startswith("smtp"):
    ADMINS = []
    MANAGERS = []

# Host-header probes by scanners are noise, not errors.
LOGGING["loggers"] = {"django.security.DisallowedHost": {"level": "CRITICAL", "propagate": False}}
