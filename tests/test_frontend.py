"""The Vue frontend (`frontend=vue`): what a bake carries, and that its npm scripts pass.

- static: every bake carries the frontend exactly when the manifest says so; a `frontend=none`
  bake carries no Node file at all; the committed lock file matches package.json.
- `frontend` marker (slow: npm ci): on a copy of the default bake, `npm ci`, ESLint, vue-tsc,
  Vitest and the production build, timed; the numbers go to artifacts/frontend.json. One xdist
  group, so that npm ci runs once per session.
- `services`: runserver and the Vite dev server, each on a free port; Django's JSON through the proxy.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from bpc.manifest import TEMPLATE_ROOT
from tests.conftest import Baked
from tests.node import node_env
from tests.support import install, run

NODE_FILES = ("package.json", "package-lock.json", "vite.config.*", "*.vue", "tsconfig*.json", "node_modules")
# What the production bundle (JavaScript and CSS, gzip) may weigh before someone looks into it.
BUNDLE_BUDGET = 100_000
ARTIFACT = TEMPLATE_ROOT / "artifacts" / "frontend.json"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# Static ------------------------------------------------------------------------------------------


def test_frontend_is_baked_exactly_when_chosen(project: Baked) -> None:
    root = project.path
    dockerfile = read(root / "compose" / "django" / "Dockerfile")
    settings = read(root / "config" / "settings" / "base.py")
    if "vue" not in project.features:
        leftovers = [str(path.relative_to(root)) for name in NODE_FILES for path in root.rglob(name)]
        assert not leftovers, f"frontend=none still ships {leftovers}"
        assert not list(root.rglob("frontend")), "frontend=none still has a frontend folder"
        assert not re.search(r"^FROM\s+node", dockerfile, re.M | re.I)
        assert not re.search(r"\bnpm\b|vite", read(root / "Makefile"), re.I)
        assert not (root / "make" / "frontend.mk").exists()
        assert "vite" not in settings.lower() and "rest_framework" not in settings
        return
    frontend = root / "frontend"
    vite_config = read(frontend / "vite.config.ts")
    assert "const devServerPort = Number(env.VITE_PORT || 8080)" in vite_config
    for prefix in ("'/api/'", "'/admin/'", "'/media/'", "'^/static/(?!frontend/)'"):
        assert f"{prefix}: toDjango" in vite_config, prefix
    assert sorted(path.name for path in (frontend / "src" / "icons").glob("*.svg"))
    assert re.search(r"^FROM node:24\S* AS frontend$", dockerfile, re.M)
    assert f"COPY --from=frontend /app/{project.answers['project_slug']}/static/frontend" in dockerfile
    assert "test: frontend-test-if-node-allows" in read(root / "make" / "frontend.mk")
    assert '"django_vite"' in settings and '"rest_framework"' in settings


def test_no_template_syntax_survives_in_the_frontend(default_project: Baked) -> None:
    frontend = default_project.path / "frontend"
    for path in frontend.rglob("*"):
        if path.is_file():
            assert not re.search(r"\{\{ ?cookiecutter|\{%-? ", read(path)), path


def test_lock_file_pins_package_json_from_the_registry(bake) -> None:
    project = bake("frontend-named", {"project_name": "Shop Front"})
    frontend = project.path / "frontend"
    package = json.loads(read(frontend / "package.json"))
    lock = json.loads(read(frontend / "package-lock.json"))
    assert package["name"] == lock["name"] == lock["packages"][""]["name"] == "shop-front-frontend"
    root = lock["packages"][""]
    for kind in ("dependencies", "devDependencies"):
        assert root[kind] == package[kind], kind
        assert all(re.fullmatch(r"\d+\.\d+\.\d+", spec) for spec in package[kind].values()), kind
    for name, entry in lock["packages"].items():
        if name:
            assert entry.get("integrity", "").startswith("sha512-"), name
            assert entry.get("resolved", "https://registry.npmjs.org/").startswith(
                "https://registry.npmjs.org/"
            ), name


# npm scripts -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def frontend_checkout(bake, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the default bake whose frontend has run `npm ci`, so that the shared bake
    stays as baked."""
    copy = tmp_path_factory.mktemp("frontend") / "project"
    # Without node_modules: a layout test may have started `make frontend-dev` in the shared bake.
    shutil.copytree(bake("default").path, copy, ignore=shutil.ignore_patterns("node_modules"))
    started = time.monotonic()
    run(["npm", "ci", "--no-audit", "--no-fund"], cwd=copy / "frontend", env=node_env(), timeout=900)
    record("npm_ci_seconds", round(time.monotonic() - started, 1))
    return copy


