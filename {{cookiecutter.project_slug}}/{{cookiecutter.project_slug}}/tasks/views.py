from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from .models import DemoTaskRun
from .tasks import run_demo

# A demo should finish while someone watches; the task time limits are far above this.
MAX_SECONDS = 60


class DemoPageView(ListView):
    template_name = "tasks/demo.html"
    context_object_name = "runs"
    queryset = DemoTaskRun.objects.all()[:20]
    extra_context = {"max_seconds": MAX_SECONDS}


@require_POST
def enqueue_demo(request: HttpRequest) -> HttpResponse:
    """Create a run and queue its task; JSON for API clients, a redirect for the HTML form.

    Signed-in users only: anyone else could fill the queue with minute-long tasks. The answer
    reports the run as it is once queued: without a broker (the embedded mode) the task has
    already run inline by then, and "pending" would be wrong.
    """
    wants_html = request.get_preferred_type(["application/json", "text/html"]) == "text/html"
    if not request.user.is_authenticated:
        if wants_html:
            return redirect_to_login(reverse("tasks:index"))
        return JsonResponse({"error": "sign in to queue a demo task"}, status=403)
    try:
        seconds = float(request.POST.get("seconds") or 0)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= MAX_SECONDS:
        return JsonResponse({"error": f"seconds must be a number from 0 to {MAX_SECONDS}"}, status=400)
    # Requests run in autocommit (no ATOMIC_REQUESTS): the write and the queueing that depends
    # on it form one transaction here, and the task is queued only once the row is committed,
    # or a fast worker could look for it in vain.
    with transaction.atomic():
        run = DemoTaskRun.objects.create(seconds=seconds)
        transaction.on_commit(lambda: run_demo.delay(run.pk))
    run.refresh_from_db()
    if wants_html:
        if run.status == DemoTaskRun.Status.DONE:
            messages.success(request, f"Demo task run {run.pk} ran inline: no broker is configured.")
        else:
            messages.success(request, f"Queued demo task run {run.pk}.")
        return redirect("tasks:index")
    return JsonResponse({**run.as_dict(), "url": reverse("tasks:demo-status", args=[run.pk])}, status=202)


@require_GET
def demo_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(get_object_or_404(DemoTaskRun, pk=pk).as_dict())
