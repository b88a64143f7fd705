"""The parts of the benchmark (benchmarks/run.py) that can be checked without running it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support import require_tool

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

# In a process of its own: importing the benchmark changes the environment of the importer.
FRONT = """
import json, sys
from pathlib import Path
sys.path.insert(0, "benchmarks")
import run
command, fronts = run.nginx_in_front(Path(sys.argv[1]), [int(port) for port in sys.argv[2:]])
print(json.dumps({"command": command, "fronts": fronts}))
"""


def test_the_nginx_in_front_of_the_app_servers_is_a_valid_configuration(tmp_path: Path) -> None:
    nginx = require_tool("nginx", "apt-get install nginx")
    upstreams = [18001, 18002, 18003]
    made = subprocess.run(
        [sys.executable, "-c", FRONT, str(tmp_path), *map(str, upstreams)],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    front = json.loads(made.stdout)
    fronts = {int(upstream): port for upstream, port in front["fronts"].items()}
    assert sorted(fronts) == upstreams
    assert len(set(fronts.values())) == len(upstreams), "two upstreams share a front port"
    config = Path(front["command"][front["command"].index("-c") + 1])
    checked = subprocess.run(
        [nginx, "-t", "-q", "-c", str(config), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    for upstream, port in fronts.items():
        assert f"listen 127.0.0.1:{port};" in text
        assert f"server 127.0.0.1:{upstream}; keepalive 16;" in text
