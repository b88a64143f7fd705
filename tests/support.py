"""Helpers the template's tests import: tools, servers and commands, each failing with a message
that says what is missing and how to get it."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The servers of the services tier; each can be pointed elsewhere with the variable of its name.
SERVER_URLS = {
    "PostgreSQL": os.environ.get("BPC_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    "Redis": os.environ.get("BPC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "RabbitMQ": os.environ.get("BPC_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
    "(or set BPC_TEST_DATABASE_URL)",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 (or set BPC_TEST_REDIS_URL)",
    "RabbitMQ": "rabbitmq-server -detached (or set BPC_TEST_BROKER_URL)",
}


def require_tool(name: str, how: str) -> str:
    """The path of a command-line tool, or a failure that says how to install it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; install it with: {how}", pytrace=False)
    return path


def server_reachable(url: str, timeout: float = 2.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port that nothing listens on at this moment, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def host_environment(name: str) -> dict[str, str]:
    """What `make host-up` needs to run on this machine's servers, under names of the caller's own
    (database, cache key prefix, Celery queue, free ports), so that parallel runs never meet.

    The database itself is the caller's to create and drop.
    """
    postgres = SERVER_URLS["PostgreSQL"].rsplit("/", 1)[0]
    return {
        "DATABASE_URL": f"{postgres}/{name}",
        "REDIS_URL": SERVER_URLS["Redis"],
        "DJANGO_CACHE_KEY_PREFIX": name,
        "CELERY_BROKER_URL": SERVER_URLS["RabbitMQ"],
        "CELERY_TASK_DEFAULT_QUEUE": name,
        "HOST_HTTP_PORT": str(free_port()),
        "FLOWER_PORT": str(free_port()),
    }


def require_server(name: str) -> str:
    """The URL of a server of the services tier, or a failure naming it and how to start it."""
    url = SERVER_URLS[name]
    if not server_reachable(url):
        pytest.fail(
            f"{name} is not reachable at {url}. Start it with: {HOW_TO_START[name]}. "
            'To run only the tests that need no server: pytest -m "not services and not e2e"',
            pytrace=False,
        )
    return url


def run(
    command: list[str] | str,
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with its output."""
    completed = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        text=True,
        capture_output=True,
        timeout=timeout,
        shell=isinstance(command, str),
        check=False,
    )
    if check and completed.returncode != 0:
        shown = command if isinstance(command, str) else " ".join(command)
        pytest.fail(
            f"`{shown}` in {cwd} exited {completed.returncode}\n"
            f"--- stdout\n{completed.stdout[-6000:]}\n--- stderr\n{completed.stderr[-6000:]}",
            pytrace=False,
        )
    return completed


PYTHON = sys.executable


def uv_command() -> str:
    return shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        answer = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = answer.stdout.split()
    return int(major), int(minor)


def python_for(project: Path) -> str:
    """The oldest CPython that the bake's `requires-python` admits (`>=3.X`), among the tests' own,
    BPC_TEST_PYTHON, python3.X on PATH and those installed by pyenv or uv; or a failure saying how
    to get one. Django 6.1 bakes need 3.12+, newer than many hosts' system Python."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    specifier = pyproject["project"]["requires-python"]
    major, minor = (int(part) for part in specifier.removeprefix(">=").split(".")[:2])
    candidates = [sys.executable, *filter(None, os.environ.get("BPC_TEST_PYTHON", "").split(os.pathsep))]
    for version in range(minor, minor + 6):
        candidates.append(shutil.which(f"python{major}.{version}") or "")
    home = Path.home()
    for pattern in (".pyenv/versions/3.*/bin/python3", ".local/share/uv/python/cpython-3.*/bin/python3"):
        candidates += sorted(glob.glob(str(home / pattern)))
    # The oldest one admitted: it proves the lower bound that requires-python claims (the images
    # prove python_version).
    admitted = []
    for order, candidate in enumerate(filter(None, candidates)):
        found = _version_of(candidate)
        if found and found[0] == major and found[1] >= minor:
            admitted.append((found, order, candidate))
    if admitted:
        return min(admitted)[2]
    pytest.fail(
        f"{project.name} requires Python {specifier} and none was found; install one "
        f"(uv python install {major}.{minor + 1}, or pyenv install {major}.{minor + 1}) "
        "or point BPC_TEST_PYTHON at its interpreter",
        pytrace=False,
    )


_installed: dict[Path, Path] = {}


def install(project: Path) -> Path:
    """Install a baked project into its own `.venv` with uv, as `make install LOCAL=1` does, on a
    Python its `requires-python` admits (python_for).

    Returns the venv's python. Cached per project path for the test process.
    """
    if project not in _installed:
        run(
            [
                uv_command(),
                "sync",
                "--locked",
                "--all-groups",
                "--compile-bytecode",
                "--python",
                python_for(project),
            ],
            cwd=project,
            env={"UV_PROJECT_ENVIRONMENT": str(project / ".venv"), "VIRTUAL_ENV": ""},
            timeout=900,
        )
        _installed[project] = project / ".venv" / "bin" / "python"
    return _installed[project]


_copies: dict[Path, Path] = {}


def installed_copy(project: Path) -> Path:
    """A copy of a session-shared bake, installed with install(); returns the copy's path.

    Tests that install or build a shared bake work on a copy of their own, so that the bake the
    static tests read never holds a .venv, built docs or packages (once per test process).
    """
    if project not in _copies:
        scratch = Path(tempfile.mkdtemp(prefix=f"bpc-installed-{project.name}-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        copy = scratch / project.name
        shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv", "node_modules"))
        install(copy)
        _copies[project] = copy
    return _copies[project]
