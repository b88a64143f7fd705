import functools

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

# The links of every page's frame, by the name the templates use (`site_urls.health`).
SITE_URLS = {"home": "core:home", "health": "core:health", "admin": "admin:index"}


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name, the links of the page frame and its menu: every installed app whose config
    declares `navigation` (a label and a URL name) gets an entry, so that an optional app brings
    its own link."""
    return {"site_name": settings.SITE_NAME, **_links(settings.ROOT_URLCONF, get_script_prefix())}


@functools.cache
def _links(urlconf: str, script_prefix: str) -> dict[str, object]:
    # Reversed once per process (per URLconf and script prefix, the only inputs of reverse()):
    # seven `url` template tags were a quarter of the home page's time in the benchmark.
    declared = [config.navigation for config in apps.get_app_configs() if hasattr(config, "navigation")]
    return {
        "navigation": [(label, reverse(url_name)) for label, url_name in declared],
        "site_urls": {name: reverse(url_name) for name, url_name in SITE_URLS.items()},
    }
