"""Settings shared by every environment; all configuration comes from environment variables.

Each external service is configured by one URL variable. When that variable is unset, the
project falls back to an embedded stand-in (SQLite, local-memory cache{% if feature("celery") %}, eager tasks{% endif %}), so
that `manage.py migrate && manage.py runserver` works right after baking with no server
installed. EMBEDDED_SERVICES records which services fell back: local settings say so at start-up
and production settings refuse to start with any.
"""

{% if feature("celery") -%}
import os
{% endif -%}
{% if feature("celery") and not feature("celery_beat_database") -%}
import tempfile
{% endif -%}
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "{{ cookiecutter.project_slug }}"

# A variable VARIABLE_FILE names a file holding VARIABLE's value: how the Docker secrets of the
# swarm stack (/run/secrets/) reach the settings, also in a `docker exec` shell.
env = environ.FileAwareEnv()

# service -> the variable that configures it; the same for those running embedded.
SERVICE_VARIABLES: dict[str, str] = {}
EMBEDDED_SERVICES: dict[str, str] = {}


def service_url(variable: str, service: str, embedded: str) -> str:
    """The URL of a service from the environment, or its embedded stand-in."""
    SERVICE_VARIABLES[service] = variable
    url = env.str(variable, default="")
    if not url:
        EMBEDDED_SERVICES[service] = variable
        return embedded
    return url


# General
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
TIME_ZONE = {{ cookiecutter.timezone | py_string }}
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
SITE_NAME = {{ cookiecutter.project_name | py_string }}

# Database
DATABASES = {
    "default": env.db_url_config(
        service_url("DATABASE_URL", "database", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    ),
}
# No transaction around every request: most pages only read, and a BEGIN/COMMIT pair each cost
# ~4% of the home page in the benchmark. Views that write more than one row wrap the writes in
# `transaction.atomic()` themselves.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one costs a TCP and authentication round trip per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A reused connection is checked before the first query of each request, so that a database
# restart costs no failed request; on PostgreSQL the check sends nothing (config/postgresql/),
# where Django's own `SELECT 1` made the home page 75% slower in the benchmark.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"
{%- if cookiecutter.django_version == "5.2" %}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
{%- endif %}

# Cache{% if feature("redis_cache") %} and sessions: Redis, so that every web process shares them{% endif %}
{%- if feature("redis_cache") %}
REDIS_URL = service_url("REDIS_URL", "cache", "")
{%- endif %}
CACHES = {
    "default": {
{%- if feature("redis_cache") %}
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL,
        # Several projects (and test runs) may share one Redis: keep each one's keys apart.
        "KEY_PREFIX": env.str(
            "DJANGO_CACHE_KEY_PREFIX",
            default="{{ cookiecutter.project_slug }}",
        ),
        # Fail fast when Redis is away rather than hang the request.
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
{%- else %}
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
{%- endif %}
    },
}
{%- if feature("redis_cache") %}
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
{%- endif %}

# Applications
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "axes",
    "health_check",
{%- if feature("celery_beat_database") %}
    "django_celery_beat",
{%- endif %}
{%- if feature("vue") %}
    "rest_framework",
    "drf_spectacular",
    "django_vite",
{%- endif %}
]
LOCAL_APPS = [
    "{{ cookiecutter.project_slug }}.users",
    "{{ cookiecutter.project_slug }}.core",
{%- if feature("celery") %}
    "{{ cookiecutter.project_slug }}.tasks",
{%- endif %}
{%- if feature("elasticsearch") %}
    "{{ cookiecutter.project_slug }}.search",
{%- endif %}
{%- if feature("vue") %}
    "{{ cookiecutter.project_slug }}.api",
    "{{ cookiecutter.project_slug }}.vue",
{%- endif %}
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
{%- if feature("csp_package") %}
    "{{ cookiecutter.project_slug }}.core.csp.ContentSecurityPolicyMiddleware",
{%- else %}
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
{%- endif %}
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout noted during sign-in into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Users
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "admin:login"
# Password guessing: django-axes counts failed sign-ins wherever Django authenticates (the
# admin's form{% if feature("vue") %}, the API's /api/session/{% endif %}) and answers 429 once a username has failed
# AXES_FAILURE_LIMIT times from one address, until the cool-off has passed or a success resets
# the count. Chosen over DRF's throttles because it guards every sign-in, not only the API's,
# and keeps its counts in the database: the same for every web process whatever the cache
# backend (a local-memory cache would count per process). `manage.py axes_reset` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("DJANGO_AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Templates
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APPS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "{{ cookiecutter.project_slug }}.core.context_processors.site",
            ],
        },
    },
]

