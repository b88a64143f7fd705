from django.apps import apps
from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name and its menu: every installed app whose config declares `navigation`
    (a label and a URL name) gets an entry, so that an optional app brings its own link."""
    navigation = [config.navigation for config in apps.get_app_configs() if hasattr(config, "navigation")]
    return {"site_name": settings.SITE_NAME, "navigation": navigation}
