"""The demo task through the real broker to a real worker process (never eager mode)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.tasks.models import DemoTaskRun
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

from config.celery_app import app

pytestmark = [pytest.mark.service("broker"), pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def worker_database_url() -> str:
    """DATABASE_URL of the test database, for the worker process."""
    name = connection.settings_dict["NAME"]
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{name}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@pytest.fixture(scope="module")
def worker(django_db_setup: None, django_db_blocker, tmp_path_factory) -> Iterator[Worker]:
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=5)
    except Exception as error:  # any failure means: no broker to test against
        pytest.fail(f"CELERY_BROKER_URL is set but the broker does not answer: {error}", pytrace=False)
    with django_db_blocker.unblock():
        database_url = worker_database_url()
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url,
                "CELERY_TASK_DEFAULT_QUEUE": queue,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield Worker(process, log)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # The queue is this run's alone: leave nothing behind on the shared broker.
    with app.connection_for_write() as broker:
        broker.default_channel.queue_delete(queue)


def wait_until_done(client: Client, url: str, worker: Worker, timeout: float = 180) -> dict:
    """The run's status once done; a worker starts slowly on a busy machine, hence the margin."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["status"] == DemoTaskRun.Status.DONE:
            return body
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"the task was not done within {timeout} s; worker output:\n{worker.output()}")


def test_a_real_worker_runs_the_task_sent_by_the_view(client: Client, worker: Worker) -> None:
    client.force_login(UserFactory.create())
    response = client.post(reverse("tasks:demo"), {"seconds": "0.2"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    body = wait_until_done(client, response.json()["url"], worker)
    assert (body["attempts"], body["completions"]) == (1, 1)
    assert not settings.CELERY_TASK_ALWAYS_EAGER
