from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .health import current_report, may_see_details


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        # A development help only: a production home page says nothing about its accounts.
        context["no_admin_yet"] = (
            settings.DEBUG and not get_user_model().objects.filter(is_superuser=True).exists()
        )
        return context


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """/health/live/: the process serves requests. No service is asked, so it costs about what
    a page without a database costs: what a load balancer may poll as often as it likes."""
    return JsonResponse({"status": "ok"})


def health_report(request: HttpRequest) -> tuple[dict[str, object], int]:
    """The body and status of /health/: 200 when every service is up, 503 otherwise."""
    report = current_report()
    body: dict[str, object] = {"status": "ok" if report.healthy else "error"}
    if may_see_details(request):
        body["services"] = report.services
    return body, 200 if report.healthy else 503


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """/health/: every configured service, probed at most every HEALTH_CHECK_CACHE_SECONDS.

    Answers `{"status": "ok" | "error"}` with HTTP 200 or 503 (what load balancers take as "out
    of rotation"); staff and callers with the health token also get
    `"services": {name: "ok" | "error: <reason>"}`.
    """
    body, status = health_report(request)
    return JsonResponse(body, status=status)
