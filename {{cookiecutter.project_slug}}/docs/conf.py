"""Sphinx configuration. `make docs` builds the HTML with warnings (and broken references) as errors."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

project = {{ cookiecutter.project_name | py_string }}
author = {{ cookiecutter.author_name | py_string }}
copyright = author
# One version for the package and its docs: the one in pyproject.toml.
release = version = PYPROJECT["project"]["version"]

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]

html_theme = "furo"
html_title = project
