"""The option combinations the template's tests bake.

All combinations of the service options are 2^7 * 3^2 * 2 = 2,304 bakes: too many for the static
tier's two-minute budget. Most bugs in a template come from one option or from the interaction of
two (a Makefile target that needs Celery *and* Redis, say), so the tests bake a pairwise covering
array: every value of every option, and every pair of values of any two options, appears in at
least one bake. On top come the named bakes that issues and docs refer to.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from bpc.answers import template_defaults

# The options that change what a project contains; the others (names, licence, Python version)
# are text substitutions covered by the named bakes and the validation tests.
SERVICE_OPTIONS = (
    "use_redis",
    "use_celery",
    "celery_broker",
    "use_elasticsearch",
    "use_nginx",
    "use_sentry",
    "use_tmuxinator",
    "ci_tool",
    "frontend",
    "editor",
)

MINIMAL: dict[str, Any] = {
    "use_redis": False,
    "use_celery": False,
    "use_elasticsearch": False,
    "use_nginx": False,
    "use_sentry": False,
    "use_tmuxinator": False,
    "ci_tool": "none",
    "frontend": "none",
}

NAMED: dict[str, dict[str, Any]] = {
    "default": {},
    "minimal": dict(MINIMAL),
    "redis-broker": {"use_redis": False, "celery_broker": "redis"},
    "django-6.1": {"django_version": "6.1"},
    "django-6.1-minimal": {"django_version": "6.1", **MINIMAL},
    "gitlab-pycharm": {"ci_tool": "gitlab", "editor": "pycharm", "open_source_license": "Not open source"},
}


def option_values(defaults: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
    defaults = template_defaults() if defaults is None else defaults
    values = {}
    for option in SERVICE_OPTIONS:
        default = defaults[option]
        values[option] = [True, False] if isinstance(default, bool) else list(default)
    return values


def pairwise(values: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    """A small covering array of strength 2, built greedily and deterministically.

    Each new row starts from the most constrained uncovered pair and then picks, option by
    option, the value that covers the most pairs still uncovered.
    """
    options = list(values)
    uncovered = {
        ((a, va), (b, vb))
        for a, b in itertools.combinations(options, 2)
        for va in values[a]
        for vb in values[b]
    }
    rows = []
    while uncovered:
        (first, first_value), (second, second_value) = min(uncovered, key=repr)
        row = {first: first_value, second: second_value}
        for option in options:
            if option not in row:
                row[option] = max(values[option], key=lambda value, o=option: _gain(row, o, value, uncovered))
        ordered = {option: row[option] for option in options}
        uncovered -= {((a, ordered[a]), (b, ordered[b])) for a, b in itertools.combinations(options, 2)}
        rows.append(ordered)
    return rows


def all_bakes() -> dict[str, dict[str, Any]]:
    """Bake id -> extra context: the named bakes, then the covering array."""
    bakes = dict(NAMED)
    for number, row in enumerate(pairwise(option_values()), start=1):
        bakes[f"pairwise-{number:02d}"] = row
    return bakes


def _gain(row: Mapping[str, Any], option: str, value: Any, uncovered: set[Any]) -> int:
    """How many uncovered pairs choosing `value` for `option` would cover, given the row so far."""
    return sum(
        ((other, row[other]), (option, value)) in uncovered
        or ((option, value), (other, row[other])) in uncovered
        for other in row
    )
