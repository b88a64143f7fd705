"""The Docker stack of every bake, checked without a Docker engine: the Compose files against the
compose-spec schema and the manifest, the Dockerfiles with hadolint, the shell scripts with
shellcheck, the nginx site with `nginx -t`, the CI file against its schema. One test of the
services tier runs the site in a real nginx in front of a stand-in for gunicorn.

Speed, for the static tier's budget: many bakes share identical files (the Dockerfiles, most
scripts), so each tool's verdict is cached by the content of what it checked. The schemas are
check-jsonschema's own builtin ones, applied in this process (a CLI start costs more than the
validation); test_check_jsonschema_cli_agrees runs the CLI itself on the default bake.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import require_tool

PIP_TOOLS = "uv sync (the template's dev group)"
COMPOSE_FILES = {"local": "compose.yml", "production": "compose.production.yml"}
START_SCRIPTS = (
    "start-runserver",
    "start-gunicorn",
    "start-celeryworker",
    "start-celerybeat",
    "start-flower",
)
# Services with nothing to probe; the acceptance of the issue exempts these.
UNPROBED = {"celerybeat"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASS$|TOKEN|_KEY$|DSN", re.IGNORECASE)

# Digests of (tool, arguments, file name, content) that a tool found clean in this process.
_clean: set[str] = set()


def _digest(tool: str, arguments: list[str], path: Path) -> str:
    return hashlib.sha256("\0".join([tool, *arguments, path.name]).encode() + path.read_bytes()).hexdigest()


def tool_path(tool: str, how: str) -> str:
    """A tool of the template's dev dependencies: on PATH, or beside this Python (an unactivated venv)."""
    beside = Path(sys.executable).parent / tool
    if shutil.which(tool) is None and beside.exists():
        return str(beside)
    return require_tool(tool, how)


def lint(tool: str, how: str, arguments: list[str], files: list[Path]) -> subprocess.CompletedProcess[str]:
    """Run `tool arguments files` on the files not already found clean with the same content.

    Each file is judged on its own (none of ours sources another), so a verdict holds for the
    same content in any bake.
    """
    unseen = [path for path in files if _digest(tool, arguments, path) not in _clean]
    if not unseen:
        return subprocess.CompletedProcess([tool], 0, "", "")
    result = subprocess.run(
        [tool_path(tool, how), *arguments, *map(str, unseen)],
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode == 0:
        _clean.update(_digest(tool, arguments, path) for path in unseen)
    return result


@functools.cache
def builtin_schema(name: str) -> Any:
    """A validator for check-jsonschema's `--builtin-schema vendor.<name>`."""
    try:
        import jsonschema
    except ImportError:
        pytest.fail(f"check-jsonschema is not installed; install it with: {PIP_TOOLS}", pytrace=False)
    schema = json.loads(
        (resources.files("check_jsonschema.builtin_schemas.vendor") / f"{name}.json").read_text(
            encoding="utf-8"
        )
    )
    validator = jsonschema.validators.validator_for(schema)
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


def schema_errors(name: str, path: Path) -> list[str]:
    # YAML 1.2, as check-jsonschema reads it: `on:` is a string there, not a boolean.
    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in builtin_schema(name).iter_errors(document)
    ]


