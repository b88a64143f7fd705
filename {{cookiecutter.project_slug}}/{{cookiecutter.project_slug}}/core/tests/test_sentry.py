"""An unhandled error in a view reaches the Sentry DSN: here, a small HTTP server of the test."""

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import sentry_sdk
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from config.sentry import init_sentry


class Boom(Exception):
    pass


def failing_view(request: HttpRequest) -> HttpResponse:
    raise Boom("the view failed on purpose")


urlpatterns = [path("boom/", failing_view), path("", include("config.urls"))]


class Collector(BaseHTTPRequestHandler):
    """Keeps the body of every envelope POSTed to it."""

    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sentry_server() -> Iterator[str]:
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1"
    server.shutdown()
    # Back to what the settings configured: no client when there is no DSN.
    if settings.SENTRY_DSN:
        init_sentry(settings.SENTRY_DSN, settings.SENTRY_ENVIRONMENT, settings.SENTRY_RELEASE)
    else:
        sentry_sdk.get_global_scope().set_client(None)


def events(bodies: list[bytes]) -> list[dict]:
    """The event items of the received envelopes (each line of an envelope is a JSON document)."""
    items = []
    for body in bodies:
        for line in body.splitlines():
            document = json.loads(line)
            if "exception" in document:
                items.append(document)
    return items


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unhandled_error_is_reported(sentry_server: str) -> None:
    init_sentry(sentry_server, "test", "test-release")
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    reported = events(Collector.received)
    assert len(reported) == 1, Collector.received
    exception = reported[0]["exception"]["values"][-1]
    assert exception["type"] == "Boom"
    assert exception["value"] == "the view failed on purpose"
    assert reported[0]["environment"] == "test"
    assert reported[0]["release"] == "test-release"


def test_no_dsn_no_sdk() -> None:
    """Without SENTRY_DSN the settings leave the SDK alone: no client, no integration installed."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    environment.pop("SENTRY_DSN", None)
    probe = (
        "import django, sys; django.setup(); import sentry_sdk; "
        "from sentry_sdk.integrations import _installed_integrations; "
        "print(sentry_sdk.is_initialized(), sorted(_installed_integrations))"
    )
    # A process of its own: this one may have initialised the SDK in another test.
    result = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "[]"], result.stderr
