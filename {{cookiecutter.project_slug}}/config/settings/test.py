"""Settings for the test suite: the services of the environment, made fast and isolated."""
{%- if feature("celery") %}

import uuid
{%- endif %}

from .base import *  # noqa: F403
from .base import DATABASES, {% if feature("vue") %}DJANGO_VITE, {% endif %}env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-test-key")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Hashing strength is not what the tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
{%- if cookiecutter.django_version == "5.2" %}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
{%- else %}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
{%- endif %}
{%- if feature("vue") %}
# Pages get the dev server's script tags, so that the tests need no frontend build.
DJANGO_VITE["default"]["dev_mode"] = True
{%- endif %}
# Nothing is collected for the tests: whitenoise looks files up through the finders.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
{%- if feature("celery") %}
# A queue of the run's own: a worker of a running stack on the same broker would otherwise take
# the tests' tasks and run them against the development database. The tests' own worker is given
# this name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default=f"test-{uuid.uuid4().hex[:12]}")
{%- endif %}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory, so that other processes (a worker, a server) see the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
