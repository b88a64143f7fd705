"""Benchmarks of a baked project in its production shape on this machine.

    python benchmarks/run.py [--runs 5] [--duration 10] [--connections 16] [--tasks 1000]

Run it with the template's development environment (`uv sync`, then `uv run python
benchmarks/run.py`), on a machine with the servers of the services tier (PostgreSQL, Redis,
RabbitMQ; see tests/support.py for the variables that point elsewhere), nginx and wrk. It prints
the machine and one table in Markdown, ready for docs/performance.md:

1. start-up: seconds from `cookiecutter --no-input` to the first 200 from /health/ through nginx:
   bake, install with uv (the package cache is warmed by an untimed first install), then
   `make host-up` (migrate, collectstatic, supervisord with gunicorn, Celery and nginx); median
   of --runs;
2. HTTP: requests/s and p50/p99 latency from wrk for the home page, /health/ and a static file,
   through nginx to gunicorn at the worker count of the generated gunicorn configuration; then
   the same gunicorn configuration serving benchmarks/hello.py behind the same nginx, the
   ceiling the other rows are compared to;
3. Celery: 1,000 trivial tasks through RabbitMQ to the worker (benchmarks/celery_roundtrip.py).

The bake is the default one without Elasticsearch, whose production settings need a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE_ROOT = HERE.parent
sys.path.insert(0, str(TEMPLATE_ROOT))

from tests.support import SERVER_URLS, host_environment, server_reachable  # noqa: E402 - the template's own helpers

ANSWERS = ["use_elasticsearch=false"]
HEALTH_TIMEOUT = 600
LOAD_AT_START = os.getloadavg()


class BenchmarkError(Exception):
    pass


def command(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    completed = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchmarkError(
            f"`{' '.join(args)}` exited {completed.returncode}\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text()
    memory_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, flags=re.M).group(1))
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.M)
    return {
        "CPU": f"{os.cpu_count()} cores ({model.group(1).strip() if model else platform.processor()})",
        "Memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "System": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True)
        .stderr.strip()
        .split("/")[-1],
        # Other work on the machine shows in every figure: say how busy it was.
        "Load average (1, 5, 15 min) at start / end": " / ".join(
            ", ".join(f"{load:.1f}" for load in loads) for loads in (LOAD_AT_START, os.getloadavg())
        ),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1],
    }


def wait_for_200(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own http:// URL
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise BenchmarkError(f"{url} did not answer 200 within {timeout}s")


@dataclass
class Stack:
    """A baked project started with `make host-up` against this machine's servers."""

    scratch: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.scratch / "my_awesome_project"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['HOST_HTTP_PORT']}"

    @property
    def python(self) -> Path:
        return self.root / ".venv" / "bin" / "python"

    def bake(self) -> None:
        command(
            [
                sys.executable,
                "-m",
                "cookiecutter",
                "--no-input",
                str(TEMPLATE_ROOT),
                "-o",
                str(self.scratch),
                *ANSWERS,
            ],
            cwd=self.scratch,
        )

    def install(self) -> None:
        command(
            ["uv", "sync", "--all-groups", "--python", sys.executable],
            cwd=self.root,
            # Compiled at install, as the production image does: a host whose environment
            # forbids writing bytecode (PYTHONDONTWRITEBYTECODE) would otherwise compile every
            # module again in every process at every start.
            env={
                "VIRTUAL_ENV": "",
                "UV_PROJECT_ENVIRONMENT": str(self.root / ".venv"),
                "UV_COMPILE_BYTECODE": "1",
            },
        )
        if (self.root / "frontend").is_dir():
            # The production pages load the Vite build; npm's cache is warm like uv's.
            command(["make", "frontend-build"], cwd=self.root)

    def up(self) -> None:
        command(["make", "host-up"], cwd=self.root, env=self.env, timeout=HEALTH_TIMEOUT + 300)
        wait_for_200(f"{self.url}/health/", HEALTH_TIMEOUT)

    def down(self) -> None:
        if (self.root / "deploy" / "host.sh").exists():
            subprocess.run(
                ["deploy/host.sh", "down"],
                cwd=self.root,
                env={**os.environ, **self.env},
                capture_output=True,
                timeout=300,
                check=False,
            )

    def supervisorctl(self, *args: str) -> str:
        return command(
            [str(self.root / ".venv/bin/supervisorctl"), "-c", "deploy/supervisor/supervisord.conf", *args],
            cwd=self.root,
        )


