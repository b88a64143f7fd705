"""Benchmarks of a baked project in its production shape on this machine.

    python benchmarks/run.py [--rounds 3] [--duration 8] [--runs 3] [--tasks 1000]
                             [--python PATH] [--reference-url URL]

Run it with the template's development environment (`uv sync`, then `uv run python
benchmarks/run.py`), on a machine with the servers of the services tier (PostgreSQL, Redis,
RabbitMQ; see tests/support.py for the variables that point elsewhere) and wrk. It prints the
machine (with its load average at the start and the end) and Markdown tables for
docs/performance.md:

1. HTTP, side by side: the bake's home page, `/health/live/` and `/health/` against the ceiling,
   benchmarks/hello.py (a bare Django view), all under the same command
   (`gunicorn config.wsgi --workers 3 --worker-class sync`) and the same load (wrk, 2 threads,
   6 connections), in interleaved rounds; each round's ratios, then their medians. With
   `--reference-url`, a server the caller started under that same command (another template's
   bake: the benchmark neither builds nor starts it) is measured in the same rounds, and the home
   page's rate is given against it too;
2. app servers: gunicorn (sync, gthread), uWSGI (pyuwsgi) and granian, 3 workers each, on the
   home page and `/health/live/` (installed into the bake's environment for the run only), and the
   home page through nginx in front of each, proxying as the project's own site does;
3. the project's own gunicorn configuration (`-c config/gunicorn.py`): p50, p99, failed
   requests and worker reboots under the same load;
4. bake to first 200 with warm caches: `cookiecutter --no-input`, `make install`, migrate,
   collectstatic, gunicorn started with its own configuration, until `/` answers 200; the
   package cache is warmed by an untimed first install, so no network is needed;
5. Celery: 1,000 trivial tasks through RabbitMQ to a worker (benchmarks/celery_roundtrip.py).

The bake is the default one without Elasticsearch (its production settings need a cluster) and
without the Vue frontend (whose build is npm's time, not the project's).
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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE_ROOT = HERE.parent
sys.path.insert(0, str(TEMPLATE_ROOT))

from tests.support import SERVER_URLS, free_port, host_environment, server_reachable  # noqa: E402 - the template's own helpers

ANSWERS = ["use_elasticsearch=false", "frontend=none"]
LOAD_AT_START = os.getloadavg()
# The one command both sides of the comparison run under (issue 17's measurement).
SAME_COMMAND = ["--workers", "3", "--worker-class", "sync"]
# Benchmark-only: the other app servers, installed into the bake's environment for the run.
OTHER_SERVERS = ["granian==2.8.7", "pyuwsgi==2.0.30.post1"]


# A host that forbids writing bytecode (this variable, set in some CI images) would compile every
# module again in every process at every start, since `make install` no longer compiles ahead.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


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


def load_average(loads: tuple[float, float, float]) -> str:
    return ", ".join(f"{load:.1f}" for load in loads)


def machine(python: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text()
    memory_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, flags=re.M).group(1))
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.M)
    return {
        "CPU": f"{os.cpu_count()} cores ({model.group(1).strip() if model else platform.processor()})",
        "Memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "System": f"{platform.system()} {platform.release()}",
        "The bake's Python": subprocess.run(
            [python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
        # Other work on the machine shows in every figure: say how busy it was.
        "Load average (1, 5, 15 min) at start / end": (
            f"{load_average(LOAD_AT_START)} / {load_average(os.getloadavg())}"
        ),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1],
    }


def wait_for_200(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchmarkError(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own http:// URL
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.02)
    raise BenchmarkError(f"{url} did not answer 200 within {timeout}s")


@contextmanager
def database(name: str) -> Iterator[dict[str, str]]:
    """A database, a queue and a cache prefix of this run's own on the shared servers, and the
    production settings pointed at them."""
    admin = SERVER_URLS["PostgreSQL"]
    command(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'], cwd=HERE)
    try:
        yield {
            **host_environment(name),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP from wrk straight to gunicorn: no TLS proxy to redirect to.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
        }
    finally:
        subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            capture_output=True,
            check=False,
        )


@dataclass
class Bake:
    scratch: Path
    env: dict[str, str]
    python: str

    @property
    def root(self) -> Path:
        return self.scratch / "my_awesome_project"

    def bin(self, name: str) -> str:
        return str(self.root / ".venv" / "bin" / name)

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
        # The project's own `make install`, into the bake's .venv, with this Python.
        command(
            ["make", "install"],
            cwd=self.root,
            env={
                "VIRTUAL_ENV": "",
                "UV_PROJECT_ENVIRONMENT": str(self.root / ".venv"),
                "UV_PYTHON": self.python,
            },
        )

    def manage(self, *args: str) -> str:
        return command([self.bin("python"), "manage.py", *args], cwd=self.root, env=self.env)


@contextmanager
def serving(
    args: list[str], cwd: Path, env: dict[str, str], url: str, log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A server process group, running until the block ends; waits for `url` to answer 200."""
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_200(url, 120, process)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            output.close()


