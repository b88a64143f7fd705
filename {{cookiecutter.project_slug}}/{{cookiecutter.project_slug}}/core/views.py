import asyncio

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.views.generic import TemplateView
from health_check.views import HealthCheckView

from .health import configured_checks


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        # A development help only: a production home page says nothing about its accounts.
        context["no_admin_yet"] = (
            settings.DEBUG and not get_user_model().objects.filter(is_superuser=True).exists()
        )
        return context


class HealthView(HealthCheckView):
    """/health/: every configured service, probed concurrently.

    Answers `{"status": "ok" | "error", "services": {name: "ok" | "error: <reason>"}}`, with
    HTTP 200 when all are up and 503 (what load balancers take as "out of rotation") otherwise.
    """

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        checks = configured_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks.values()))
        services = {
            name: f"error: {result.error}" if result.error else "ok"
            for name, result in zip(checks, results, strict=True)
        }
        healthy = all(result.error is None for result in results)
        return JsonResponse(
            {"status": "ok" if healthy else "error", "services": services},
            status=200 if healthy else 503,
        )
