"""A generated project can be baked again from its saved answers (the basis of updates)."""

from __future__ import annotations

import json

import pytest

from bpc import rebake
from bpc.bake import template_source
from bpc.combinations import NAMED
from bpc.manifest import TEMPLATE_ROOT


def files_of(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_rebake_reproduces_the_same_tree(bake, tmp_path):
    # A bake of its own: other tests run tools (and leave caches) in the shared named bakes.
    original = bake("rebake-source", NAMED["redis-broker"])
    assert rebake.main([str(original.path), "--output-dir", str(tmp_path)]) == 0
    again = tmp_path / original.path.name
    assert files_of(again) == files_of(original.path)
    assert rebake.saved_answers(again) == rebake.saved_answers(original.path)


def test_rebake_refuses_a_folder_without_answers(tmp_path):
    with pytest.raises(SystemExit, match="not found"):
        rebake.main([str(tmp_path)])


def test_rebake_can_change_an_answer(bake, tmp_path):
    original = bake("minimal")
    assert (
        rebake.main([str(original.path), "--output-dir", str(tmp_path), "--set", "use_elasticsearch=true"])
        == 0
    )
    again = tmp_path / original.path.name
    assert (again / "compose" / "elasticsearch").is_dir()
    assert "elasticsearch" in json.loads((again / ".django-bpc.json").read_text())["features"]


def test_rebake_refuses_an_unknown_answer(tmp_path):
    with pytest.raises(SystemExit, match="use_kafka"):
        rebake.changed_answers(["use_kafka=true"])


def test_rebake_keeps_the_recorded_template_address(bake, tmp_path):
    original = bake("rebake-address", NAMED["minimal"])
    record_file = original.path / ".django-bpc.json"
    record = json.loads(record_file.read_text())
    record_file.write_text(json.dumps({**record, "template": "gh:example/django-bpc"}))
    assert rebake.main([str(original.path), "--output-dir", str(tmp_path)]) == 0
    again = json.loads((tmp_path / original.path.name / ".django-bpc.json").read_text())
    assert again["template"] == "gh:example/django-bpc"


def test_a_bake_records_an_address_as_given_and_a_local_checkout_as_its_path():
    assert template_source("gh:example/django-bpc") == "gh:example/django-bpc"
    assert template_source("https://example.com/django-bpc.git") == "https://example.com/django-bpc.git"
    assert template_source(".") == str(TEMPLATE_ROOT)
