"""ASGI entry point, for an ASGI server (uvicorn, daphne) instead of gunicorn's WSGI workers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()
{%- if feature("vue") %}

# Only a server needs the built frontend, so the check runs here rather than in every command.
from {{ cookiecutter.project_slug }}.vue.build import require_build  # noqa: E402

require_build()
{%- endif %}