def assert_clean(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode == 0, f"{what}:\n{result.stdout}{result.stderr}"


def compose(project: Any, shape: str) -> dict[str, Any]:
    return yaml.safe_load((project.path / COMPOSE_FILES[shape]).read_text(encoding="utf-8"))


def shell_scripts(root: Path) -> list[Path]:
    scripts = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".git" in path.parts or "node_modules" in path.parts or path.suffix == ".py":
            continue
        with path.open("rb") as stream:
            first_line = stream.readline()
        if re.match(rb"#!.*\b(ba|da)?sh\b", first_line):
            scripts.append(path)
    return scripts


def test_compose_files_follow_the_compose_spec(project):
    files = [project.path / name for name in COMPOSE_FILES.values()]
    assert [error for path in files for error in schema_errors("compose-spec", path)] == []
    for path in files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "version" not in document, f"{path.name}: the obsolete `version:` key"


@pytest.mark.parametrize("shape", COMPOSE_FILES)
def test_compose_services_are_the_manifests(project, shape):
    services = set(compose(project, shape)["services"])
    assert services == project.expected.present[f"{shape}_services"]


@pytest.mark.parametrize("shape", COMPOSE_FILES)
def test_every_path_a_compose_file_names_exists(project, shape):
    document = compose(project, shape)
    missing = []
    for name, service in document["services"].items():
        build = service.get("build")
        if build:
            context = project.path / build["context"]
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            missing += [f"{name}: {p}" for p in (context, dockerfile) if not p.exists()]
        for env_file in service.get("env_file", []):
            if not (project.path / env_file).is_file():
                missing.append(f"{name}: env_file {env_file}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                if not (project.path / source).exists():
                    missing.append(f"{name}: mounted {source}")
            elif source not in (document.get("volumes") or {}):
                missing.append(f"{name}: undeclared volume {source}")
    assert not missing, f"{COMPOSE_FILES[shape]}: {missing}"


@pytest.mark.parametrize("shape", COMPOSE_FILES)
def test_services_are_health_checked_and_waited_for(project, shape):
    services = compose(project, shape)["services"]
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert healthcheck.get("disable") is not True or name in UNPROBED, f"{name}'s healthcheck is off"
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (
                f"{name} starts before {dependency} is healthy"
            )
            assert not services[dependency]["healthcheck"].get("disable"), f"{dependency} is never healthy"


@pytest.mark.parametrize("shape", COMPOSE_FILES)
def test_no_secret_in_a_compose_file(project, shape):
    text = (project.path / COMPOSE_FILES[shape]).read_text(encoding="utf-8")
    secrets = set()
    for env_file in (path for path in (project.path / ".envs").rglob(".*") if path.is_file()):
        for line in env_file.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if SECRET_NAME.search(name) and len(value) >= 8:
                secrets.add(value)
    assert secrets, "the bake has no generated secret to look for"
    assert not [value for value in secrets if value in text]
    for name, service in compose(project, shape)["services"].items():
        environment = service.get("environment") or {}
        assert not [key for key in environment if SECRET_NAME.search(key)], f"{name} sets a secret inline"


def test_dockerfiles_pass_hadolint(project):
    dockerfiles = sorted(project.path.glob("compose/*/Dockerfile"))
    assert dockerfiles
    assert_clean(lint("hadolint", PIP_TOOLS, [], dockerfiles), "hadolint")
    for dockerfile in dockerfiles:
        for line in dockerfile.read_text(encoding="utf-8").splitlines():
            if "hadolint ignore" in line:
                assert re.search(r"ignore=\S+\s+\S", line), (
                    f"{dockerfile}: an ignore without its reason: {line}"
                )


def test_django_image_stages(project):
    text = (project.path / "compose/django/Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\S+)$", text, re.MULTILINE)
    assert {"builder", "local", "production"} <= set(stages)
    # The local user follows the checkout's owner (default 1000); production's is fixed.
    for final, user in (("local", "USER ${APP_UID}:${APP_GID}"), ("production", "USER 1000:1000")):
        body = text.split(f" AS {final}\n", 1)[1].split("\nFROM ", 1)[0]
        assert user in body, f"{final} runs as root"
        assert "COPY --chown" not in body.split("COPY --from=deps")[1], (
            f"{final}: the app's user owns its code"
        )
        assert "HEALTHCHECK" in body, f"{final} has no HEALTHCHECK"
        instructions = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("#"))
        assert not re.search(r"\b(uv|pip|apt-get|gcc)\b", instructions), f"{final} installs with a build tool"
    assert "ARG APP_UID=1000" in text
    # No `# syntax=` line: it would pull a frontend image, and builds must need no registry.
    assert not re.search(r"^# *syntax=", text, re.MULTILINE)
    assert re.findall(r"\buv sync\b[^\n]*", text) and all(
        "--locked" in line for line in re.findall(r"\buv sync\b[^\n]*", text)
    )


def test_published_ports_come_from_env_variables(project):
    """Every published port is a variable with today's default, set in .env beside compose.yml."""
    defaults = dict(
        line.split("=", 1)
        for line in (project.path / ".env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    for name in COMPOSE_FILES.values():
        document = yaml.safe_load((project.path / name).read_text(encoding="utf-8"))
        for service in document["services"].values():
            for published in service.get("ports", []):
                host = published.rsplit(":", 1)[0]
                match = re.fullmatch(r"(?:127\.0\.0\.1:)?\$\{([A-Z_]+_PORT):-(\d+)\}", host)
                assert match, f"{name}: {published} is published on a fixed host port"
                assert defaults.get(match[1]) == match[2], (
                    f"{name}: {match[1]} is not set to {match[2]} in .env"
                )


def test_shell_scripts_pass_shellcheck(project):
    scripts = shell_scripts(project.path)
    assert project.path / "compose/django/entrypoint" in scripts
    assert_clean(lint("shellcheck", PIP_TOOLS, [], scripts), "shellcheck")


def test_start_scripts_run_anywhere(project):
    """The bare-metal host runs the same scripts under Supervisor: no container paths, no subshell."""
    folder = project.path / "compose/django"
    present = [name for name in START_SCRIPTS if (folder / name).exists()]
    expected = ["start-runserver", "start-gunicorn"]
    if "celery" in project.features:
        expected += ["start-celeryworker", "start-celerybeat", "start-flower"]
    assert present == [name for name in START_SCRIPTS if name in expected]
    for name in [*present, "entrypoint"]:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_mode & 0o111, f"{name} is not executable"
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in text
        assert 'cd "$(dirname "${BASH_SOURCE[0]}")/../.."' in text, f"{name} does not find the project itself"
        assert "/app" not in text, f"{name} assumes the container's layout"
        last = [line for line in text.splitlines() if line.strip() and not line.startswith("#")][-1]
        assert last.startswith("exec "), f"{name} does not exec its process: signals would not reach it"


def test_the_entrypoint_waits_for_every_configured_service(project):
    text = (project.path / "compose/django/entrypoint").read_text(encoding="utf-8")
    variables = {
        "DATABASE_URL": "postgres",
        "REDIS_URL": "redis",
        "CELERY_BROKER_URL": "celery",
        "ELASTICSEARCH_URL": "elasticsearch",
    }
    for variable, feature in variables.items():
        assert (variable in text) == (feature in project.features), variable
    assert "compose/django/wait_for.py" in text
    assert text.rstrip().endswith('exec "$@"')


def nginx_check(tmp_path: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a site wrapped in a main file whose pid, logs and temp files are in tmp_path."""
    nginx = require_tool("nginx", "apt-get install nginx-light")
    main = tmp_path / "nginx.conf"
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp}\n    include {site};\n}}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(main)],
        text=True,
        capture_output=True,
        timeout=30,
        check=False,
    )


def render(template: str, values: dict[str, str]) -> str:
    """What `envsubst` with exactly these variables makes of the template."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    return template


HOST_VALUES = {
    "NGINX_LISTEN_PORT": "8088",
    "NGINX_SERVER_NAME": "localhost",
    "NGINX_UPSTREAM": "127.0.0.1:8000",
    "NGINX_STATIC_ROOT": "/srv/project/staticfiles",
    "NGINX_MEDIA_ROOT": "/srv/project/media",
    "NGINX_TRUSTED_PROXY": "10.0.0.0/8",
}


def test_nginx_site_passes_nginx_t(project, tmp_path):
    if "nginx" not in project.features:
        assert not (project.path / "compose/nginx").exists()
        return
    template = (project.path / "compose/nginx/site.template").read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(HOST_VALUES)
    # The compose stack's rendering, as the nginx image serves it (a Unix socket: no name to resolve).
    assert_clean(
        nginx_check(tmp_path, project.path / "compose/nginx/default.conf"), "nginx -t on default.conf"
    )
    # A bare-metal host's rendering (test_nginx_t_with_envsubst renders with envsubst itself).
    site = tmp_path / "site.conf"
    site.write_text(render(template, HOST_VALUES), encoding="utf-8")
    assert_clean(nginx_check(tmp_path, site), "nginx -t on site.template rendered for a host")


def test_nginx_default_conf_is_the_template_rendered_for_compose(project):
    if "nginx" not in project.features:
        return
    folder = project.path / "compose/nginx"
    rendered = render(
        (folder / "site.template").read_text(encoding="utf-8"),
        {
            "NGINX_LISTEN_PORT": "80",
            "NGINX_SERVER_NAME": project.answers["domain_name"],
            "NGINX_UPSTREAM": "unix:/run/gunicorn/gunicorn.sock",
            "NGINX_STATIC_ROOT": "/srv/static",
            "NGINX_MEDIA_ROOT": "/srv/media",
            "NGINX_TRUSTED_PROXY": "0.0.0.0/32",
        },
    )
    default = (folder / "default.conf").read_text(encoding="utf-8")
    assert default.endswith(rendered)
    # Only the compose and the swarm sites look like nginx configs (test_swarm checks the second).
    assert sorted(p.name for p in folder.rglob("*.conf*")) == ["default.conf", "swarm.conf"]


def test_nginx_site_does_what_the_issue_asks(default_project):
    text = (default_project.path / "compose/nginx/site.template").read_text(encoding="utf-8")
    upstream = re.search(r"^upstream (\w+) \{(.*?)^\}", text, re.DOTALL | re.MULTILINE)
    assert upstream
    assert "keepalive" in upstream[2]
    assert f"proxy_pass http://{upstream[1]};" in text
    assert 'proxy_set_header Connection "";' in text
    for directive in ("gzip on;", "client_max_body_size", "location /static/", "location /media/"):
        assert directive in text
    for header in (
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Served-By",
        "Cache-Control",
    ):
        assert f"add_header {header} " in text
    # add_header in a location would silently drop every header of the server block there.
    locations = re.findall(r"^    location [^{]+\{(.*?)^    \}", text, re.DOTALL | re.MULTILINE)
    assert locations
    assert not [body for body in locations if "add_header" in body]


def test_nginx_t_with_envsubst(default_project, tmp_path):
    """The bare-metal engineers render the template with GNU envsubst: the result must be valid."""
    envsubst = require_tool("envsubst", "apt-get install gettext-base")
    template = default_project.path / "compose/nginx/site.template"
    result = subprocess.run(
        [envsubst, " ".join("${" + name + "}" for name in HOST_VALUES)],
        input=template.read_text(encoding="utf-8"),
        env=HOST_VALUES,
        text=True,
        capture_output=True,
        check=True,
    )
    assert "${NGINX_" not in result.stdout
    assert "$host" in result.stdout, "envsubst replaced nginx's own variables"
    site = tmp_path / "site.conf"
    site.write_text(result.stdout, encoding="utf-8")
    assert_clean(nginx_check(tmp_path, site), "nginx -t")


CI_FILES = {
    "github_ci": (".github/workflows/ci.yml", "vendor.github-workflows"),
    "gitlab_ci": (".gitlab-ci.yml", "vendor.gitlab-ci"),
}


def test_ci_file_is_valid_and_tests_inside_compose(project):
    chosen = [feature for feature in CI_FILES if feature in project.features]
    for feature, (path, _) in CI_FILES.items():
        assert (project.path / path).exists() == (feature in chosen), path
    if not chosen:
        return
    path, schema = CI_FILES[chosen[0]]
    assert schema_errors(schema.removeprefix("vendor."), project.path / path) == []
    text = (project.path / path).read_text(encoding="utf-8")
    assert re.search(r"^\s*(- |run: )docker compose build$", text, re.MULTILINE), "the CI builds no image"
    assert re.search(r"docker compose .*run .*django pytest", text), "the tests do not run inside compose"
    assert re.search(r"docker build --target production", text), "the production image is not built"


def test_check_jsonschema_cli_agrees(bake):
    """The in-process validation above uses check-jsonschema's schemas; the CLI gives the same verdict."""
    github, gitlab = bake("default"), bake("gitlab-pycharm")
    checks = [
        ("vendor.compose-spec", [github.path / name for name in COMPOSE_FILES.values()]),
        ("vendor.github-workflows", [github.path / CI_FILES["github_ci"][0]]),
        ("vendor.gitlab-ci", [gitlab.path / CI_FILES["gitlab_ci"][0]]),
    ]
    for schema, files in checks:
        assert_clean(lint("check-jsonschema", PIP_TOOLS, ["--builtin-schema", schema], files), schema)
    broken = github.path.parent / "broken-compose.yml"
    broken.write_text("services:\n  django:\n    healthcheck:\n      interval: 5\n", encoding="utf-8")
    result = lint("check-jsonschema", PIP_TOOLS, ["--builtin-schema", "vendor.compose-spec"], [broken])
    assert result.returncode == 1
    assert schema_errors("compose-spec", broken)


def env_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_app_reports_to_the_local_glitchtip(project):
    """GlitchTip's start-up creates the project of the app's local DSN: the two must agree."""
    if "sentry" not in project.features:
        assert not list((project.path / "compose/postgres/initdb").glob("*glitchtip*"))
        return
    django = env_file(project.path / ".envs/.local/.django")
    glitchtip = env_file(project.path / ".envs/.local/.glitchtip")
    assert django["SENTRY_DSN"] == glitchtip["GLITCHTIP_PROJECT_DSN"]
    assert django["SENTRY_DSN"].endswith("@glitchtip:8000/1")
    # Its database: created by the postgres init script, reached with the project's credentials.
    postgres = env_file(project.path / ".envs/.local/.postgres")
    user, password = postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"]
    assert glitchtip["DATABASE_URL"] == f"postgres://{user}:{password}@postgres:5432/glitchtip"
    init = (project.path / "compose/postgres/initdb/20-glitchtip.sql").read_text(encoding="utf-8")
    assert "CREATE DATABASE glitchtip;" in init


def test_python_of_compose_is_ruff_clean(project):
    """wait_for.py and GlitchTip's bootstrap follow the generated project's own ruff settings."""
    ruff = tool_path("ruff", PIP_TOOLS)
    for command in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        result = subprocess.run(
            [ruff, *command, "compose"], cwd=project.path, text=True, capture_output=True, check=False
        )
        assert_clean(result, f"ruff {command[0]}")


class Upstream(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: /framed sets its own X-Frame-Options, like a Django view may."""

    def do_GET(self) -> None:
        body = b"<p>from django</p>" * 200
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/framed":
            self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments: object) -> None:
        pass


def fetch(url: str, **headers: str) -> tuple[int, Any, bytes]:
    # Only http://127.0.0.1 URLs that the test builds itself.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.services
def test_nginx_site_serves_and_proxies(default_project, tmp_path):
    """The site rendered for a host, run by a real nginx in front of a stand-in for gunicorn."""
    static, media = tmp_path / "static", tmp_path / "media"
    (static / "css").mkdir(parents=True)
    media.mkdir()
    css = "body { color: black; }\n" * 100
    (static / "css/app.0123456789ab.css").write_text(css, encoding="utf-8")
    (static / "css/app.css").write_text(css, encoding="utf-8")
    (media / "upload.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    values = {
        "NGINX_LISTEN_PORT": f"127.0.0.1:{port}",
        "NGINX_SERVER_NAME": "localhost",
        "NGINX_UPSTREAM": f"127.0.0.1:{upstream.server_address[1]}",
        "NGINX_STATIC_ROOT": str(static),
        "NGINX_MEDIA_ROOT": str(media),
        "NGINX_TRUSTED_PROXY": "0.0.0.0/32",
    }
    site = tmp_path / "site.conf"
    template = (default_project.path / "compose/nginx/site.template").read_text(encoding="utf-8")
    site.write_text(render(template, values), encoding="utf-8")
    assert_clean(nginx_check(tmp_path, site), "nginx -t")
    # One process, as the user running the test: the files of tmp_path are readable to it.
    nginx = subprocess.Popen(
        [
            shutil.which("nginx") or "nginx",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            "daemon off; master_process off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while fetch_or_none(f"{base}/nginx-health") is None:
            assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)

        status, headers, _ = fetch(f"{base}/static/css/app.0123456789ab.css")
        assert status == 200
        assert headers["X-Served-By"] == "nginx"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert fetch(f"{base}/static/css/app.css")[1]["Cache-Control"] == "public, max-age=3600"

        status, headers, _ = fetch(f"{base}/media/upload.html")
        assert status == 200
        assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

        status, headers, body = fetch(f"{base}/page", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body).startswith(b"<p>from django</p>")
        assert "X-Served-By" not in headers
        assert "Cache-Control" not in headers
        assert headers["X-Frame-Options"] == "DENY"
        # A view's own choice is kept, not doubled.
        assert fetch(f"{base}/framed")[1].get_all("X-Frame-Options") == ["SAMEORIGIN"]
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def fetch_or_none(url: str) -> int | None:
    try:
        return fetch(url)[0]
    except OSError:
        return None


def test_docker_tier_without_an_engine_fails_saying_how_to_start_one(monkeypatch):
    from tests import dockertier

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/bpc-docker.sock")
    with pytest.raises(pytest.fail.Exception) as failure:
        dockertier.require_engine()
    assert "dockerd --data-root" in str(failure.value) and '-m "not docker"' in str(failure.value)