# Static and media files: whitenoise serves static files from gunicorn itself (nginx may sit in
# front, but the app never depends on it); both roots are configurable for bare-metal hosts.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [APPS_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
{%- if feature("vue") %}

# The Vue frontend (frontend/): `npm run build` writes hashed files and Vite's manifest into
# APPS_DIR/static/frontend, which collectstatic gathers like any static file; django-vite
# reads the manifest to put the right <script> and <link> tags on a page. In dev mode the
# tags point at the Vite dev server instead, and no build is needed.
DJANGO_VITE = {
    "default": {
        "dev_mode": env.bool("DJANGO_VITE_DEV_MODE", default=DEBUG),
        "dev_server_port": env.int("VITE_PORT", default=8080),
        "static_url_prefix": "frontend",
        "manifest_path": APPS_DIR / "static" / "frontend" / ".vite" / "manifest.json",
    },
}
# A missing manifest stops the server at start-up instead (see the vue app's build.py), so
# that `check --deploy` and collectstatic work before the frontend is built.
SILENCED_SYSTEM_CHECKS = ["django_vite.W001"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "The JSON API of the Vue frontend, authenticated by Django's session.",
    "VERSION": {{ cookiecutter.version | py_string }},
    "SERVE_INCLUDE_SCHEMA": False,
}
{%- endif %}

# /health/ (readiness): the services' probes are reused for this long in each web process, so
# that polling it fast cannot load the services; the overall status is public, the services'
# details go to staff and to callers sending this token in an X-Health-Check-Token header
# (empty: no token accepted). /health/live/ probes nothing.
HEALTH_CHECK_CACHE_SECONDS = env.float("HEALTH_CHECK_CACHE_SECONDS", default=5.0)
HEALTH_CHECK_TOKEN = env.str("HEALTH_CHECK_TOKEN", default="")

# Security defaults that hold everywhere; production.py adds the HTTPS-only ones.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response: scripts, styles, images and fonts from this origin
# only (/static/ included{% if feature("vue") %}, where the Vue build is served{% endif %}), no inline code, no
# plugins, no framing.
CONTENT_SECURITY_DIRECTIVES: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
{%- if feature("csp_package") %}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CONTENT_SECURITY_DIRECTIVES}
{%- else %}
SECURE_CSP = CONTENT_SECURITY_DIRECTIVES
{%- endif %}
# Browser features no page here uses, denied to the pages and to anything they might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in ["camera", "display-capture", "geolocation", "microphone", "payment", "usb"]
}
# Error reports (mails to ADMINS, the debug page) hide the passwords inside service URLs too.
DEFAULT_EXCEPTION_REPORTER_FILTER = f"{APPS_DIR.name}.core.reporting.CredentialHidingFilter"

# E-mail
{%- if cookiecutter.django_version == "5.2" %}
vars().update(env.email_url("DJANGO_EMAIL_URL", default="consolemail://"))
{%- else %}
# One mailer, from the URL in DJANGO_EMAIL_URL (smtp+tls://user:password@host:587, consolemail://,
# filemail:///path), written as the MAILERS setting that replaces the EMAIL_* ones in Django 6.1.
MAILER_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
    "EMAIL_FILE_PATH": "file_path",
}


