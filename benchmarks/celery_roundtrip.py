"""Celery round trip through the project's broker, run inside the baked project.

benchmarks/run.py runs it with `deploy/host.sh manage shell`, so it has the settings and the
services of the programs that `make host-up` started: the tasks go through the real RabbitMQ to
the worker under Supervisor. The task is Celery's built-in `celery.accumulate` (it returns its
argument): the work is nil, what is measured is the trip.

The project keeps no result backend (task state lives in its database), so completion is seen
the way Flower sees it: the worker's `task-succeeded` event, which comes back through the
broker too. Latency is from just before the publish to the arrival of that event.

Prints one JSON object: the latency of tasks sent one after another, and the throughput and
latency of a burst of tasks sent at once.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time

from config.celery_app import app

TRIVIAL_TASK = "celery.accumulate"
TIMEOUT = 120


class Completions:
    """Listens to the worker's events in a thread; tells when each task id has succeeded."""

    def __init__(self) -> None:
        self.done_at: dict[str, float] = {}
        self.changed = threading.Condition()
        self.receiver = None
        self.thread = threading.Thread(target=self.listen, daemon=True)

    def listen(self) -> None:
        with app.connection_for_read() as connection:
            self.receiver = app.events.Receiver(connection, handlers={"task-succeeded": self.succeeded})
            self.receiver.capture(limit=None, timeout=None, wakeup=False)

    def succeeded(self, event: dict) -> None:
        with self.changed:
            self.done_at[event["uuid"]] = time.perf_counter()
            self.changed.notify_all()

    def wait(self, task_ids: list[str], timeout: float = TIMEOUT) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: all(i in self.done_at for i in task_ids), timeout):
                missing = sum(i not in self.done_at for i in task_ids)
                raise TimeoutError(f"{missing} of {len(task_ids)} tasks did not complete in {timeout}s")

    def __enter__(self) -> Completions:
        self.thread.start()
        # The receiver's queue exists once it sees events: send until one comes back.
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            task_id = app.send_task(TRIVIAL_TASK, args=(0,)).id
            try:
                self.wait([task_id], timeout=2)
                return self
            except TimeoutError:
                continue
        raise TimeoutError("no task-succeeded event came back: is the worker sending events?")

    def __exit__(self, *exc_info: object) -> None:
        if self.receiver is not None:
            self.receiver.should_stop = True
        self.thread.join(timeout=10)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def send(number: int) -> tuple[str, float]:
    sent_at = time.perf_counter()
    return app.send_task(TRIVIAL_TASK, args=(number,)).id, sent_at


def main(count: int) -> None:
    with Completions() as completions:
        sequential = []
        for number in range(count):
            task_id, sent_at = send(number)
            completions.wait([task_id])
            sequential.append(completions.done_at[task_id] - sent_at)

        started = time.perf_counter()
        burst = dict(send(number) for number in range(count))
        completions.wait(list(burst))
        elapsed = max(completions.done_at[task_id] for task_id in burst) - started
        loaded = [completions.done_at[task_id] - sent_at for task_id, sent_at in burst.items()]

    print(
        json.dumps(
            {
                "tasks": count,
                "sequential_p50_ms": statistics.median(sequential) * 1000,
                "sequential_p99_ms": percentile(sequential, 0.99) * 1000,
                "burst_tasks_per_s": count / elapsed,
                "burst_p50_ms": statistics.median(loaded) * 1000,
                "burst_p99_ms": percentile(loaded, 0.99) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
