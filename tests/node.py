"""Node.js for the tests that run a baked frontend's npm scripts.

Current Vue tooling (Vite 8, Vitest 4) needs Node 22.18 or later. Looked for in this order:
`BPC_NODE_BIN` (a folder holding `node`, which .ci/run may set), this repository's
`.cache/node24` (Node 24 from the `node` package of the npm registry), the `node` on PATH when
recent enough. Failing all three, `node@24` is installed into `.cache/node24` with the npm of this
machine: the registry is the only place anything comes from.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bpc.manifest import TEMPLATE_ROOT
from tests.support import require_tool, run

MINIMUM = (22, 18)
CACHED = TEMPLATE_ROOT / ".cache" / "node24"
HOW = "apt-get install -y npm (any Node.js with npm; Node 24 then comes from the npm registry)"


def version(node: Path) -> tuple[int, int]:
    completed = subprocess.run(
        [str(node), "-p", "process.versions.node"], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return (0, 0)
    major, minor, _ = completed.stdout.strip().split(".", 2)
    return int(major), int(minor)


def _usable(folder: Path) -> bool:
    return (folder / "node").is_file() and version(folder / "node") >= MINIMUM


@functools.cache
def node_folder() -> Path:
    """A folder whose `node` is recent enough, installing Node 24 into .cache/ if need be."""
    if os.environ.get("BPC_NODE_BIN"):
        folder = Path(os.environ["BPC_NODE_BIN"])
        if not _usable(folder):
            pytest.fail(
                f"BPC_NODE_BIN={folder} holds no Node.js {'.'.join(map(str, MINIMUM))}+", pytrace=False
            )
        return folder
    cached = CACHED / "node_modules" / ".bin"
    if _usable(cached):
        return cached
    on_path = shutil.which("node")
    if on_path and _usable(Path(on_path).parent):
        return Path(on_path).parent
    npm = require_tool("npm", HOW)
    run([npm, "install", "--prefix", str(CACHED), "--no-audit", "--no-fund", "node@24"], cwd=TEMPLATE_ROOT)
    if not _usable(cached):
        pytest.fail(f"npm installed node@24 into {CACHED}, but {cached / 'node'} does not run", pytrace=False)
    return cached


def node_env() -> dict[str, str]:
    """Environment variables under which `npm` and the scripts it runs use that Node."""
    require_tool("npm", HOW)
    return {"PATH": f"{node_folder()}{os.pathsep}{os.environ['PATH']}"}