def mailer(url: str) -> dict[str, object]:
    """A MAILERS entry from an e-mail URL of django-environ's schemes."""
    config = env.email_url_config(url)
    options = {MAILER_OPTIONS[key]: value for key, value in config.items() if key in MAILER_OPTIONS and value}
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": mailer(env.str("DJANGO_EMAIL_URL", default="consolemail://"))}
{%- endif %}
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL",
    default=f"{SITE_NAME} <noreply@{{ cookiecutter.domain_name }}>",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
{%- if cookiecutter.django_version == "5.2" %}
ADMINS = [({{ cookiecutter.author_name | py_string }}, {{ cookiecutter.email | py_string }})]
{%- else %}
ADMINS = [{{ cookiecutter.email | py_string }}]
{%- endif %}
MANAGERS = ADMINS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "verbose": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "verbose"},
    },
    "root": {"level": env.str("DJANGO_LOG_LEVEL", default="INFO"), "handlers": ["console"]},
}
{%- if feature("celery") %}

# Celery: every setting is read by config/celery_app.py through the CELERY_ namespace.
CELERY_BROKER_URL = service_url("CELERY_BROKER_URL", "broker", "memory://")
# Without a broker, tasks run inline in the caller (the embedded mode of local development).
CELERY_TASK_ALWAYS_EAGER = "broker" in EMBEDDED_SERVICES
CELERY_TASK_EAGER_PROPAGATES = True
# Each deployment (and each test run) consumes only its own queue on a shared broker.
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "CELERY_TASK_DEFAULT_QUEUE",
    default="{{ cookiecutter.project_slug }}",
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Task state lives in the database (see the tasks app); no result backend to run.
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, and hand a task back when its worker dies, so that a crash
# never loses work; tasks must therefore be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Sizing: one worker process per CPU (the work is mostly I/O on the database and other
# services: raise it for slow I/O, lower it for CPU-bound tasks); prefetch 1 so that a long
# task never holds back queued ones; recycle processes after a number of tasks to bound leaks.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=os.cpu_count() or 1)
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=1000)
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
{%- if not feature("rabbitmq") %}
# Redis hands an unacknowledged task to another worker after this delay: it must exceed the
# longest task, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60}
{%- endif %}
{%- if feature("celery_beat_database") %}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
{%- else %}
# Periodic tasks, name -> {"task": "app.tasks.name", "schedule": seconds or a crontab()}, run by
# Celery's own scheduler: django-celery-beat, which keeps the schedule in the database, has no
# release for Django {{ cookiecutter.django_version }} yet. Beat keeps only the time of each task's last run, in a
# file of the temporary directory: writable in the containers and on bare metal alike.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    default=str(Path(tempfile.gettempdir()) / "{{ cookiecutter.project_slug }}-celerybeat-schedule"),
)
{%- endif %}
{%- endif %}
{%- if feature("elasticsearch") %}

# Elasticsearch: without it the search page says search is off.
ELASTICSEARCH_URL = service_url("ELASTICSEARCH_URL", "search", "")
# Index names start with this, so that several deployments (and test runs) share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env.str(
    "ELASTICSEARCH_INDEX_PREFIX",
    default="{{ cookiecutter.project_slug }}",
)
{%- endif %}
{%- if feature("sentry") %}

# Sentry: errors go to SENTRY_DSN (GlitchTip in local development). No DSN, no SDK at all: even
# with nothing to send, its Django integration wraps every request, a quarter of the home page's
# time in the benchmark (docs/performance.md).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="local")
SENTRY_RELEASE = env.str(
    "SENTRY_RELEASE",
    default="{{ cookiecutter.project_slug }}@{{ cookiecutter.version }}",
)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_RELEASE, SENTRY_TRACES_SAMPLE_RATE)
{%- endif %}
