"""The docker tier: bakes built and run in a real Docker engine, exactly as `make up` runs them.

For each bake of dockertier.DOCKER_BAKES (the default bake and the celery_broker=redis bake
without Elasticsearch and GlitchTip, which have no stand-in image here, and the minimal bake; the
default and minimal ones on Django 6.1 too):
the local stack is built (cold, then warm), brought up with `docker compose up --wait` and probed
from the host through its published ports; the project's own test suite runs inside its django
image against the stack's services; the entrypoint's wait is tried against a stopped and a
misconfigured PostgreSQL. Then the production stack: built (the Vue bundle by its Node stage),
brought up, probed through nginx (or gunicorn), its containers and image inspected. One stack runs
at a time, and every stack is taken down with its volumes, leaving nothing behind, also when a
test fails. Figures (build times, time to healthy, image sizes, test counts) are printed at the
end of the run.

The tier needs a Docker engine and Compose v2; without them it fails, saying how to start them,
unless it is deselected with `-m "not docker"`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpc import manifest
from tests import dockertier
from tests.dockertier import DOCKER_BAKES, Stack, built_stack, figure, http

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("docker")]

APP_SERVICES = {"django", "celeryworker", "celerybeat", "flower"}


class Bake:
    def __init__(self, bake_id: str, path: Path) -> None:
        self.id = bake_id
        self.path = path
        self.answers = {**_defaults(), **DOCKER_BAKES[bake_id]}
        self.features = manifest.enabled(self.answers)

    def env_file(self, name: str) -> dict[str, str]:
        values = {}
        for line in (self.path / name).read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
        return values


def _defaults() -> dict:
    from bpc.answers import template_defaults

    defaults = template_defaults()
    return {key: value[0] if isinstance(value, list) else value for key, value in defaults.items()}


class Stacks:
    """Keeps at most one stack up (the machine has two cores): asking for another takes the
    running one down, with its volumes, and checks that nothing of it is left."""

    def __init__(self) -> None:
        self.current: Stack | None = None
        self.failed: set[tuple[Path, str]] = set()

    def running(self, bake: Bake, stack: str) -> Stack:
        if self.current is not None and (self.current.project, self.current.stack) == (bake.path, stack):
            return self.current
        if (bake.path, stack) in self.failed:
            pytest.fail(
                f"the {stack} stack of {bake.id} did not come up: see the first test of it", pytrace=False
            )
        self.close()
        self.failed.add((bake.path, stack))
        compose_stack = built_stack(bake.path, bake.id, stack)
        healthy = compose_stack.up()
        self.failed.discard((bake.path, stack))
        figure(
            f"{bake.id} {stack}: {len(compose_stack.services())} services healthy {healthy:.0f} s after `up --wait` began"
        )
        self.current = compose_stack
        return compose_stack

    def close(self) -> None:
        if self.current is None:
            return
        compose_stack, self.current = self.current, None
        compose_stack.down()
        left = compose_stack.leftovers()
        assert not left, f"`down -v` of {compose_stack.name} left {left}"


@pytest.fixture(scope="session")
def engine() -> None:
    dockertier.require_engine()
    figure(f"docker tier: {dockertier.LEFT_OUT}")


@pytest.fixture(scope="session")
def stacks(engine: None) -> Iterator[Stacks]:
    pool = Stacks()
    yield pool
    pool.close()


@pytest.fixture(scope="module", params=list(DOCKER_BAKES))
def docker_bake(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: None
) -> Bake:
    root = tmp_path_factory.getbasetemp() / "docker-tier"
    return Bake(request.param, dockertier.bake(request.param, root))


@pytest.fixture
def local(docker_bake: Bake, stacks: Stacks) -> Stack:
    return stacks.running(docker_bake, "local")


@pytest.fixture
def production(docker_bake: Bake, stacks: Stacks) -> Stack:
    return stacks.running(docker_bake, "production")


def container_states(stack: Stack) -> dict[str, tuple[str, str]]:
    listing = stack.compose("ps", "--all", "--format", "json").stdout
    rows = [json.loads(line) for line in listing.splitlines() if line.strip()]
    return {row["Service"]: (row["State"], row.get("Health", "")) for row in rows}


def health_details(bake: Bake, env_file: str) -> dict[str, str]:
    """The header that shows each service's state in /health/ (anonymous callers get the overall
    status only)."""
    return {"X-Health-Check-Token": bake.env_file(env_file)["HEALTH_CHECK_TOKEN"]}


def expected_health_services(bake: Bake) -> set[str]:
    services = {"database", "cache"}
    if "celery" in bake.features:
        services.add("broker")
    return services


# The local stack -----------------------------------------------------------------------------


def test_compose_project_name_wins(docker_bake: Bake, engine: None) -> None:
    def name(file: str, **env: str) -> str:
        environment = {key: value for key, value in os.environ.items() if key != "COMPOSE_PROJECT_NAME"}
        config = subprocess.run(
            ["docker", "compose", "-f", file, "config", "--format", "json"],
            cwd=docker_bake.path,
            env={**environment, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(config.stdout)["name"]

    slug = docker_bake.path.name
    # Two checkouts in two folders get two local stacks; the production stack has its own name.
    assert name("compose.yml") == slug
    assert name("compose.production.yml") == f"{slug}-production"
    assert name("compose.yml", COMPOSE_PROJECT_NAME="bpc-docker-checkout-2") == "bpc-docker-checkout-2"


def test_local_stack_is_healthy(docker_bake: Bake, local: Stack) -> None:
    states = container_states(local)
    assert set(states) == set(local.services()), states
    for service, (state, health) in states.items():
        assert state == "running", (service, state)
        assert health == "healthy", (service, health)


def test_local_health_names_every_service(docker_bake: Bake, local: Stack) -> None:
    status, _, body = http(
        local.url("DJANGO_PORT", "/health/"), headers=health_details(docker_bake, ".envs/.local/.django")
    )
    answer = json.loads(body)
    assert status == 200, answer
    assert set(answer["services"]) == expected_health_services(docker_bake), answer
    assert all(state == "ok" for state in answer["services"].values()), answer


def test_local_home_and_admin_login(local: Stack) -> None:
    status, _, body = http(local.url("DJANGO_PORT", "/"))
    assert status == 200 and b"<html" in body.lower(), body[:500]
    status, _, body = http(local.url("DJANGO_PORT", "/admin/login/"))
    assert status == 200 and b"csrfmiddlewaretoken" in body, body[:500]


CELERY_ROUND_TRIP = """
import time
from {slug}.tasks.models import DemoTaskRun
from {slug}.tasks.tasks import run_demo
demo = DemoTaskRun.objects.create(seconds=0)
result = run_demo.delay(demo.pk)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    demo.refresh_from_db()
    if demo.status == DemoTaskRun.Status.DONE:
        break
    time.sleep(0.5)
