"""Bake this template again with the answers a generated project saved in `.django-bpc.json`.

    python -m bpc.rebake path/to/project [--output-dir DIR] [--set ANSWER=VALUE ...]

The fresh bake lands in DIR (a new temporary folder by default), so that it can be compared with
or merged into the project; docs/updating.md describes the git workflow around it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

from bpc import combinations, manifest
from bpc.answers import template_defaults
from bpc.bake import ANSWERS_FILE, shown_path
from bpc.manifest import TEMPLATE_ROOT


def saved_answers(project: Path) -> dict[str, Any]:
    """The answers that bake exactly the features recorded in the project's answers file."""
    answers_file = project / ANSWERS_FILE
    if not answers_file.is_file():
        raise SystemExit(f"{answers_file} not found: is {project} a project baked from django-bpc?")
    record = json.loads(answers_file.read_text(encoding="utf-8"))
    return {**record["answers"], **service_answers(set(record["features"]), record["answers"])}


def service_answers(features: set[str], text_answers: dict[str, Any]) -> dict[str, Any]:
    """Invert features.toml: the service options whose bake has exactly these features.

    Several answers can give the same features (without Celery, the broker does not matter): the
    one closest to the template's defaults wins, so a re-bake changes nothing needlessly.
    """
    values = combinations.option_values()
    defaults = {option: choices[0] for option, choices in values.items()}
    candidates = (dict(zip(values, row, strict=True)) for row in itertools.product(*values.values()))
    matching = [c for c in candidates if manifest.enabled({**text_answers, **c}) == features]
    if not matching:
        raise SystemExit(f"no answers of this template give the features {sorted(features)}")
    return min(matching, key=lambda c: sum(c[option] != defaults[option] for option in c))


def keep_template_source(baked: Path, project: Path) -> None:
    """The re-bake names the template the project came from, not the checkout that re-baked it."""
    record_file = baked / ANSWERS_FILE
    record = json.loads(record_file.read_text(encoding="utf-8"))
    original = json.loads((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    record["template"] = original.get("template", record["template"])
    record_file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def changed_answers(assignments: list[str]) -> dict[str, Any]:
    defaults = template_defaults()
    changed: dict[str, Any] = {}
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or name not in defaults or name.startswith("_"):
            raise SystemExit(f"--set {assignment}: expected ANSWER=VALUE with an answer of cookiecutter.json")
        if isinstance(defaults[name], bool):
            if value.lower() not in {"true", "false", "yes", "no"}:
                raise SystemExit(f"--set {assignment}: {name} takes true or false")
            changed[name] = value.lower() in {"true", "yes"}
        else:
            changed[name] = value
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project baked from this template")
    parser.add_argument("--output-dir", type=Path, help="where to bake (default: a new temporary folder)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ANSWER=VALUE",
        help="change an answer, e.g. use_sentry=false",
    )
    arguments = parser.parse_args(argv)
    answers = saved_answers(arguments.project) | changed_answers(arguments.set)

    output = arguments.output_dir or Path(tempfile.mkdtemp(prefix="django-bpc-rebake-"))
    output.mkdir(parents=True, exist_ok=True)
    baked = cookiecutter(
        str(TEMPLATE_ROOT),
        no_input=True,
        extra_context=answers,
        output_dir=str(output),
    )
    keep_template_source(Path(baked), arguments.project)
    print(f"re-baked into {shown_path(Path(baked), Path.cwd())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
