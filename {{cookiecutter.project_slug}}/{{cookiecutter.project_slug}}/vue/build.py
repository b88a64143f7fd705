"""The built frontend that production pages load through django-vite."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_build() -> None:
    """Refuse to serve pages whose scripts were never built.

    Called by the WSGI and ASGI entry points, not as a system check: `manage.py check --deploy`
    and `collectstatic` must keep working on a checkout that has not run npm yet.
    """
    config = settings.DJANGO_VITE["default"]
    manifest = Path(config["manifest_path"])
    if not config["dev_mode"] and not manifest.is_file():
        raise ImproperlyConfigured(
            f"The frontend is not built: {manifest} is missing. Run `make frontend-build` "
            "(npm run build in frontend/) before starting the server."
        )
