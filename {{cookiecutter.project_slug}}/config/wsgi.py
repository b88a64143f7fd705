"""WSGI entry point, served by gunicorn with config/gunicorn.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
{%- if feature("vue") %}

# Only a server needs the built frontend, so the check runs here rather than in every command.
from {{ cookiecutter.project_slug }}.vue.build import require_build  # noqa: E402

require_build()
{%- endif %}
