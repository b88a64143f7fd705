"""The ceiling of the benchmark: the least a Django view can do.

benchmarks/run.py serves it with the baked project's gunicorn configuration, in place of the
project behind the same nginx, so that the table can show the project's figures as a share of
what Django and gunicorn give on this machine with nothing else in the way: no middleware, no
database, no template.
"""

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY=secrets.token_urlsafe(50),
    MIDDLEWARE=[],
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world!\n", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