@contextmanager
def services_for(name: str) -> Iterator[dict[str, str]]:
    """A database, a queue and a cache prefix of this run's own on the shared servers."""
    admin = SERVER_URLS["PostgreSQL"]
    command(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'], cwd=HERE)
    try:
        yield {**host_environment(name), "HOST_WAIT_TIMEOUT": str(HEALTH_TIMEOUT)}
    finally:
        subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            capture_output=True,
            check=False,
        )


@contextmanager
def started_stack(timings: list[float] | None = None) -> Iterator[Stack]:
    """Bake, install and start a project; with `timings`, append the seconds that took."""
    # supervisord's and gunicorn's Unix sockets need a short path (108 bytes at most).
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp")))
    name = f"bench_{secrets.token_hex(4)}"
    try:
        with services_for(name) as env:
            stack.env = env
            started = time.perf_counter()
            stack.bake()
            stack.install()
            stack.up()
            if timings is not None:
                timings.append(time.perf_counter() - started)
                print(f"  bake to first 200 from /health/: {timings[-1]:.1f} s", file=sys.stderr)
            yield stack
    finally:
        stack.down()
        shutil.rmtree(stack.scratch, ignore_errors=True)


def warm_caches() -> None:
    """One untimed bake and install, so that uv and npm find every package in their caches."""
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp")))
    try:
        stack.bake()
        stack.install()
    finally:
        shutil.rmtree(stack.scratch, ignore_errors=True)


# --- HTTP ------------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float


def wrk(url: str, duration: int, connections: int) -> LoadResult:
    output = command(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{duration}s",
            "--latency",
            url,
        ],
        cwd=HERE,
        timeout=duration + 60,
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.+)", output)
    if bad or errors:
        raise BenchmarkError(f"{url}: not every answer was a success\n{output}")

    def percentile(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        if found is None:
            raise BenchmarkError(f"{url}: no {label}th percentile in wrk's report\n{output}")
        value, unit = found.groups()
        return float(value) * UNITS[unit]

    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, flags=re.M).group(1))
    return LoadResult(rate, percentile("50"), percentile("99"))


def measure(url: str, duration: int, connections: int) -> LoadResult:
    wrk(url, 2, connections)  # warm-up: gunicorn workers, connections, caches
    return wrk(url, duration, connections)


