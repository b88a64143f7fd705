"""A new project's first commands on this machine, as its README gives them.

`make install lint test docs LOCAL=1` passes for projects whose names sort before and after
`config` and for a one-letter name; `make test` runs the Python tests whatever the Node.js, and the
frontend's tests only on a Node recent enough for them, saying so otherwise. Installing a bake is
slow: one bake per name, and each install is reused by both Node versions.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.node import MINIMUM, node_folder, version
from tests.support import run, uv_command
from tests.test_bake import PROJECT_NAMES

FIRST_COMMANDS = ("install", "lint", "test", "docs", "LOCAL=1")
NAMES = ("name-before-config", "name-after-config", "name-one-letter")
SKIPPED = "Skipping the frontend tests."


def _first_commands(project: Path, path: str) -> str:
    # No UV_PROJECT_ENVIRONMENT and no VIRTUAL_ENV of the test run: the bake's own .venv, as a
    # user's shell would have it.
    environment = {"PATH": path, "VIRTUAL_ENV": "", "UV_PROJECT_ENVIRONMENT": "", "LOCAL": ""}
    completed = run(
        ["make", "--no-print-directory", *FIRST_COMMANDS], cwd=project, env=environment, timeout=1800
    )
    output = completed.stdout + completed.stderr
    assert re.search(r"^=+ .*\b\d+ passed\b", output, re.M), f"no Python test ran:\n{output[-3000:]}"
    assert (project / "docs" / "_build" / "html" / "index.html").is_file()
    return output


@pytest.mark.services
@pytest.mark.parametrize(
    "named_bake", [pytest.param(bake_id, marks=pytest.mark.xdist_group(bake_id)) for bake_id in NAMES]
)
def test_the_first_commands_pass_on_an_old_and_a_recent_node(bake, named_bake):
    project = bake(named_bake, {"project_name": PROJECT_NAMES[named_bake]})
    assert "vue" in project.features
    base_path = f"{Path(uv_command()).parent}{os.pathsep}{os.environ['PATH']}"

    # The machine's own Node.js first, whatever it is (Node 20 on a stock Debian).
    output = _first_commands(project.path, base_path)
    machine_node = shutil.which("node", path=base_path)
    if machine_node is None or version(Path(machine_node)) < MINIMUM:
        assert SKIPPED in output, output[-3000:]
        assert "npm install --prefix ~/.local/node24 node@24" in output
    else:
        assert SKIPPED not in output and "Test Files" in output

    # Then a Node.js the frontend's tools support: its tests run, before the Python ones.
    output = _first_commands(project.path, f"{node_folder()}{os.pathsep}{base_path}")
    assert SKIPPED not in output
    assert re.search(r"Test Files .*\d+ passed", output), output[-3000:]