def record(key: str, value: object) -> None:
    """Keep a measurement for the report of this run (artifacts/frontend.json)."""
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    numbers = json.loads(read(ARTIFACT)) if ARTIFACT.exists() else {}
    numbers[key] = value
    ARTIFACT.write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def npm_run(checkout: Path, script: str) -> subprocess.CompletedProcess[str]:
    return run(
        ["npm", "run", script],
        cwd=checkout / "frontend",
        env={**node_env(), "CI": "1", "NO_COLOR": "1"},
        timeout=600,
    )


@pytest.mark.frontend
@pytest.mark.xdist_group("frontend")
def test_npm_ci_keeps_the_lock_file_as_committed(frontend_checkout: Path, bake) -> None:
    committed = read(bake("default").path / "frontend" / "package-lock.json")
    assert read(frontend_checkout / "frontend" / "package-lock.json") == committed
    assert (frontend_checkout / "frontend" / "node_modules" / ".bin" / "vite").exists()


@pytest.mark.frontend
@pytest.mark.xdist_group("frontend")
def test_lint_and_type_check_pass(frontend_checkout: Path) -> None:
    npm_run(frontend_checkout, "lint")
    npm_run(frontend_checkout, "type-check")


@pytest.mark.frontend
@pytest.mark.xdist_group("frontend")
def test_component_tests_pass(frontend_checkout: Path) -> None:
    output = npm_run(frontend_checkout, "test").stdout
    assert re.search(r"Tests\s+\d+ passed", output), output
    assert "failed" not in output
    # The icons pipeline ran first: the sprite holds one symbol per SVG of src/icons.
    sprite = read(frontend_checkout / "frontend" / "src" / "assets" / "sprite.svg")
    icons = sorted(path.stem for path in (frontend_checkout / "frontend" / "src" / "icons").glob("*.svg"))
    assert sorted(re.findall(r'<symbol [^>]*id="icon-([a-z0-9-]+)"', sprite)) == icons


@pytest.mark.frontend
@pytest.mark.xdist_group("frontend")
def test_production_build_writes_hashed_files_and_a_manifest(frontend_checkout: Path) -> None:
    started = time.monotonic()
    npm_run(frontend_checkout, "build")
    record("build_seconds", round(time.monotonic() - started, 1))
    output = frontend_checkout / "my_awesome_project" / "static" / "frontend"
    manifest = json.loads(read(output / ".vite" / "manifest.json"))
    entry = manifest["src/main.ts"]
    assert entry["isEntry"] is True
    files = [entry["file"], *entry["css"]]
    assert all(re.fullmatch(r"assets/main-[A-Za-z0-9_-]{8}\.(js|css)", name) for name in files), files
    sizes = {name: len(gzip.compress((output / name).read_bytes(), 9)) for name in files}
    record("bundle_gzip_bytes", sizes)
    assert sum(sizes.values()) < BUNDLE_BUDGET, sizes
    # Only the build's output: node_modules and sources stay in frontend/.
    assert {path.name for path in output.iterdir()} == {".vite", "assets"}


# Dev server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"{process.args} exited with {process.returncode}:\n{process.stdout.read()}", pytrace=False
            )
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (a local http URL)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"nothing answered at {url} within {timeout} s", pytrace=False)