def gunicorn(bake: Bake, port: int, *options: str, app: str = "config.wsgi") -> list[str]:
    return [bake.bin("gunicorn"), app, "--bind", f"127.0.0.1:{port}", *options]


# --- HTTP ------------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    failed: int


def wrk(url: str, duration: int) -> LoadResult:
    output = command(
        ["wrk", "--threads", "2", "--connections", "6", "--duration", f"{duration}s", "--latency", url],
        cwd=HERE,
        timeout=duration + 60,
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)

    def percentile(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        if found is None:
            raise BenchmarkError(f"{url}: no {label}th percentile in wrk's report\n{output}")
        value, unit = found.groups()
        return float(value) * UNITS[unit]

    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, flags=re.M).group(1))
    return LoadResult(rate, percentile("50"), percentile("99"), failed)


def measure(url: str, duration: int) -> LoadResult:
    wrk(url, 1)  # warm-up: workers, connections, caches
    return wrk(url, duration)


def side_by_side(
    bake: Bake, rounds: int, duration: int, reference_url: str | None
) -> dict[str, list[LoadResult]]:
    """The bake's pages, the hello ceiling and the reference, one after another in each round."""
    hello_port, bake_port = free_port(), free_port()
    results: dict[str, list[LoadResult]] = {"hello": [], "/": [], "/health/live/": [], "/health/": []}
    if reference_url:
        results["reference"] = []
    hello_env = {**bake.env, "DJANGO_SETTINGS_MODULE": ""}
    with (
        serving(
            [*gunicorn(bake, hello_port, *SAME_COMMAND, app="hello:application"), "--pythonpath", str(HERE)],
            bake.root,
            hello_env,
            f"http://127.0.0.1:{hello_port}/",
        ),
        serving(
            gunicorn(bake, bake_port, *SAME_COMMAND), bake.root, bake.env, f"http://127.0.0.1:{bake_port}/"
        ),
    ):
        for number in range(1, rounds + 1):
            print(f"  round {number}/{rounds}, load {load_average(os.getloadavg())}", file=sys.stderr)
            results["hello"].append(measure(f"http://127.0.0.1:{hello_port}/", duration))
            if reference_url:
                results["reference"].append(measure(reference_url, duration))
            for path in ("/", "/health/live/", "/health/"):
                results[path].append(measure(f"http://127.0.0.1:{bake_port}{path}", duration))
    return results


# nginx in front of each app server as the project's own site (compose/nginx/site.template)
# proxies: HTTP/1.1 with idle connections kept to the upstream. One worker process, no logs.
NGINX_CONFIG = """
daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/nginx-body;
    proxy_temp_path {scratch}/nginx-proxy;
    {servers}
}}
"""
NGINX_SERVER = """
    upstream app_{port} {{ server 127.0.0.1:{port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{front};
        location / {{
            proxy_pass http://app_{port};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
    }}
"""


