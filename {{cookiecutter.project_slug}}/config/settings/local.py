"""Settings for development on a laptop or in the local compose stack."""

import os
import sys

from .base import *  # noqa: F403
from .base import {% if feature("vue") %}CONTENT_SECURITY_DIRECTIVES, DJANGO_VITE, {% endif %}EMBEDDED_SERVICES, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: production.py requires a real one from the environment.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-local-development-key")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "0.0.0.0"],  # noqa: S104 # nosec B104 a host name, not a bind
)
INTERNAL_IPS = ["127.0.0.1"]
{%- if feature("vue") %}
# Pages load their scripts from the Vite dev server (`make frontend-dev`): no build needed.
DJANGO_VITE["default"]["dev_mode"] = env.bool("DJANGO_VITE_DEV_MODE", default=DEBUG)
if DJANGO_VITE["default"]["dev_mode"]:
    # The dev server serves the scripts, reloads them over a websocket and injects the styles as
    # <style> elements: the policy lets it, here only.
    VITE_ORIGINS = [
        f"{scheme}://localhost:{DJANGO_VITE['default']['dev_server_port']}" for scheme in ("http", "ws")
    ]
    VITE_DIRECTIVES = {
        **CONTENT_SECURITY_DIRECTIVES,
        "script-src": ["'self'", VITE_ORIGINS[0]],
        "style-src": ["'self'", "'unsafe-inline'", VITE_ORIGINS[0]],
        "connect-src": ["'self'", *VITE_ORIGINS],
    }
{%- if feature("csp_package") %}
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": VITE_DIRECTIVES}
{%- else %}
    SECURE_CSP = VITE_DIRECTIVES
{%- endif %}
{%- endif %}

# runserver's autoreloader imports the settings in two processes; only the parent (without
# RUN_MAIN) speaks, so the notice appears once per start.
if EMBEDDED_SERVICES and os.environ.get("RUN_MAIN") != "true":
    missing = ", ".join(f"{service} ({variable} unset)" for service, variable in EMBEDDED_SERVICES.items())
    sys.stderr.write(f"Embedded mode: {missing}; using the built-in stand-ins.\n")
