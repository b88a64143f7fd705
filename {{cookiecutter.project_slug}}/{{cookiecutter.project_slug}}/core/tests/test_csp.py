"""The project's CSP middleware gives every response the headers that django-csp's own gives."""

from collections.abc import Callable

import pytest
from csp.constants import NONCE
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory, override_settings

from {{ cookiecutter.project_slug }}.core.csp import (
    ContentSecurityPolicyMiddleware,
)

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


def with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")  # type: ignore[attr-defined]


View = Callable[[HttpRequest], HttpResponseBase]
VIEWS: dict[str, View] = {
    "plain": plain,
    "nonce": with_nonce,
    "csp_update": csp_update({"img-src": ["https://images.example.com"]})(plain),
    "csp_replace": csp_replace({"script-src": ["'self'", "https://cdn.example.com"]})(plain),
    "csp": csp({"default-src": ["'none'"]})(plain),
    "csp_exempt": csp_exempt()(plain),
    "report-only csp_update": csp_update({"img-src": ["data:"]}, REPORT_ONLY=True)(plain),
}
REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"}}


def respond(middleware_class: type[CSPMiddleware], view: View, path: str = "/page/") -> HttpResponse:
    response = middleware_class(view)(RequestFactory().get(path))
    assert isinstance(response, HttpResponse)
    return response


def headers(middleware_class: type[CSPMiddleware], view: View, path: str = "/page/") -> dict[str, str]:
    response = respond(middleware_class, view, path)
    return {header: response[header] for header in HEADERS if header in response}


def same_headers(view: View, path: str = "/page/") -> dict[str, str]:
    ours = headers(ContentSecurityPolicyMiddleware, view, path)
    # A nonce is random per response: compare the policies around it.
    theirs = headers(CSPMiddleware, view, path)
    nonce_free = {header: value.split("'nonce-")[0] for header, value in ours.items()}
    assert nonce_free == {header: value.split("'nonce-")[0] for header, value in theirs.items()}
    return ours


@pytest.mark.parametrize("name", VIEWS)
def test_each_kind_of_view_gets_django_csps_headers(name: str) -> None:
    same_headers(VIEWS[name])


@pytest.mark.parametrize("name", VIEWS)
@override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY)
def test_each_kind_of_view_gets_django_csps_headers_with_a_report_only_policy(name: str) -> None:
    sent = same_headers(VIEWS[name])
    if name != "csp_exempt":
        assert "report-uri /csp-reports/" in sent["Content-Security-Policy-Report-Only"]


def test_the_settings_policy_is_the_header_and_follows_a_settings_change() -> None:
    assert "frame-ancestors 'none'" in same_headers(plain)["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert same_headers(plain)["Content-Security-Policy"] == "default-src 'none'"
    assert "frame-ancestors 'none'" in same_headers(plain)["Content-Security-Policy"]


@override_settings(
    CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
)
def test_a_nonce_used_by_the_page_is_in_its_policy() -> None:
    assert "default-src 'self'" in same_headers(with_nonce)["Content-Security-Policy"]
    response = respond(ContentSecurityPolicyMiddleware, with_nonce)
    nonce = response.content.decode().split("nonce='")[1].split("'")[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_excluded_url_prefixes_are_honoured() -> None:
    policy = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/excluded/"]}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        assert same_headers(plain, "/excluded/page/") == {}
        assert "Content-Security-Policy" in same_headers(plain, "/page/")


@override_settings(DEBUG=True)
def test_under_debug_a_404_keeps_djangos_debug_page_free_of_the_policy() -> None:
    def missing(request: HttpRequest) -> HttpResponse:
        return HttpResponse("missing", status=404)

    assert same_headers(missing) == {}