print("task", result.id, demo.status)
"""


def test_celery_task_runs_in_the_worker(docker_bake: Bake, local: Stack) -> None:
    if "celery" not in docker_bake.features:
        pytest.skip("this bake has no Celery")
    slug = docker_bake.path.name
    done = local.exec(
        "django", "python", "manage.py", "shell", "-c", CELERY_ROUND_TRIP.format(slug=slug)
    ).stdout
    match = re.search(r"task (\S+) (\w+)", done)
    assert match and match[2] == "done", done
    # Sent from the django container, run by the worker container, through the broker.
    worker_log = local.compose("logs", "--no-color", "celeryworker").stdout
    assert re.search(rf"Task \S+\[{match[1]}\] succeeded", worker_log), worker_log[-3000:]


def test_project_suite_passes_inside_the_image(docker_bake: Bake, local: Stack) -> None:
    started = time.monotonic()
    result = local.exec(
        "django", "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", check=False, timeout=1200
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, f"{result.stdout[-8000:]}\n{result.stderr[-3000:]}"
    passed = int(re.search(r"(\d+) passed", summary)[1])
    python = local.exec("django", "python", "--version").stdout.strip()
    figure(
        f"{docker_bake.id} local: the project's own suite inside the django image ({python}): "
        f"{summary.strip('= ')} in {time.monotonic() - started:.0f} s"
    )
    assert passed > 0


def test_local_image_user_is_the_checkout_owner(docker_bake: Bake, local: Stack) -> None:
    owner = (docker_bake.path / "manage.py").stat()
    ids = local.exec(
        "django", "sh", "-c", "id -u; id -g; touch .written-by-the-container && echo written"
    ).stdout
    assert ids.split() == [str(owner.st_uid), str(owner.st_gid), "written"], ids
    assert (docker_bake.path / ".written-by-the-container").stat().st_uid == owner.st_uid
    (docker_bake.path / ".written-by-the-container").unlink()


def test_entrypoint_waits_for_postgres(docker_bake: Bake, local: Stack) -> None:
    local.compose("stop", "postgres")
    command = ["docker", "compose", "-p", local.name, "-f", local.file, "run", "--rm", "--no-deps", "-T"]
    waiting = subprocess.Popen(
        [*command, "-e", "WAIT_FOR_TIMEOUT=120", "django", "python", "-c", "print('django started')"],
        cwd=local.project,
        env=local.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(10)
        assert waiting.poll() is None, f"the entrypoint did not wait for postgres: {waiting.communicate()}"
        local.compose("start", "postgres")
        output, errors = waiting.communicate(timeout=150)
    finally:
        if waiting.poll() is None:
            waiting.kill()
        local.compose("start", "postgres", check=False)
    assert waiting.returncode == 0 and "django started" in output, (output, errors[-3000:])

    # A wrong password is no reason to wait: the entrypoint stops at once and names the service.
    password = "wrong-password-of-the-tier"  # noqa: S105  (the point: a wrong one)
    database = docker_bake.env_file(".envs/.local/.postgres")["DATABASE_URL"]
    wrong = re.sub(r"(://[^:]+:)[^@]+@", rf"\g<1>{password}@", database)
    started = time.monotonic()
    refused = local.compose(
        "run",
        "--rm",
        "--no-deps",
        "-T",
        "-e",
        f"DATABASE_URL={wrong}",
        "-e",
        "WAIT_FOR_TIMEOUT=90",
        "django",
        "python",
        "-c",
        "print('django started')",
        check=False,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "django started" not in said, said[-3000:]
    assert "postgres" in said.lower() and password not in said, said[-3000:]
    assert elapsed < 30, f"a wrong password took {elapsed:.0f} s to fail:\n{said[-3000:]}"
    figure(
        f"{docker_bake.id} local: entrypoint waited for a stopped postgres; a wrong password failed in {elapsed:.0f} s"
    )


# The production stack ------------------------------------------------------------------------


def test_production_stack_is_healthy(docker_bake: Bake, production: Stack) -> None:
    states = container_states(production)
    assert set(states) == set(production.services()), states
    for service, (state, health) in states.items():
        assert state == "running", (service, state)
        assert health == "healthy", (service, health)
    sizes = []
    for image in production.images():
        size = int(dockertier.docker("image", "inspect", "--format", "{{.Size}}", image).stdout)
        origin = dockertier.image_origins.get(image, "built by the stack")
        sizes.append(f"{image} {size / 1e6:.0f} MB ({origin})")
    figure(f"{docker_bake.id} production: image sizes: {'; '.join(sizes)}")


def front_door(bake: Bake, stack: Stack) -> str:
    return "HTTP_PORT" if "nginx" in bake.features else "GUNICORN_PORT"


def test_production_health_redirect_and_static(docker_bake: Bake, production: Stack) -> None:
    domain = docker_bake.answers["domain_name"]
    door = front_door(docker_bake, production)
    status, _, body = http(production.url(door, "/health/"), host=domain)
    assert status == 200 and json.loads(body) == {"status": "ok"}, body[:2000]
    status, _, body = http(
        production.url(door, "/health/"),
        host=domain,
        headers=health_details(docker_bake, ".envs/.production/.django"),
    )
    assert status == 200, body[:2000]
    assert set(json.loads(body)["services"]) == expected_health_services(docker_bake), body
    status, headers, _ = http(production.url(door, "/"), host=domain)
    assert status in (301, 308) and headers["Location"].startswith(f"https://{domain}/"), (status, headers)
    if "nginx" in docker_bake.features:
        status, headers, body = http(production.url(door, "/static/admin/css/base.css"), host=domain)
        on_disk = production.exec("nginx", "cat", "/srv/static/admin/css/base.css").stdout.encode()
        assert status == 200 and body == on_disk and len(body) > 1000, (status, headers)
        assert headers.get("Server", "").startswith("nginx"), headers


def test_check_deploy_inside_the_image(production: Stack) -> None:
    result = production.exec(
        "django", "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_app_containers_are_hardened(production: Stack) -> None:
    for service in APP_SERVICES & set(production.services()):
        container = production.compose("ps", "--quiet", service).stdout.strip()
        config = json.loads(dockertier.docker("inspect", container).stdout)[0]["HostConfig"]
        assert config["ReadonlyRootfs"] is True, service
        assert config["CapDrop"] == ["ALL"], (service, config["CapDrop"])
        assert "no-new-privileges:true" in config["SecurityOpt"], (service, config["SecurityOpt"])
        probe = production.exec(
            service,
            "sh",
            "-c",
            "id -u; stat -c %u manage.py; touch manage.py 2>&1 || true; touch /app/new 2>&1 || true; "
            "touch /tmp/scratch && echo tmp-writable",
        ).stdout
        lines = probe.splitlines()
        assert lines[0] != "0", f"{service} runs as root"
        assert lines[1] == "0", f"{service}: the code is not root's"
        # The code is root's and the root file system read-only: neither can the app change.
        assert "cannot touch 'manage.py'" in probe, (service, probe)
        assert "cannot touch '/app/new': Read-only file system" in probe, (service, probe)
        assert lines[-1] == "tmp-writable", (service, probe)


PRODUCTION_IMAGE_AUDIT = """
import os, shutil
found = []
if os.path.exists("/app/.envs"):
    found.append("/app/.envs")
