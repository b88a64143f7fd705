"""Fixtures for the whole test suite.

Tests marked `service("<name>")` need an external service (named as in /health/), configured by
one environment variable (see SERVICE_VARIABLES in config/settings/base.py). When the variable is
unset those tests are deselected, and the run says why; when it is set, the service must answer,
or the tests fail.
"""

import pytest
from django.conf import settings

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import UserFactory

DESELECTED = pytest.StashKey[dict[str, int]]()


def service_configured(name: str) -> bool:
    if name not in settings.SERVICE_VARIABLES:
        raise pytest.UsageError(
            f"service marker names {name!r}; the services are: {', '.join(settings.SERVICE_VARIABLES)}"
        )
    return name not in settings.EMBEDDED_SERVICES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    counts: dict[str, int] = {}
    for item in items:
        marker = item.get_closest_marker("service")
        if marker is not None and not service_configured(marker.args[0]):
            deselected.append(item)
            counts[marker.args[0]] = counts.get(marker.args[0], 0) + 1
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    config.stash[DESELECTED] = counts


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    for name, count in config.stash.get(DESELECTED, {}).items():
        variable = settings.SERVICE_VARIABLES[name]
        terminalreporter.write_line(
            f"deselected {count} test(s) of the {name} service: {variable} is not set", yellow=True
        )


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()
