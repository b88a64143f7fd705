"""The feature manifest (features.toml): which feature is on for a set of answers, and what it owns.

Everything that needs to know "what belongs to which option" reads it from here: the Jinja
``feature()`` global, the post-generation hook, the tests and the docs' option table.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = TEMPLATE_ROOT / "features.toml"

OWNED_KINDS = (
    "paths",
    "local_services",
    "production_services",
    "swarm_services",
    "make_targets",
    "tmux_windows",
    "python_dependencies",
)


class ManifestError(Exception):
    """The manifest itself is wrong (a typo in a feature name or a `when` expression)."""


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    summary: str
    when: str
    option: str | None = None
    paths: tuple[str, ...] = ()
    local_services: tuple[str, ...] = ()
    production_services: tuple[str, ...] = ()
    swarm_services: tuple[str, ...] = ()
    make_targets: tuple[str, ...] = ()
    tmux_windows: tuple[str, ...] = ()
    python_dependencies: tuple[str, ...] = ()
    local_urls: Mapping[str, str] = field(default_factory=dict)

    def is_on(self, answers: Mapping[str, Any]) -> bool:
        # The expressions are ours (features.toml is part of the template), never user input;
        # only the public answers are visible to them.
        names = {key: value for key, value in answers.items() if not key.startswith("_")}
        try:
            return bool(eval(self.when, {"__builtins__": {}}, names))  # noqa: S307
        except NameError as error:
            raise ManifestError(f"feature {self.name!r}: `when` uses an unknown answer ({error})") from error

    def owned_paths(self, project_slug: str) -> list[str]:
        return [path.format(project_slug=project_slug) for path in self.paths]


@functools.cache
def load(path: Path = MANIFEST_PATH) -> dict[str, Feature]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["features"]
    features = {}
    for name, entry in raw.items():
        entry = {key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()}
        features[name] = Feature(name=name, **entry)
    return features


def enabled(answers: Mapping[str, Any]) -> set[str]:
    """Names of the features that are on for these answers."""
    return {name for name, feature in load().items() if feature.is_on(answers)}


def check_known(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(load()))
    if unknown:
        raise ManifestError(f"unknown feature(s) {', '.join(unknown)}; known: {', '.join(sorted(load()))}")


@dataclass(frozen=True)
class Expectation:
    """What a bake with given answers must contain, and must not."""

    present: dict[str, set[str]]
    absent: dict[str, set[str]]


def expectation(answers: Mapping[str, Any]) -> Expectation:
    """Collect, per kind of thing owned, what the features that are on own and what the others own.

    A thing owned by a feature that is on is present even when a feature that is off owns it too
    (e.g. a Makefile target shared by two options).
    """
    on = enabled(answers)
    slug = answers["project_slug"]
    present: dict[str, set[str]] = {kind: set() for kind in OWNED_KINDS}
    absent: dict[str, set[str]] = {kind: set() for kind in OWNED_KINDS}
    for name, feature in load().items():
        target = present if name in on else absent
        for kind in OWNED_KINDS:
            items = feature.owned_paths(slug) if kind == "paths" else getattr(feature, kind)
            target[kind].update(items)
    for kind in OWNED_KINDS:
        absent[kind] -= present[kind]
    return Expectation(present=present, absent=absent)


def paths_to_prune(answers: Mapping[str, Any]) -> list[str]:
    """Paths owned only by features that are off, parents before children."""
    return sorted(expectation(answers).absent["paths"])