for tool in ("uv", "uvx", "gcc", "cc", "node", "npm"):
    if shutil.which(tool):
        found.append(shutil.which(tool))
for top in ("/app", "/opt", "/usr/local", "/usr/lib"):
    for root, folders, _ in os.walk(top):
        if "node_modules" in folders:
            found.append(os.path.join(root, "node_modules"))
print("\\n".join(found) or "clean")
"""


def test_production_image_holds_no_secrets_or_tooling(docker_bake: Bake, production: Stack) -> None:
    image = f"{docker_bake.path.name}-production-django"
    audit = dockertier.docker(
        "run", "--rm", "--entrypoint", "python", image, "-c", PRODUCTION_IMAGE_AUDIT
    ).stdout
    assert audit.strip() == "clean", audit
    if "vue" in docker_bake.features:
        manifest_file = f"/app/{docker_bake.path.name}/static/frontend/.vite/manifest.json"
        dockertier.docker("run", "--rm", "--entrypoint", "test", image, "-s", manifest_file)


def test_production_flower_asks_for_its_login(docker_bake: Bake, production: Stack) -> None:
    if "celery" not in docker_bake.features:
        pytest.skip("this bake has no Celery")
    login = docker_bake.env_file(".envs/.production/.django")["FLOWER_BASIC_AUTH"]
    status, headers, _ = http(production.url("PRODUCTION_FLOWER_PORT", "/"))
    assert status == 401 and "Basic" in headers.get("WWW-Authenticate", ""), (status, headers)
    status, _, _ = http(production.url("PRODUCTION_FLOWER_PORT", "/"), auth=login)
    assert status == 200


def test_down_leaves_nothing(docker_bake: Bake, stacks: Stacks) -> None:
    current = stacks.current
    stacks.close()
    if current is not None:
        assert current.leftovers() == []


def test_down_leaves_nothing_after_a_failure(docker_bake: Bake, stacks: Stacks) -> None:
    if docker_bake.id != "minimal":
        pytest.skip("shown once, on the smallest stack")
    compose_stack = built_stack(docker_bake.path, docker_bake.id, "local")

    @contextlib.contextmanager
    def running() -> Iterator[None]:
        stacks.close()
        stacks.current = compose_stack
        compose_stack.up()
        try:
            yield
        finally:
            stacks.close()

    with pytest.raises(RuntimeError), running():
        assert compose_stack.leftovers(), "the stack did not come up"
        raise RuntimeError("a test failing while its stack runs")
    assert compose_stack.leftovers() == []
