"""End-to-end: a baked project in its production shape on this host, checked from outside.

The bake is installed and `make e2e` runs: the project's own end-to-end suite (tests/e2e in the
generated project) against `deploy/host.sh up` (gunicorn, the Celery worker and beat, nginx under
a private supervisord, with the production settings and the generated gunicorn and nginx
configuration), then everything stops. This test gives it the servers of this machine through
the environment, the documented way (a variable set in the environment wins over the
.envs/.production files), and keeps the screenshots under artifacts/screenshots/ at the root of
this repository, where CI picks them up.

The bake is the default one except for Elasticsearch: production settings require a cluster and
this machine has none (the services tier covers search against its own stand-in).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bpc.manifest import TEMPLATE_ROOT
from tests.support import SERVER_URLS, install, require_server, require_tool, run

pytestmark = pytest.mark.e2e

ARTIFACTS = TEMPLATE_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
E2E_CONTEXT = {"use_elasticsearch": False}
# The project's own suite, one test per check of the issue: none may be skipped or missing.
EXPECTED_TESTS = {
    "test_health_answers_200_with_every_service_up",
    "test_pages_carry_the_security_headers_of_the_production_settings",
    "test_https_reported_by_a_tls_proxy_gets_hsts",
    "test_production_settings_redirect_http_to_https_except_health",
    "test_home_page_renders_with_its_stylesheet",
    "test_admin_login_as_a_user_made_by_the_test",
    "test_static_files_are_served_by_nginx_with_caching_headers",
    "test_the_tasks_page_queues_a_task_that_the_worker_completes",
    "test_the_vue_page_shows_data_from_the_api",
}
EXPECTED_SCREENSHOTS = {"home", "admin", "tasks", "frontend"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def host_environment(database: str) -> dict[str, str]:
    """The servers of this machine, with names of their own so that parallel runs never meet."""
    postgres = SERVER_URLS["PostgreSQL"].rsplit("/", 1)[0]
    return {
        "DATABASE_URL": f"{postgres}/{database}",
        "REDIS_URL": SERVER_URLS["Redis"],
        "DJANGO_CACHE_KEY_PREFIX": database,
        "CELERY_BROKER_URL": SERVER_URLS["RabbitMQ"],
        "CELERY_TASK_DEFAULT_QUEUE": database,
        "HOST_HTTP_PORT": str(free_port()),
        "FLOWER_PORT": str(free_port()),
        "E2E_ARTIFACTS": str(SCREENSHOTS),
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


def test_production_shape_end_to_end(bake, database):
    for server in ("PostgreSQL", "Redis", "RabbitMQ"):
        require_server(server)
    require_tool("nginx", "apt-get install -y nginx")
    require_tool("envsubst", "apt-get install -y gettext-base")
    require_tool("chromium", "apt-get install -y chromium (never a downloaded browser)")
    require_tool("make", "apt-get install -y make")

    # supervisord's and gunicorn's Unix sockets need a short path (108 bytes at most).
    scratch = Path(tempfile.mkdtemp(prefix="e2e-", dir="/tmp"))
    project = scratch / "p"
    shutil.copytree(bake("e2e", E2E_CONTEXT).path, project, symlinks=True)
    install(project)
    env = host_environment(database)
    require_tool("npm", "Node.js 22.18+ with npm on PATH (see .ci/run): make e2e builds the Vue app")

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    report = ARTIFACTS / "e2e-junit.xml"
    result = run(
        ["make", "e2e", f"ARGS=--junitxml={report} -p no:cacheprovider"],
        cwd=project,
        env=env,
        timeout=1200,
        check=False,
    )
    try:
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
    finally:
        # make e2e stops the stack itself; this is the net for a make that was killed.
        run(["deploy/host.sh", "down"], cwd=project, env=env, check=False)
    assert "is down." in result.stdout, "make e2e did not stop the stack"
    status = run(["deploy/host.sh", "status"], cwd=project, env=env, check=False)
    assert status.returncode == 3, f"something still runs:\n{status.stdout}"
    shutil.rmtree(scratch, ignore_errors=True)
