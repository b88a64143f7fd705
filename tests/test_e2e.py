"""End-to-end: a baked project in its production shape on this host, checked from outside.

The bake is installed and `make e2e` runs: the project's own end-to-end suite (tests/e2e in the
generated project) against `deploy/host.sh up` (gunicorn, the Celery worker and beat, nginx under
a private supervisord, with the production settings and the generated gunicorn and nginx
configuration), then everything stops. This test gives it the servers of this machine through
the environment, the documented way (a variable set in the environment wins over the
.envs/.production files).

For CI to keep, at the root of this repository (git-ignored): artifacts/screenshots/*.png,
artifacts/e2e-junit.xml (the project suite's report) and artifacts/e2e-logs/ (the programs' logs).

The bake is the default one except for Elasticsearch: its production settings require a cluster
and this machine has none.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpc.manifest import TEMPLATE_ROOT
from tests.support import SERVER_URLS, host_environment, install, require_server, require_tool, run

pytestmark = pytest.mark.e2e

ARTIFACTS = TEMPLATE_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "e2e-logs"
E2E_CONTEXT = {"use_elasticsearch": False}
# The project's own suite, one test per check of the issue: none may be skipped or missing.
EXPECTED_TESTS = {
    "test_health_answers_200_with_every_service_up",
    "test_pages_carry_the_security_headers_of_the_production_settings",
    "test_a_client_s_own_x_forwarded_proto_is_not_believed",
    "test_production_settings_redirect_http_to_https_except_health",
    "test_home_page_renders_with_its_stylesheet",
    "test_admin_login_as_a_user_made_by_the_test",
    "test_static_files_are_served_by_nginx_with_caching_headers",
    "test_the_tasks_page_queues_a_task_that_the_worker_completes",
    "test_the_vue_page_shows_data_from_the_api",
}
EXPECTED_SCREENSHOTS = {"home", "admin", "tasks", "frontend"}


def e2e_environment(database: str) -> dict[str, str]:
    return {
        **host_environment(database),
        "E2E_ARTIFACTS": str(SCREENSHOTS),
        # A busy machine (a CI runner, parallel test workers) needs longer than the default to
        # start every program; a real failure still shows, only later.
        "HOST_WAIT_TIMEOUT": "600",
    }


@pytest.fixture
def database():
    require_tool("psql", "apt-get install -y postgresql-client")
    admin_url = SERVER_URLS["PostgreSQL"]
    name = f"e2e_{secrets.token_hex(4)}"
    run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"], cwd=TEMPLATE_ROOT)
    yield name
    run(
        ["psql", admin_url, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        cwd=TEMPLATE_ROOT,
        check=False,
    )


@pytest.fixture
def scratch_project(bake) -> Iterator[Path]:
    """The bake, copied to a short path: supervisord's and gunicorn's Unix sockets need one
    (108 bytes at most). The programs' logs are kept beside the screenshots."""
    scratch = Path(tempfile.mkdtemp(prefix="e2e-", dir="/tmp"))
    project = scratch / "p"
    shutil.copytree(bake("e2e", E2E_CONTEXT).path, project, symlinks=True)
    yield project
    if (project / "var" / "log").is_dir():
        shutil.rmtree(LOGS, ignore_errors=True)
        shutil.copytree(project / "var" / "log", LOGS)
    shutil.rmtree(scratch, ignore_errors=True)


def test_production_shape_end_to_end(scratch_project, database):
    for server in ("PostgreSQL", "Redis", "RabbitMQ"):
        require_server(server)
    for tool, how in [
        ("nginx", "apt-get install -y nginx"),
        ("envsubst", "apt-get install -y gettext-base"),
        ("chromium", "apt-get install -y chromium (never a downloaded browser)"),
        ("make", "apt-get install -y make"),
        ("npm", "Node.js 22.18+ with npm on PATH (see .ci/run): make e2e builds the Vue app"),
    ]:
        require_tool(tool, how)
    project = scratch_project
    python = install(project)
    # Bytecode compiled once, as the production image does (UV_COMPILE_BYTECODE): where the
    # environment forbids writing it (PYTHONDONTWRITEBYTECODE, as on some CI runners), each of
    # the stack's processes would otherwise compile every module it imports at every start.
    packages = sorted(path.parent.name for path in project.glob("*/__init__.py"))
    run([str(python), "-m", "compileall", "-q", "-j", "0", ".venv", *packages], cwd=project)
    env = e2e_environment(database)

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    report = ARTIFACTS / "e2e-junit.xml"
    started = time.monotonic()
    try:
        result = run(
            ["make", "e2e", f"ARGS=--junitxml={report} -p no:cacheprovider"],
            cwd=project,
            env=env,
            timeout=1800,
            check=False,
        )
    finally:
        # make e2e stops the stack itself; this is the net for a make that was killed.
        run(["deploy/host.sh", "down"], cwd=project, env=env, check=False)
    print(f"make e2e took {time.monotonic() - started:.0f} s")

    assert result.returncode == 0, f"make e2e failed:\n{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314 - written by our own run
    outcomes = {case.get("name"): [child.tag for child in case] for case in cases}
    assert set(outcomes) == EXPECTED_TESTS, f"ran {sorted(outcomes)}"
    not_passed = {name: tags for name, tags in outcomes.items() if tags}
    assert not not_passed, f"not passed: {not_passed}"
    shots = {path.stem: path for path in SCREENSHOTS.glob("*.png")}
    assert set(shots) == EXPECTED_SCREENSHOTS
    for path in shots.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        assert path.stat().st_size > 5_000, f"{path} is too small to show a page"
    # Stopped by make e2e itself, before the net above.
    assert result.stdout.rstrip().endswith("is down."), "make e2e did not stop the stack"
    status = run(["deploy/host.sh", "status"], cwd=project, env=env, check=False)
    assert status.returncode == 3, f"something still runs:\n{status.stdout}"
