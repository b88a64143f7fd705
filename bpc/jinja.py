"""Jinja extension loaded by cookiecutter (`_extensions` in cookiecutter.json).

It gives every template file and both hooks:
- ``feature("name")``: whether a feature of features.toml is on for this bake's answers, so that
  templates never repeat the rules of features.toml (e.g. that a Redis broker brings Redis);
- ``template_root``: the absolute path of this template, so that the hooks (which cookiecutter
  runs as temporary copies, where neighbouring modules are not importable) can import ``bpc``;
- the filters of bpc/embed.py, one per file format an answer lands in.

Cookiecutter renders every answer given on the command line as a template. One that is not even
valid Jinja (``{{ unclosed``) would end the run with a traceback before our hook can name the field,
so such a source is kept literally here; the pre-generation hook then refuses it by its rule.
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateSyntaxError, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

from bpc import embed, manifest


@pass_context
def feature(context: Context, name: str) -> bool:
    manifest.check_known([name])
    return name in manifest.enabled(context["cookiecutter"])


class FeaturesExtension(Extension):
    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals["feature"] = feature
        environment.globals["template_root"] = str(manifest.TEMPLATE_ROOT)
        environment.filters.update(embed.FILTERS)
        self._checking = False

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        # Template files have names; answers (and file names) come through from_string unnamed.
        if name is not None or self._checking:
            return source
        self._checking = True
        try:
            self.environment.parse(source)
        except TemplateSyntaxError:
            return source.replace("{", "{{ '{' }}")
        finally:
            self._checking = False
        return source
