import pytest
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.tasks.models import DemoTaskRun
from {{ cookiecutter.project_slug }}.tasks.tasks import run_demo
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client: Client) -> Client:
    """Queueing the demo needs a user: these tests sign one in."""
    client.force_login(UserFactory.create())
    return client


def test_the_task_marks_its_run_done() -> None:
    run = DemoTaskRun.objects.create()
    run_demo(run.pk)
    run.refresh_from_db()
    assert run.status == DemoTaskRun.Status.DONE
    assert (run.attempts, run.completions) == (1, 1)
    assert run.finished_at is not None


def test_a_second_delivery_after_the_effect_changes_nothing() -> None:
    run = DemoTaskRun.objects.create()
    run_demo(run.pk)
    run_demo(run.pk)
    run.refresh_from_db()
    assert (run.attempts, run.completions) == (1, 1)


def test_a_redelivery_after_a_dead_worker_completes_once() -> None:
    # What a worker killed mid-task leaves behind: started, never finished.
    run = DemoTaskRun.objects.create(status=DemoTaskRun.Status.RUNNING, attempts=1)
    run_demo(run.pk)
    run.refresh_from_db()
    assert run.status == DemoTaskRun.Status.DONE
    assert (run.attempts, run.completions) == (2, 1)


def test_post_queues_the_task_after_commit(client: Client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("tasks:demo"), {"seconds": "0.5"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["url"] == reverse("tasks:demo-status", args=[body["id"]])
    assert len(callbacks) == 1
    assert DemoTaskRun.objects.get(pk=body["id"]).seconds == 0.5


@pytest.mark.django_db(transaction=True)
def test_a_run_that_ran_inline_is_reported_done(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # The embedded mode: without a broker the task runs inline as the run's row is committed.
    monkeypatch.setitem(run_demo.app.conf, "task_always_eager", True)
    response = client.post(reverse("tasks:demo"), {"seconds": "0"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    assert response.json()["status"] == "done"
    page = client.post(reverse("tasks:demo"), {"seconds": "0"}, HTTP_ACCEPT="text/html", follow=True)
    assert "ran inline" in page.text
    assert list(DemoTaskRun.objects.values_list("status", flat=True)) == ["done", "done"]


def test_post_rejects_out_of_range_seconds(client: Client) -> None:
    response = client.post(reverse("tasks:demo"), {"seconds": "3600"})
    assert response.status_code == 400
    assert not DemoTaskRun.objects.exists()


def test_post_needs_the_csrf_token() -> None:
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(UserFactory.create())
    response = signed_in.post(reverse("tasks:demo"), {"seconds": "0"})
    assert response.status_code == 403


@pytest.mark.parametrize("seconds", ["-1", "60.5", "nan", "inf", "many"])
def test_post_rejects_seconds_outside_the_bound(client: Client, seconds: str) -> None:
    response = client.post(reverse("tasks:demo"), {"seconds": seconds}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert not DemoTaskRun.objects.exists()


def test_signed_out_visitors_cannot_queue_the_demo() -> None:
    anonymous = Client()
    response = anonymous.post(reverse("tasks:demo"), {"seconds": "60"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    form = anonymous.post(reverse("tasks:demo"), {"seconds": "60"}, HTTP_ACCEPT="text/html")
    assert form.status_code == 302
    assert form["Location"].startswith(reverse("admin:login"))
    assert not DemoTaskRun.objects.exists()
    page = anonymous.get(reverse("tasks:index"))
    assert 'id="demo-form"' not in page.text
    assert 'id="sign-in"' in page.text


def test_status_of_a_run(client: Client) -> None:
    run = DemoTaskRun.objects.create(seconds=2)
    body = client.get(reverse("tasks:demo-status", args=[run.pk])).json()
    assert body["id"] == run.pk
    assert body["status"] == "pending"
    assert client.get(reverse("tasks:demo-status", args=[run.pk + 1000])).status_code == 404


def test_the_page_has_the_form(client: Client) -> None:
    response = client.get(reverse("tasks:index"))
    assert response.status_code == 200
    assert 'id="demo-form"' in response.text
    assert "csrfmiddlewaretoken" in response.text