@pytest.fixture
def servers(frontend_checkout: Path) -> Iterator[tuple[str, str]]:
    """runserver and the Vite dev server in front of it, each on a free port: their base URLs."""
    vite_port = free_port()
    python = install(frontend_checkout)
    # Embedded mode (SQLite, local-memory cache): the proxy is under test, not the services.
    django_env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "VITE_PORT": str(vite_port),
        **dict.fromkeys(("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL"), ""),
    }
    run([str(python), "manage.py", "migrate", "--noinput"], cwd=frontend_checkout, env=django_env)
    run(
        [
            str(python),
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            "ada",
            "--email",
            "ada@example.com",
        ],
        cwd=frontend_checkout,
        env={**django_env, "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password"},
    )
    django_url = f"http://127.0.0.1:{free_port()}"
    started = []
    try:
        for command, cwd, env in (
            (
                [str(python), "manage.py", "runserver", "--noreload", django_url[7:]],
                frontend_checkout,
                django_env,
            ),
            (
                ["npm", "run", "dev", "--", "--host", "127.0.0.1"],
                frontend_checkout / "frontend",
                {**node_env(), "DJANGO_DEV_SERVER_URL": django_url, "VITE_PORT": str(vite_port)},
            ),
        ):
            started.append(
                subprocess.Popen(
                    command,
                    cwd=cwd,
                    env={**os.environ, **env},
                    text=True,
                    start_new_session=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
            )
        vite_url = f"http://127.0.0.1:{vite_port}"
        wait_until_answering(f"{django_url}/health/", started[0])
        wait_until_answering(f"{vite_url}/static/frontend/", started[1])
        yield django_url, vite_url
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def fetch(
    opener: urllib.request.OpenerDirector, url: str, data: object = None, **headers: str
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(  # noqa: S310 (local http URLs)
        url,
        data=None if data is None else json.dumps(data).encode(),
        headers={"Accept": "application/json", "Content-Type": "application/json", **headers},
        method="GET" if data is None else "POST",
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.services
@pytest.mark.frontend
@pytest.mark.xdist_group("frontend")
def test_dev_server_hands_the_api_to_django(servers: tuple[str, str]) -> None:
    django_url, vite_url = servers
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    status, _, body = fetch(browser, f"{vite_url}/api/health/")
    assert status == 200
    assert json.loads(body) == json.loads(fetch(browser, f"{django_url}/api/health/")[2])
    # Signed out, the status only: the services are listed for staff.
    assert json.loads(body) == {"status": "ok"}

    # The app itself comes from Vite (its root redirects there); Django's static files from Django.
    status, _, body = fetch(browser, f"{vite_url}/", Accept="text/html")
    assert status == 200 and b'<div id="app"></div>' in body
    status, headers, body = fetch(browser, f"{vite_url}/static/frontend/src/main.ts")
    assert status == 200 and "javascript" in headers["Content-Type"], body[:200]
    status, _, body = fetch(browser, f"{vite_url}/static/admin/css/base.css")
    assert status == 200
    assert body == fetch(browser, f"{django_url}/static/admin/css/base.css")[2]

    # Sign in through the proxy as the browser would: session cookie plus the CSRF token, with
    # the Origin of the page; Django sees the dev server's Host, so the origin check passes.
    me = json.loads(fetch(browser, f"{vite_url}/api/me/")[2])
    assert me["authenticated"] is False
    credentials = {"username": "ada", "password": "a-long-test-password"}
    status, _, body = fetch(
        browser, f"{vite_url}/api/session/", credentials, Origin=vite_url, **{"X-CSRFToken": me["csrf_token"]}
    )
    assert status == 200, body
    me = json.loads(fetch(browser, f"{vite_url}/api/me/")[2])
    assert (me["authenticated"], me["username"], me["is_staff"]) == (True, "ada", True)
