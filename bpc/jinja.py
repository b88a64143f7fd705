"""Jinja extension loaded by cookiecutter (`_extensions` in cookiecutter.json).

It gives every template file and both hooks:
- ``feature("name")``: whether a feature of features.toml is on for this bake's answers, so that
  templates never repeat the rules of features.toml (e.g. that a Redis broker brings Redis);
- ``template_root``: the absolute path of this template, so that the hooks (which cookiecutter
  runs as temporary copies, where neighbouring modules are not importable) can import ``bpc``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

from bpc import manifest


@pass_context
def feature(context: Context, name: str) -> bool:
    manifest.check_known([name])
    return name in manifest.enabled(context["cookiecutter"])


class FeaturesExtension(Extension):
    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals["feature"] = feature
        environment.globals["template_root"] = str(manifest.TEMPLATE_ROOT)
