"""A page that enqueues the demo task, and the worker that runs it through the broker."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from .conftest import fetch

# From the click to "done": a cold worker, the broker and the status poll of the page.
COMPLETION_TIMEOUT_MS = 30_000


def test_the_tasks_page_queues_a_task_that_the_worker_completes(logged_in_page: Page, screenshot):
    page = logged_in_page
    page.goto("/tasks/")
    page.fill("#seconds", "0")
    with page.expect_response(lambda response: response.url.endswith("/tasks/demo/")) as queued:
        page.click("#demo-form button[type=submit]")
    assert queued.value.status == 202
    run = queued.value.json()
    assert run["status"] == "pending"

    # The page polls the run's status: "done" appears only once the worker has run the task.
    row = page.locator(f'#runs tr[data-run-id="{run["id"]}"]')
    expect(row.locator(".status")).to_have_text("done", timeout=COMPLETION_TIMEOUT_MS)
    screenshot(page, "tasks")

    status = json.loads(fetch(run["url"], headers={"Accept": "application/json"}).body)
    assert status["status"] == "done"
    assert status["completions"] == 1
    assert status["started_at"]
    assert status["finished_at"]
