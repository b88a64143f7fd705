"""Shared fixtures of the template's tests.

Tiers (see docs/testing.md):
- static (no marker): bakes and checks files with offline tools; no server needed;
- services: the baked project runs against real PostgreSQL, Redis, RabbitMQ (and nginx);
- e2e: the production shape on this host, seen through a real browser.
`pytest -m "not services and not e2e and not frontend and not docker"` runs only the static tier
(`tox -e static`).

A test that asks for the `project` fixture runs once per bake of bpc.combinations.all_bakes();
`default_project` and `minimal_project` give one named bake. Bakes are made once per test process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bpc import manifest
from bpc.combinations import all_bakes
from tests import dockertier

TEMPLATE_ROOT = manifest.TEMPLATE_ROOT
BAKES = all_bakes()


class Baked:
    """One baked project and the answers it was baked with."""

    def __init__(self, bake_id: str, path: Path, answers: dict[str, Any]) -> None:
        self.id = bake_id
        self.path = path
        self.answers = answers
        self.expected = manifest.expectation(answers)
        self.features = manifest.enabled(answers)

    def __repr__(self) -> str:
        return f"<Baked {self.id} at {self.path}>"


def _bake(cookies_session: Any, bake_id: str, extra_context: dict[str, Any]) -> Baked:
    result = cookies_session.bake(extra_context=extra_context)
    if result.exception is not None:
        raise AssertionError(f"bake {bake_id} ({extra_context}) failed: {result.exception!r}")
    path = Path(result.project_path)
    answers = dict(result.context)
    return Baked(bake_id, path, answers)


@pytest.fixture(scope="session")
def bake(cookies_session: Any):
    """bake(bake_id) or bake(bake_id, extra_context): a session-cached bake."""
    made: dict[str, Baked] = {}

    def get(bake_id: str, extra_context: dict[str, Any] | None = None) -> Baked:
        if bake_id not in made:
            context = BAKES[bake_id] if extra_context is None else extra_context
            made[bake_id] = _bake(cookies_session, bake_id, dict(context))
        return made[bake_id]

    return get


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bake_id" in metafunc.fixturenames:
        metafunc.parametrize(
            "bake_id",
            [pytest.param(bake_id, marks=pytest.mark.xdist_group(bake_id)) for bake_id in BAKES],
        )


@pytest.fixture
def project(bake: Any, bake_id: str) -> Baked:
    return bake(bake_id)


@pytest.fixture
def default_project(bake: Any) -> Baked:
    return bake("default")


@pytest.fixture
def minimal_project(bake: Any) -> Baked:
    return bake("minimal")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The docker tier is one long xdist group (one stack at a time): started first, it runs on one
    # worker beside everything else instead of after it.
    items.sort(key=lambda item: item.get_closest_marker("docker") is None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        dockertier.FIGURES_FILE.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The docker tier's figures (build times, time to healthy, sizes), whichever worker ran it.
    if dockertier.FIGURES_FILE.exists():
        terminalreporter.section("docker tier figures")
        for line in dockertier.FIGURES_FILE.read_text(encoding="utf-8").splitlines():
            terminalreporter.write_line(line)
