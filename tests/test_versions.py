"""The `django_version` answer: each version's pins, lock and idioms.

5.2 (the LTS) and 6.1 bake the same project with the pins chosen for each (docs/versions.md says
why each pin fits its Django). Static checks here; the project's own suite, `check` with the next
deprecations as errors and `check --deploy` run on each version in the services tier
(tests/test_project_services.py), and inside the images in the docker tier.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

TEMPLATE_PYPROJECT = tomllib.loads(
    (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
)
TEMPLATE_DEV = TEMPLATE_PYPROJECT["dependency-groups"]["dev"]
# Bake id -> the Django version it was baked with; minimal bakes leave out every optional service.
VERSION_BAKES = {"default": "5.2", "minimal": "5.2", "django-6.1": "6.1", "django-6.1-minimal": "6.1"}


def pins(baked) -> dict[str, str]:
    pyproject = tomllib.loads((baked.path / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["dev"]
    pinned = {}
    for requirement in requirements:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", requirement).groups()
        pinned[name.lower()] = version
    return pinned


def locked(baked) -> dict[str, str]:
    lock = tomllib.loads((baked.path / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"]}


@pytest.mark.parametrize(("version_bake", "django"), VERSION_BAKES.items())
def test_each_bake_pins_and_locks_its_django_version(bake, version_bake, django):
    baked = bake(version_bake)
    pinned, lock = pins(baked), locked(baked)
    assert pinned["django"].startswith(f"{django}."), pinned["django"]
    assert lock["django"] == pinned["django"], "uv.lock does not lock the pinned Django"
    # django-stubs follows Django's version numbers: its x.y is the Django it describes.
    assert pinned["django-stubs"].startswith(f"{django}."), pinned["django-stubs"]
    assert baked.answers["django_version"] == django


def test_the_61_bake_locks_django_61(bake):
    # uv's own check of every bake's lock, this one included, is tests/test_locks.py's.
    assert locked(bake("django-6.1"))["django"].startswith("6.1.")


def test_django_61_needs_python_312_everywhere_the_bake_says_so(bake):
    pyproject = tomllib.loads((bake("django-6.1").path / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.12"
    assert pyproject["tool"]["ruff"]["target-version"] == "py312"
    assert pyproject["tool"]["mypy"]["python_version"] == "3.12"
    lock = tomllib.loads((bake("django-6.1").path / "uv.lock").read_text(encoding="utf-8"))
    assert lock["requires-python"] == ">=3.12"


def test_django_61_drops_what_django_61_replaces_or_cannot_run(bake):
    baked = bake("django-6.1")
    pinned = pins(baked)
    # django-celery-beat 2.9.0, its newest release, requires Django<6.1.
    assert "django-celery-beat" not in pinned
    settings = (baked.path / "config" / "settings" / "base.py").read_text(encoding="utf-8")
    assert "django_celery_beat" not in settings
    assert "CELERY_BEAT_SCHEDULE = " in settings or "CELERY_BEAT_SCHEDULE: " in settings
    # Django 6.1 deprecates the EMAIL_* settings for MAILERS; 6.0 made BigAutoField the default.
    assert "MAILERS = " in settings
    assert not re.search(r"^EMAIL_[A-Z_]+ =", settings, re.MULTILINE)
    assert "DEFAULT_AUTO_FIELD" not in settings
    # ADMINS as (name, address) pairs is deprecated since 6.0.
    assert re.search(r'^ADMINS = \["[^"]+@[^"]+"\]$', settings, re.MULTILINE), "ADMINS must list addresses"


def test_django_52_keeps_beat_schedules_in_the_database(bake):
    baked = bake("default")
    assert "django-celery-beat" in pins(baked)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in (
        baked.path / "config" / "settings" / "base.py"
    ).read_text(encoding="utf-8")


def test_the_projects_django_upgrade_is_the_one_tested_here(bake):
    template_pin = next(r for r in TEMPLATE_DEV if r.startswith("django-upgrade=="))
    for bake_id in ("default", "django-6.1"):
        assert f"django-upgrade=={pins(bake(bake_id))['django-upgrade']}" == template_pin


@pytest.mark.parametrize(("version_bake", "django"), VERSION_BAKES.items())
def test_django_upgrade_rewrites_nothing(bake, version_bake, django):
    baked = bake(version_bake)
    sources = sorted(
        str(path.relative_to(baked.path))
        for path in baked.path.rglob("*.py")
        if not {".venv", "node_modules"} & set(path.parts)
    )
    assert len(sources) > 10
    result = subprocess.run(
        [sys.executable, "-m", "django_upgrade", "--target-version", django, "--check", *sources],
        cwd=baked.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), (
        f"django-upgrade --target-version {django} would rewrite:\n{result.stdout}{result.stderr}"
    )
