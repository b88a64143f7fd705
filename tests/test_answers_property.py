"""Arbitrary free text in the answers, by property (Hypothesis), through real command-line bakes.

For every generated name, description and author: either a clean refusal (one line naming the
field, nothing left behind), or a bake whose Python compiles, whose TOML, YAML and JSON parse,
whose env files hold KEY=value lines, whose shell scripts pass `bash -n`, whose answers read back
intact, and where `deploy/host.sh status` runs none of the commands hidden in the answers.

Each example is a bake of a few seconds: the static tier runs BPC_HYPOTHESIS_EXAMPLES (default 20);
set it higher for a longer hunt.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bpc.manifest import TEMPLATE_ROOT

EXAMPLES = int(os.environ.get("BPC_HYPOTHESIS_EXAMPLES", "20"))
SHELLCHECK = str(Path(sys.executable).parent / "shellcheck")
FIELDS = ("project_name", "description", "author_name")
ENV_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=[^\n]*")
CANARY = "@CANARY@"
# Ways text could break out of the places answers land in, each ending in a command that leaves
# a file in the canary folder if it ever runs.
PAYLOADS = [
    f"$(touch {CANARY}/dollar)",
    f"`touch {CANARY}/backtick`",
    f"'; touch {CANARY}/single; '",
    f'"; touch {CANARY}/double; "',
    f"\\$(touch {CANARY}/escaped)",
    f"<%= `touch {CANARY}/erb` %>",
    f"%(touch {CANARY}/percent)s",
]
SPECIAL = list("\"'\\$`{}%<>#;&|!*[]~=:-.\x0c\x85\u2028\t\U0001f680 é")
# Printable text mostly (so that most examples bake and get checked), control characters now and
# then (from SPECIAL). No NUL: no command line can carry one.
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
FRAGMENT = st.one_of(
    st.text(alphabet=PRINTABLE, max_size=12),
    st.text(alphabet=st.sampled_from(SPECIAL), max_size=12),
    st.sampled_from(PAYLOADS),
)
ANSWER = st.lists(FRAGMENT, min_size=1, max_size=4).map("".join)
# A short, fast combination that still renders every file an answer lands in (deploy/, Sentry's
# bootstrap, the docs, the env files); the Vue frontend and CI files hold no free text.
OPTIONS = ["project_slug=prop_shop", "frontend=none", "ci_tool=none", "editor=pycharm"]


def bake(output: Path, answers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_ROOT), "-o", str(output)]
        + OPTIONS
        + [f"{field}={value}" for field, value in answers.items()],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def check_refusal(result: subprocess.CompletedProcess[str], output: Path) -> None:
    refusals = [line for line in result.stderr.splitlines() if line.startswith("Invalid answer for ")]
    assert refusals, result.stderr[-2000:]
    assert all(re.match(rf"Invalid answer for ({'|'.join(FIELDS)}): .* must ", line) for line in refusals)
    assert list(output.iterdir()) == [], "a refused bake left files behind"


def check_files_parse(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            compile(text, name, "exec")
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json" and ".vscode" not in path.parts and not path.name.startswith("tsconfig"):
            json.loads(text)
        elif ".envs" in path.parts:
            for line in text.splitlines():
                assert not line or line.startswith("#") or ENV_LINE.fullmatch(line), f"{name}: {line!r}"
        if text.startswith("#!") and "sh" in text.splitlines()[0]:
            checked = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
            assert checked.returncode == 0, f"{name}: {checked.stderr}"
    deploy_scripts = sorted(str(path) for path in (root / "deploy").glob("*.sh"))
    linted = subprocess.run([SHELLCHECK, *deploy_scripts], capture_output=True, text=True, check=False)
    assert linted.returncode == 0, linted.stdout


def check_answers_read_back(root: Path, answers: dict[str, str]) -> None:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["description"] == answers["description"]
    assert project["authors"][0]["name"] == answers["author_name"]
    settings_module = ast.parse((root / "config/settings/base.py").read_text(encoding="utf-8"))
    assigned = {
        node.targets[0].id: node.value
        for node in settings_module.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(assigned["SITE_NAME"]) == answers["project_name"]


def check_nothing_runs(root: Path, canary: Path) -> None:
    status = subprocess.run(
        ["bash", "deploy/host.sh", "status"],
        cwd=root,
        env={**os.environ, "HOST_VENV": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert status.returncode == 3, status.stdout + status.stderr
    assert list(canary.iterdir()) == [], f"an answer ran as a command: {sorted(canary.iterdir())}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, ANSWER)))
@example(
    {
        "project_name": f'Bob\'s "B" {PAYLOADS[0]} {PAYLOADS[1]} 100%',
        "description": 'A "simple" blog, with C:\\new paths and 100% 🚀',
        "author_name": "C:\\new\\",
    }
)
def test_any_free_text_is_refused_cleanly_or_bakes_inert(tmp_path_factory, answers):
    work = tmp_path_factory.mktemp("property")
    canary, output = work / "canary", work / "out"
    canary.mkdir()
    output.mkdir()
    answers = {field: value.replace(CANARY, str(canary)) for field, value in answers.items()}
    result = bake(output, answers)
    if result.returncode != 0:
        check_refusal(result, output)
        return
    (root,) = output.iterdir()
    check_files_parse(root)
    check_answers_read_back(root, answers)
    check_nothing_runs(root, canary)
