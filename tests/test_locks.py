"""Every bake ships a uv.lock cut from the template's superset lock (bpc/locks.py).

uv itself judges each cut: `uv lock --check --offline` passes only when the lock is the one uv would
write for the bake's pyproject.toml, and it needs neither the network nor a cache for that.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from bpc import locks
from tests.support import python_for, uv_command


def test_every_bake_ships_a_lock_that_uv_accepts(project, tmp_path: Path) -> None:
    lock = project.path / "uv.lock"
    assert lock.is_file(), f"{project.id}: no uv.lock"
    checked = subprocess.run(
        [uv_command(), "lock", "--check", "--offline", "--no-progress"],
        cwd=project.path,
        env={
            "UV_CACHE_DIR": str(tmp_path / "empty-cache"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            # uv wants an interpreter the lock's requires-python admits (3.12+ for Django 6.1).
            "UV_PYTHON": python_for(project.path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, f"{project.id}: uv rejects the cut lock:\n{checked.stderr[-3000:]}"


def test_a_lock_holds_only_what_the_bake_reaches(minimal_project, default_project) -> None:
    def names(baked) -> set[str]:
        return {p["name"] for p in tomllib.loads((baked.path / "uv.lock").read_text())["package"]}

    minimal, default = names(minimal_project), names(default_project)
    assert {"celery", "kombu", "sentry-sdk", "elasticsearch", "aio-pika"} <= default
    assert not {"celery", "kombu", "sentry-sdk", "elasticsearch", "aio-pika", "redis"} & minimal
    assert {"django", "psycopg", "gunicorn"} <= minimal


def test_a_pin_missing_from_the_template_lock_is_refused(default_project) -> None:
    pyproject = tomllib.loads((default_project.path / "pyproject.toml").read_text())
    pyproject["project"]["dependencies"] = [
        "django==1.0" if r.startswith("django==") else r for r in pyproject["project"]["dependencies"]
    ]
    with pytest.raises(locks.LockError, match=r"django==1\.0 .*bpc\.locks refresh"):
        locks.cut(locks.superset_lock("django-5.2").read_text(), pyproject)


def test_a_dependency_unknown_to_the_template_lock_is_refused(default_project) -> None:
    pyproject = tomllib.loads((default_project.path / "pyproject.toml").read_text())
    pyproject["project"]["dependencies"].append("left-pad==1.0")
    with pytest.raises(locks.LockError, match="left-pad is not in the template's lock"):
        locks.cut(locks.superset_lock("django-5.2").read_text(), pyproject)
