"""Celery round trip through the project's broker, run with the baked project's own Python.

benchmarks/run.py starts it inside a baked project that runs `make host-up`, so the tasks go
through the real RabbitMQ to the worker that Supervisor started, with the production settings.
The task is Celery's built-in `celery.accumulate` (it returns its arguments): trivial work, so
what is measured is the trip itself: publish, broker, worker, result back.

Prints one JSON object: the sequential latency of single tasks, and the throughput and the
latency under load of a burst of tasks sent at once.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import django

django.setup()

from celery.result import ResultSet  # noqa: E402 - after django.setup(), like the worker
from config.celery_app import app  # noqa: E402

TRIVIAL_TASK = "celery.accumulate"
TIMEOUT = 120


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def sequential(count: int) -> list[float]:
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        app.send_task(TRIVIAL_TASK, args=(number,)).get(timeout=TIMEOUT)
        latencies.append(time.perf_counter() - started)
    return latencies


def burst(count: int) -> tuple[float, list[float]]:
    sent_at: dict[str, float] = {}
    done_at: dict[str, float] = {}
    started = time.perf_counter()
    results = []
    for number in range(count):
        result = app.send_task(TRIVIAL_TASK, args=(number,))
        sent_at[result.id] = time.perf_counter()
        results.append(result)
    ResultSet(results).join_native(
        callback=lambda task_id, _value: done_at.__setitem__(task_id, time.perf_counter()), timeout=TIMEOUT
    )
    elapsed = max(done_at.values()) - started
    return elapsed, [done_at[task_id] - sent_at[task_id] for task_id in sent_at]


def main(count: int) -> None:
    sequential(20)  # connections, queues and the worker's first-task imports
    latencies = sequential(count)
    elapsed, loaded = burst(count)
    print(
        json.dumps(
            {
                "tasks": count,
                "sequential_p50_ms": statistics.median(latencies) * 1000,
                "sequential_p99_ms": percentile(latencies, 0.99) * 1000,
                "burst_tasks_per_s": count / elapsed,
                "burst_p50_ms": statistics.median(loaded) * 1000,
                "burst_p99_ms": percentile(loaded, 0.99) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
