"""Services tier: the generated Django project runs against the real servers of this machine.

For the default bake, the minimal bake (every optional service off) and the redis-broker bake:
install the project into its own virtualenv with uv, give it its own PostgreSQL database, its
own Celery queue and its own cache key prefix (so that concurrent runs on the shared servers never
see each other's data), then run what its developers would: its own test suite, `manage.py
check`, `makemigrations --check`, migrate, `check --deploy` with the production env files, ruff
with its own config, and gunicorn with production settings answering /health/.

Run with `-rP` (or `-s`) to see each bake's test count and timings.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support import SERVER_URLS, install, installed_copy, require_server, run

pytestmark = pytest.mark.services

# The Django 6.1 bakes install on a Python 3.12+ found on the host (tests.support.python_for).
BAKES = ["default", "minimal", "redis-broker", "django-6.1", "django-6.1-minimal"]


@dataclass
class Prepared:
    """A baked project, installed, with the environment of its own share of the servers."""

    bake_id: str
    path: Path
    python: Path
    features: set[str]
    env: dict[str, str]
    database: str
    timings: dict[str, float] = field(default_factory=dict)

    def manage(self, *args: str, env: dict[str, str] | None = None, check: bool = True):
        started = time.monotonic()
        result = run(
            [str(self.python), "manage.py", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            check=check,
        )
        self.timings[" ".join(args[:2])] = time.monotonic() - started
        return result


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres(python: Path, sql: str) -> None:
    """Run one statement on the maintenance database, with the project's own psycopg."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
        "    connection.execute(sys.argv[2])\n"
    )
    run([str(python), "-c", code, SERVER_URLS["PostgreSQL"], sql], cwd=python.parent)


def production_env(path: Path) -> dict[str, str]:
    """The variables of the bake's .envs/.production/* files, as `set -a; . file` would read them."""
    variables = {}
    for env_file in sorted((path / ".envs" / ".production").glob(".*")):
        for line in env_file.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                variables[name] = value
    return variables


@pytest.fixture(scope="session")
def prepare(bake) -> Iterator:
    """prepare(bake_id): the bake installed, with its own database; made once per test process.

    Cached per session rather than a module-scoped parametrized fixture, whose instances pytest
    tears down and sets up again whenever the order of the tests alternates between bakes.
    """
    made: dict[str, Prepared] = {}

    def get(bake_id: str) -> Prepared:
        if bake_id not in made:
            made[bake_id] = _prepare(bake_id, bake(bake_id))
        return made[bake_id]

    yield get
    for prepared in made.values():
        postgres(prepared.python, f'DROP DATABASE IF EXISTS "{prepared.database}" WITH (FORCE)')
        postgres(prepared.python, f'DROP DATABASE IF EXISTS "test_{prepared.database}" WITH (FORCE)')
        steps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in prepared.timings.items())
        print(f"\n{prepared.bake_id}: {steps}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Marks on parametrize (unlike on fixture params) reach the tests: one xdist group per bake.
    if "prepared_id" in metafunc.fixturenames:
        metafunc.parametrize(
            "prepared_id", [pytest.param(b, marks=pytest.mark.xdist_group(b)) for b in BAKES]
        )


@pytest.fixture
def prepared(prepared_id: str, prepare) -> Prepared:
    return prepare(prepared_id)


def _prepare(bake_id: str, baked) -> Prepared:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "VIRTUAL_ENV": "", "PYTEST_ADDOPTS": ""}
    require_server("PostgreSQL")
    if "redis" in baked.features:
        require_server("Redis")
    if "rabbitmq" in baked.features:
        require_server("RabbitMQ")
    started = time.monotonic()
    path = installed_copy(baked.path)
    python = install(path)
    install_seconds = time.monotonic() - started

    run_id = uuid.uuid4().hex[:10]
    database = f"bpc_{bake_id.replace('-', '_')}_{run_id}"
    env["DATABASE_URL"] = with_database(SERVER_URLS["PostgreSQL"], database)
    if "redis_cache" in baked.features:
        env["REDIS_URL"] = SERVER_URLS["Redis"]
        env["DJANGO_CACHE_KEY_PREFIX"] = f"bpc-{run_id}"
    if "rabbitmq" in baked.features:
        env["CELERY_BROKER_URL"] = SERVER_URLS["RabbitMQ"]
    elif "celery" in baked.features:
        env["CELERY_BROKER_URL"] = SERVER_URLS["Redis"]
    if "celery" in baked.features:
        env["CELERY_TASK_DEFAULT_QUEUE"] = f"bpc-{run_id}"
    if "elasticsearch" in baked.features:
        # No Elasticsearch on this machine: the project's search tests are deselected (and say
        # so) unless BPC_TEST_ELASTICSEARCH_URL points at one.
        env["ELASTICSEARCH_URL"] = os.environ.get("BPC_TEST_ELASTICSEARCH_URL", "")

    postgres(python, f'CREATE DATABASE "{database}"')
    prepared = Prepared(bake_id, path, python, baked.features, env, database)
    prepared.timings["install"] = install_seconds
    return prepared


