"""The Content-Security-Policy header of django-csp, built once per process for most responses."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

# What the decorators of csp.decorators (csp_update, csp_replace, csp, csp_exempt and their
# report-only forms) leave on a response: a response that has one gets django-csp's own path.
VIEW_OVERRIDES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
)
POLICY_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


@functools.cache
def headers_from_settings() -> dict[str, str] | None:
    """The headers that the settings alone give, built by django-csp itself once per process;
    None when the settings exclude some URLs, whose responses then need django-csp's own path."""
    if any((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") for name in POLICY_SETTINGS):
        return None
    built = {HEADER: build_policy(), HEADER_REPORT_ONLY: build_policy(report_only=True)}
    return {header: policy for header, policy in built.items() if policy}


@receiver(setting_changed)
def forget_headers(setting: str, **kwargs: Any) -> None:
    # Tests change the policy with override_settings.
    if setting in POLICY_SETTINGS:
        headers_from_settings.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, without building the same header again for every response.

    django-csp builds the policy string from the settings for each response: 37 µs a response
    in-process, against 6 µs here, of the home page's 330 (docs/performance.md). Unless a view's
    decorator or a nonce changed it, that string depends on the settings only, so it is built once
    per process (and again after a test's override_settings). Any other response, and every
    response under DEBUG or with EXCLUDE_URL_PREFIXES set, takes django-csp's own path unchanged.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        headers = headers_from_settings()
        if headers is None or not self._policy_is_the_settings_alone(request, response):
            return super().process_response(request, response)
        for header, policy in headers.items():
            if header not in response:
                response[header] = policy
        # As django-csp does: a nonce asked for once the header is written raises, instead of
        # silently missing from the policy.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

    @staticmethod
    def _policy_is_the_settings_alone(request: HttpRequest, response: HttpResponseBase) -> bool:
        if settings.DEBUG or getattr(request, "_csp_nonce", None) is not None:
            return False
        return not any(hasattr(response, attribute) for attribute in VIEW_OVERRIDES)