def static_url(stack: Stack) -> str:
    with urllib.request.urlopen(stack.url + "/", timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    return stack.url + re.search(r'href="(/static/css/project\.[0-9a-f]+\.css)"', html).group(1)


def gunicorn_workers(stack: Stack) -> int:
    return int(
        command(
            [str(stack.python), "-c", "import runpy; print(runpy.run_path('config/gunicorn.py')['workers'])"],
            cwd=stack.root,
        )
    )


@contextmanager
def hello_in_place_of_web(stack: Stack) -> Iterator[None]:
    """benchmarks/hello.py on the generated gunicorn configuration and socket, behind the same nginx."""
    stack.supervisorctl("stop", "web")
    bind = f"unix:{stack.root / 'var' / 'run' / 'gunicorn.sock'}"
    hello = subprocess.Popen(
        [
            str(stack.root / ".venv/bin/gunicorn"),
            "-c",
            "config/gunicorn.py",
            "--pythonpath",
            str(HERE),
            "hello:application",
        ],
        cwd=stack.root,
        env={**os.environ, **stack.env, "GUNICORN_BIND": bind},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_200(stack.url + "/", 60)
        yield
    finally:
        os.killpg(hello.pid, signal.SIGTERM)
        hello.wait(timeout=60)
        stack.supervisorctl("start", "web")


def celery_round_trip(stack: Stack, tasks: int) -> dict[str, float]:
    script = HERE / "celery_roundtrip.py"
    # deploy/host.sh manage gives the script the settings and services of the running programs.
    output = command(
        [
            "deploy/host.sh",
            "manage",
            "shell",
            "--no-startup",
            "-c",
            f"import runpy, sys; sys.argv = ['{script.name}', '{tasks}']; "
            f"runpy.run_path('{script}', run_name='__main__')",
        ],
        cwd=stack.root,
        env=stack.env,
        timeout=900,
    )
    return json.loads(output.strip().splitlines()[-1])


# --- Report ----------------------------------------------------------------------------------


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    lines += [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def check_prerequisites() -> None:
    for name, url in SERVER_URLS.items():
        if not server_reachable(url):
            raise BenchmarkError(f"{name} is not reachable at {url} (see tests/support.py)")
    for tool in ("wrk", "nginx", "envsubst", "psql", "make", "uv"):
        if shutil.which(tool) is None:
            raise BenchmarkError(
                f"{tool} is not installed (apt-get install wrk nginx gettext-base "
                "postgresql-client make; uv comes with the template's dev group)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs; the median is reported")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk's concurrent connections")
    parser.add_argument("--tasks", type=int, default=1000, help="Celery tasks in each measurement")
    parser.add_argument("--no-warm-up", action="store_true", help="the package caches are known to be warm")
    options = parser.parse_args()
    check_prerequisites()

    if not options.no_warm_up:
        print("Warming the package caches (untimed)...", file=sys.stderr)
        warm_caches()
    startup: list[float] = []
    for number in range(1, options.runs):
        print(f"Start-up run {number}/{options.runs}...", file=sys.stderr)
        with started_stack(startup):
            pass
    print(f"Start-up run {options.runs}/{options.runs}, then the load...", file=sys.stderr)
    with started_stack(startup) as stack:
        workers = gunicorn_workers(stack)
        load = {
            "home page `/`": measure(stack.url + "/", options.duration, options.connections),
            "`/health/`": measure(stack.url + "/health/", options.duration, options.connections),
            "static file (nginx)": measure(static_url(stack), options.duration, options.connections),
        }
        with hello_in_place_of_web(stack):
            ceiling = measure(stack.url + "/", options.duration, options.connections)
        celery = celery_round_trip(stack, options.tasks)

    print("\n".join(f"- {key}: {value}" for key, value in machine().items()))
    print()
    rows = [
        (
            "start-up: bake to first 200 from `/health/`",
            f"{statistics.median(startup):.1f} s (median of {len(startup)}; "
            f"min {min(startup):.1f}, max {max(startup):.1f})",
            "",
            "",
            "",
        )
    ]
    for name, result in [*load.items(), ("ceiling: hello view, same gunicorn and nginx", ceiling)]:
        share = f"{result.requests_per_s / ceiling.requests_per_s:.0%}" if "static" not in name else "n/a"
        rows.append(
            (
                name,
                f"{result.requests_per_s:,.0f} req/s",
                f"{result.p50_ms:.1f} ms",
                f"{result.p99_ms:.1f} ms",
                share,
            )
        )
    rows.append(
        (
            f"Celery: {celery['tasks']:,} tasks sent at once",
            f"{celery['burst_tasks_per_s']:,.0f} tasks/s",
            f"{celery['burst_p50_ms']:.1f} ms",
            f"{celery['burst_p99_ms']:.1f} ms",
            "",
        )
    )
    rows.append(
        (
            f"Celery: {celery['tasks']:,} tasks one after another",
            "",
            f"{celery['sequential_p50_ms']:.1f} ms",
            f"{celery['sequential_p99_ms']:.1f} ms",
            "",
        )
    )
    print(table(rows, ("measure", "result", "p50", "p99", "of ceiling")))
    print(
        f"\nHTTP: wrk, 1 thread, {options.connections} connections, {options.duration} s after a 2 s warm-up; "
        f"gunicorn with {workers} sync workers (the generated default for this machine)."
    )


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"benchmark failed: {error}")
