"""features.toml is consistent with cookiecutter.json, the template tree and the docs."""

from __future__ import annotations

import itertools
import re

import pytest

from bpc import combinations, docs, manifest
from bpc.answers import template_defaults

TEMPLATE_PROJECT = manifest.TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
FEATURES = manifest.load()


@pytest.mark.parametrize("feature", FEATURES.values(), ids=list(FEATURES))
def test_feature_names_a_real_option(feature):
    if feature.option is not None:
        assert feature.option in template_defaults()


@pytest.mark.parametrize("feature", FEATURES.values(), ids=list(FEATURES))
def test_every_owned_path_exists_in_the_template(feature):
    missing = [
        path
        for path in feature.owned_paths("{{cookiecutter.project_slug}}")
        if not (TEMPLATE_PROJECT / path).exists()
    ]
    assert not missing, f"{feature.name} owns paths the template does not have: {missing}"


def test_every_service_option_switches_a_feature():
    switched = {feature.option for feature in FEATURES.values()}
    assert set(combinations.SERVICE_OPTIONS) <= switched


def test_feature_calls_in_templates_name_known_features():
    used = set()
    for path in manifest.TEMPLATE_ROOT.glob("{{cookiecutter.project_slug}}/**/*"):
        if path.is_file() and "node_modules" not in path.parts:
            try:
                used |= set(re.findall(r"feature\(\s*[\"'](\w+)[\"']\s*\)", path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                continue
    assert used, "no template uses feature()"
    assert used <= set(FEATURES), f"unknown features used in templates: {used - set(FEATURES)}"


def test_unknown_feature_is_an_error():
    with pytest.raises(manifest.ManifestError, match="nosuch"):
        manifest.check_known(["nosuch"])


def test_a_redis_broker_brings_redis_and_drops_rabbitmq():
    on = manifest.enabled(first_choices() | {"use_redis": False, "celery_broker": "redis"})
    assert "redis" in on and "rabbitmq" not in on and "redis_cache" not in on


def test_without_celery_the_broker_answer_brings_no_service():
    for broker in ("redis", "rabbitmq"):
        on = manifest.enabled(
            first_choices() | {"use_celery": False, "use_redis": False, "celery_broker": broker}
        )
        assert not on & {"redis", "rabbitmq", "celery"}


def first_choices():
    """The answers of a --no-input bake (text values unrendered, which the features ignore)."""
    defaults = template_defaults()
    return {key: value[0] if isinstance(value, list) else value for key, value in defaults.items()}


def test_pairwise_bakes_cover_every_pair_of_option_values():
    values = combinations.option_values()
    bakes = [(first_choices() | extra) for extra in combinations.all_bakes().values()]
    for first, second in itertools.combinations(combinations.SERVICE_OPTIONS, 2):
        for a, b in itertools.product(values[first], values[second]):
            assert any(bake[first] == a and bake[second] == b for bake in bakes), (first, a, second, b)


def test_option_docs_are_generated_from_the_manifest():
    assert docs.OPTIONS_PAGE.read_text(encoding="utf-8") == docs.render(), (
        "docs/options.md is stale: run `python -m bpc.docs`"
    )
