import time

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import DemoTaskRun


@shared_task
def run_demo(run_id: int) -> None:
    """Work for the run's `seconds`, then mark it done, exactly once.

    Tasks are acknowledged late (see CELERY_TASK_ACKS_LATE), so one whose worker died is
    delivered again: each step is a conditional UPDATE, which makes a second delivery harmless.
    """
    started = (
        DemoTaskRun.objects.filter(pk=run_id)
        .exclude(status=DemoTaskRun.Status.DONE)
        .update(status=DemoTaskRun.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1)
    )
    if not started:
        # Done already (delivered again after its effect) or deleted since.
        return
    seconds = DemoTaskRun.objects.values_list("seconds", flat=True).get(pk=run_id)
    time.sleep(seconds)
    DemoTaskRun.objects.filter(pk=run_id).exclude(status=DemoTaskRun.Status.DONE).update(
        status=DemoTaskRun.Status.DONE, finished_at=timezone.now(), completions=F("completions") + 1
    )
