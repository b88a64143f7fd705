import asyncio

from django.http import HttpRequest, JsonResponse
from django.views.generic import TemplateView
from health_check.views import HealthCheckView

from .health import configured_checks


class HomeView(TemplateView):
    template_name = "core/home.html"


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
