"""Bake this template again with the answers a generated project saved in `.django-bpc.json`.

    python -m bpc.rebake path/to/project [--output-dir DIR]

The fresh bake lands in DIR (a new temporary folder by default), so that it can be compared with
or merged into the project; docs/updating.md describes the git workflow around it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

from bpc.bake import ANSWERS_FILE
from bpc.manifest import TEMPLATE_ROOT


def saved_answers(project: Path) -> dict[str, object]:
    answers_file = project / ANSWERS_FILE
    if not answers_file.is_file():
        raise SystemExit(f"{answers_file} not found: is {project} a project baked from django-bpc?")
    answers = json.loads(answers_file.read_text(encoding="utf-8"))
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project baked from this template")
    parser.add_argument("--output-dir", type=Path, help="where to bake (default: a new temporary folder)")
    arguments = parser.parse_args(argv)

    output = arguments.output_dir or Path(tempfile.mkdtemp(prefix="django-bpc-rebake-"))
    output.mkdir(parents=True, exist_ok=True)
    baked = cookiecutter(
        str(TEMPLATE_ROOT), no_input=True, extra_context=saved_answers(arguments.project), output_dir=str(output)
    )
    print(f"re-baked into {baked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