def test_its_own_test_suite_passes(prepared: Prepared) -> None:
    started = time.monotonic()
    result = run(
        [str(prepared.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=prepared.path,
        env=prepared.env,
        check=False,
        timeout=900,
    )
    prepared.timings["pytest"] = time.monotonic() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(f"\n{prepared.bake_id}: {summary}")
    assert result.returncode == 0, f"{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert not re.search(r"\d+ (failed|error)", summary), summary
    # Every service configured above ran its tests: only search (no server here) may be left out.
    left_out = set(re.findall(r"deselected \d+ test\(s\) of the (\w+) service", result.stdout))
    if "elasticsearch" in prepared.features and not prepared.env["ELASTICSEARCH_URL"]:
        assert left_out == {"search"}, result.stdout[-2000:]
    else:
        assert left_out == set(), result.stdout[-2000:]
    assert passed >= (15 if prepared.bake_id == "default" else 10), summary


def test_manage_check(prepared: Prepared) -> None:
    result = prepared.manage("check", "--fail-level", "WARNING")
    assert "System check identified no issues" in result.stdout


def test_migrations_are_complete_and_apply(prepared: Prepared) -> None:
    result = prepared.manage("makemigrations", "--check", "--dry-run")
    assert "No changes detected" in result.stdout
    prepared.manage("migrate", "--no-input", "-v", "0")
    result = prepared.manage("migrate", "--check")
    assert result.returncode == 0


# `manage.py ARGS` with every deprecation warning class of the installed Django turned into an
# error: RemovedInDjango60Warning and RemovedInDjango61Warning on 5.2, RemovedInDjango70Warning
# on 6.1. `python -W error::django...` cannot name them (Django is not importable that early).
NEXT_DEPRECATIONS_AS_ERRORS = """
import runpy, sys, warnings
import django.utils.deprecation as deprecation
removed = [name for name in dir(deprecation) if name.startswith("RemovedInDjango")]
assert removed, "no RemovedInDjango*Warning in django.utils.deprecation"
for name in removed:
    warnings.simplefilter("error", getattr(deprecation, name))
print("errors:", *removed, file=sys.stderr)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def test_check_with_the_next_deprecations_as_errors(prepared: Prepared) -> None:
    for env, args in (
        (prepared.env, ["check", "--fail-level", "WARNING"]),
        (production(prepared), ["check", "--deploy", "--fail-level", "WARNING"]),
    ):
        result = run(
            [str(prepared.python), "-c", NEXT_DEPRECATIONS_AS_ERRORS, *args], cwd=prepared.path, env=env
        )
        assert "System check identified no issues" in result.stdout
        assert "RemovedInDjango" in result.stderr


def production(prepared: Prepared) -> dict[str, str]:
    """The production env files of the bake, pointed at this test's share of the servers."""
    env = {**production_env(prepared.path), **prepared.env}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    if "elasticsearch" in prepared.features and not env["ELASTICSEARCH_URL"]:
        env["ELASTICSEARCH_URL"] = "http://127.0.0.1:1"  # nothing listens: search is down
    return env


def test_check_deploy_with_the_production_env_files(prepared: Prepared) -> None:
    env = production(prepared)
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    result = prepared.manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "System check identified no issues" in result.stdout


def test_ruff_with_its_own_config(prepared: Prepared) -> None:
    run([str(prepared.python.parent / "ruff"), "check", "."], cwd=prepared.path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_health_with_production_settings(prepared: Prepared) -> None:
    env = production(prepared)
    prepared.manage("migrate", "--no-input", "-v", "0", env=env)
    if "vue" in prepared.features:
        # The WSGI entry point refuses to start without the built frontend. Building it is the
        # frontend tier's job (npm); /health/ loads no script, so an empty manifest stands in.
        manifest = prepared.path / prepared.path.name / "static" / "frontend" / ".vite" / "manifest.json"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text("{}", encoding="utf-8")
    prepared.manage("collectstatic", "--no-input", "-v", "0", env=env)
    port = free_port()
    env |= {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "HEALTH_CHECK_TOKEN": HEALTH_TOKEN,
    }
    server = subprocess.Popen(
        [str(prepared.python.parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=prepared.path,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = wait_for_health(f"http://127.0.0.1:{port}/health/", server)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    if answer is None:
        pytest.fail(f"gunicorn did not answer /health/ in time:\n{output[-4000:]}")
    status, body = answer
    services = {"database", "cache"}
    if "celery" in prepared.features:
        services.add("broker")
    if "elasticsearch" in prepared.features:
        services.add("search")
    assert set(body["services"]) == services, (body, output[-3000:])
    down = {name for name, state in body["services"].items() if state != "ok"}
    if "search" in services and not os.environ.get("BPC_TEST_ELASTICSEARCH_URL"):
        assert (status, body["status"], down) == (503, "error", {"search"}), body
    else:
        assert (status, body["status"], down) == (200, "ok", set()), body


# The services' details of /health/ are for staff and for callers with the configured token.
HEALTH_TOKEN = "a-health-token-of-the-test"  # noqa: S105 - a test value


def wait_for_health(url: str, server: subprocess.Popen[str], timeout: float = 180) -> tuple[int, dict] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return None
        try:
            request = urllib.request.Request(url, headers={"X-Health-Check-Token": HEALTH_TOKEN})  # noqa: S310
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (a local URL)
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError:
            time.sleep(0.3)
    return None