def nginx_in_front(scratch: Path, upstream_ports: list[int]) -> tuple[list[str], dict[int, int]]:
    """The nginx command, and the port in front of each upstream port."""
    fronts = {port: free_port() for port in upstream_ports}
    servers = "".join(NGINX_SERVER.format(port=port, front=front) for port, front in fronts.items())
    config = scratch / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(scratch=scratch, servers=servers))
    return [
        shutil.which("nginx") or "nginx",
        "-c",
        str(config),
        "-e",
        str(scratch / "nginx-error.log"),
    ], fronts


def app_servers(bake: Bake, rounds: int, duration: int) -> dict[str, dict[str, list[LoadResult]]]:
    """The same bake under each app server, 3 workers (processes) each, straight and behind nginx."""
    command(
        ["uv", "pip", "install", "-q", "--python", bake.bin("python"), *OTHER_SERVERS],
        cwd=bake.root,
        env={"VIRTUAL_ENV": ""},
    )
    servers = {
        "gunicorn sync, 3 workers": lambda port: gunicorn(bake, port, *SAME_COMMAND),
        "gunicorn gthread, 3 workers x 2 threads": lambda port: gunicorn(
            bake, port, "--workers", "3", "--worker-class", "gthread", "--threads", "2"
        ),
        "uWSGI (pyuwsgi), 3 processes": lambda port: [
            bake.bin("uwsgi"),
            "--http-socket",
            f"127.0.0.1:{port}",
            "--module",
            "config.wsgi:application",
            "--master",
            "--processes",
            "3",
            "--disable-logging",
            "--die-on-term",
            "--need-app",
        ],
        "granian, 3 workers": lambda port: [
            bake.bin("granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "3",
            "config.wsgi:application",
        ],
    }
    results: dict[str, dict[str, list[LoadResult]]] = {
        name: {"/": [], "/health/live/": [], "/ via nginx": []} for name in servers
    }
    with ExitStack() as running:
        ports = {}
        for name, arguments in servers.items():
            ports[name] = free_port()
            print(f"  starting {name}", file=sys.stderr)
            running.enter_context(
                serving(arguments(ports[name]), bake.root, bake.env, f"http://127.0.0.1:{ports[name]}/")
            )
        nginx, fronts = nginx_in_front(bake.scratch, list(ports.values()))
        first_front = next(iter(fronts.values()))
        running.enter_context(serving(nginx, bake.scratch, {}, f"http://127.0.0.1:{first_front}/"))
        # All of them run side by side (idle while another is measured), in interleaved rounds.
        for number in range(1, rounds + 1):
            print(f"  servers round {number}/{rounds}, load {load_average(os.getloadavg())}", file=sys.stderr)
            for name, port in ports.items():
                for path in ("/", "/health/live/"):
                    results[name][path].append(measure(f"http://127.0.0.1:{port}{path}", duration))
                results[name]["/ via nginx"].append(measure(f"http://127.0.0.1:{fronts[port]}/", duration))
    return results


@dataclass
class OwnConfig:
    workers: int
    result: LoadResult
    reboots: int


def own_config(bake: Bake, duration: int) -> OwnConfig:
    """`gunicorn -c config/gunicorn.py config.wsgi` under the same load, counting worker boots."""
    port = free_port()
    log = bake.scratch / "gunicorn.log"
    env = {**bake.env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    workers = int(
        command(
            [
                bake.bin("python"),
                "-c",
                "import runpy; print(runpy.run_path('config/gunicorn.py')['workers'])",
            ],
            cwd=bake.root,
            env=env,
        )
    )
    url = f"http://127.0.0.1:{port}/"
    with serving([bake.bin("gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"], bake.root, env, url, log):
        wrk(url, 1)
        booted_before = log.read_text().count("Booting worker")
        result = wrk(url, duration)
        reboots = log.read_text().count("Booting worker") - booted_before
    return OwnConfig(workers, result, reboots)


# --- Start-up --------------------------------------------------------------------------------


def bake_to_first_200(scratch: Path, env: dict[str, str], python: str) -> tuple[Bake, dict[str, float]]:
    bake = Bake(scratch, env, python)
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - started - sum(steps.values())

    bake.bake()
    step("bake")
    bake.install()
    step("make install")
    bake.manage("migrate", "--no-input", "-v", "0")
    step("migrate")
    bake.manage("collectstatic", "--no-input", "-v", "0")
    step("collectstatic")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with serving(
        [bake.bin("gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        bake.root,
        {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        url,
    ):
        step("start to first 200")
    steps["total"] = sum(steps.values())
    return bake, steps


def warm_caches(env: dict[str, str], python: str) -> None:
    """One untimed bake and install, so that uv finds every package in its cache."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp"))
    try:
        bake = Bake(scratch, env, python)
        bake.bake()
        bake.install()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def celery_round_trip(bake: Bake, tasks: int) -> dict[str, float]:
    """A worker of the bake's own (2 processes, its settings' defaults) and the round-trip script."""
    worker = subprocess.Popen(
        [
            bake.bin("celery"),
            "-A",
            "config.celery_app",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            "2",
        ],
        cwd=bake.root,
        env={**os.environ, **bake.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    script = HERE / "celery_roundtrip.py"
    try:
        output = bake.manage(
            "shell",
            "--no-startup",
            "-c",
            f"import runpy, sys; sys.argv = ['{script.name}', '{tasks}']; "
            f"runpy.run_path('{script}', run_name='__main__')",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
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


def rate(results: list[LoadResult]) -> str:
    return f"{statistics.median(r.requests_per_s for r in results):,.0f} req/s"


def ratios(numerators: list[LoadResult], denominators: list[LoadResult]) -> str:
    each = [n.requests_per_s / d.requests_per_s for n, d in zip(numerators, denominators, strict=True)]
    return f"{statistics.median(each):.2f}x ({', '.join(f'{value:.2f}' for value in each)})"


def check_prerequisites() -> None:
    for name, url in SERVER_URLS.items():
        if not server_reachable(url):
            raise BenchmarkError(f"{name} is not reachable at {url} (see tests/support.py)")
    for tool in ("wrk", "psql", "make", "uv", "nginx"):
        if shutil.which(tool) is None:
            raise BenchmarkError(
                f"{tool} is not installed (apt-get install wrk postgresql-client make nginx; "
                "uv comes with the template's dev group)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the side-by-side table")
    parser.add_argument("--duration", type=int, default=8, help="seconds of each wrk run")
    parser.add_argument("--runs", type=int, default=3, help="bake-to-first-200 runs; the median is reported")
    parser.add_argument("--tasks", type=int, default=1000, help="Celery tasks in each measurement")
    parser.add_argument("--no-warm-up", action="store_true", help="the package cache is known to be warm")
    parser.add_argument("--no-servers", action="store_true", help="skip the app-server comparison")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter of the bake's virtualenv (default: this one)",
    )
    parser.add_argument(
        "--reference-url",
        help="a page of another project, already served under the same gunicorn command, to measure in the same rounds",
    )
    options = parser.parse_args()
    check_prerequisites()
    if options.reference_url:
        wait_for_200(options.reference_url, 5)

    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir="/tmp"))
    name = f"bench_{secrets.token_hex(4)}"
    try:
        with database(name) as env:
            if not options.no_warm_up:
                print("Warming the package cache (untimed)...", file=sys.stderr)
                warm_caches(env, options.python)
            startups = []
            for number in range(1, options.runs + 1):
                print(f"Bake to first 200, run {number}/{options.runs}...", file=sys.stderr)
                if number > 1:
                    shutil.rmtree(scratch / "my_awesome_project")
                    command(
                        ["psql", SERVER_URLS["PostgreSQL"], "-qc", f'DROP DATABASE "{name}" WITH (FORCE)'],
                        cwd=HERE,
                    )
                    command(["psql", SERVER_URLS["PostgreSQL"], "-qc", f'CREATE DATABASE "{name}"'], cwd=HERE)
                bake, steps = bake_to_first_200(scratch, env, options.python)
                startups.append(steps)
                print(f"  {steps['total']:.1f} s", file=sys.stderr)
            print("Side by side with the hello ceiling...", file=sys.stderr)
            load = side_by_side(bake, options.rounds, options.duration, options.reference_url)
            print("Own gunicorn configuration...", file=sys.stderr)
            own = own_config(bake, options.duration + 4)
            servers = {} if options.no_servers else app_servers(bake, options.rounds, options.duration)
            print("Celery...", file=sys.stderr)
            celery = celery_round_trip(bake, options.tasks)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print("\n".join(f"- {key}: {value}" for key, value in machine(options.python).items()))
    print(
        f"\nSide by side: `gunicorn config.wsgi {' '.join(SAME_COMMAND)}`, wrk 2 threads 6 connections, "
        f"{options.duration} s after a 1 s warm-up, {options.rounds} interleaved rounds; medians, and each "
        "round's ratio in brackets.\n"
    )
    hello = load["hello"]
    rows = [("ceiling: hello view (benchmarks/hello.py)", rate(hello), "", "", "1.00x")]
    measured = [(f"`{path}`", load[path]) for path in ("/", "/health/live/", "/health/")]
    if options.reference_url:
        measured.insert(0, (f"reference: {options.reference_url}", load["reference"]))
    for label, results in measured:
        rows.append(
            (
                label,
                rate(results),
                f"{statistics.median(r.p50_ms for r in results):.1f} ms",
                f"{statistics.median(r.p99_ms for r in results):.1f} ms",
                ratios(results, hello),
            )
        )
    print(table(rows, ("measure", "median", "p50", "p99", "of ceiling (per round)")))
    print(f"\n`/health/live/` against the home page, per round: {ratios(load['/health/live/'], load['/'])}")
    if options.reference_url:
        print(f"`/` against the reference, per round: {ratios(load['/'], load['reference'])}")
    print()

    own_rows = [
        (
            f"`/` with `-c config/gunicorn.py` ({own.workers} workers)",
            f"{own.result.requests_per_s:,.0f} req/s",
            f"{own.result.p50_ms:.1f} ms",
            f"{own.result.p99_ms:.1f} ms ({own.result.p99_ms / own.result.p50_ms:.1f}x p50)",
            str(own.result.failed),
            str(own.reboots),
        )
    ]
    print(table(own_rows, ("own configuration", "rate", "p50", "p99", "failed", "worker reboots")))

    if servers:
        print()
        baseline = servers["gunicorn sync, 3 workers"]
        server_rows = [
            (
                name,
                rate(pages["/"]),
                f"{statistics.median(r.p99_ms for r in pages['/']):.1f} ms",
                ratios(pages["/"], baseline["/"]),
                rate(pages["/health/live/"]),
                ratios(pages["/health/live/"], baseline["/health/live/"]),
                rate(pages["/ via nginx"]),
                ratios(pages["/ via nginx"], baseline["/ via nginx"]),
            )
            for name, pages in servers.items()
        ]
        print(
            table(
                server_rows,
                (
                    "app server",
                    "`/`",
                    "p99",
                    "vs gunicorn sync",
                    "`/health/live/`",
                    "vs gunicorn sync",
                    "`/` behind nginx",
                    "vs gunicorn sync",
                ),
            )
        )

    print()
    step_names = list(startups[0])
    startup_rows = [
        (
            step if step != "total" else "**bake to first 200, warm caches**",
            f"{statistics.median(run[step] for run in startups):.1f} s",
            ", ".join(f"{run[step]:.1f}" for run in startups),
        )
        for step in step_names
    ]
    print(table(startup_rows, ("start-up step", f"median of {len(startups)}", "runs")))
    print()
    celery_rows = [
        (
            f"Celery: {celery['tasks']:,} tasks sent at once",
            f"{celery['burst_tasks_per_s']:,.0f} tasks/s",
            f"{celery['burst_p50_ms']:.1f} ms",
            f"{celery['burst_p99_ms']:.1f} ms",
        ),
        (
            f"Celery: {celery['tasks']:,} tasks one after another",
            "",
            f"{celery['sequential_p50_ms']:.1f} ms",
            f"{celery['sequential_p99_ms']:.1f} ms",
        ),
    ]
    print(table(celery_rows, ("Celery (RabbitMQ, 2 worker processes)", "rate", "p50", "p99")))


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as error:
        sys.exit(f"benchmark failed: {error}")
