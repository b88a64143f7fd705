"""Apply features.toml to the rendered project: prune what was not chosen, fill in per-bake
secrets, keep the answers, and print the next steps. The steps live in bpc/bake.py."""

import json
import sys
from pathlib import Path

sys.path.insert(0, r"{{ template_root }}")

from bpc.bake import finish  # noqa: E402

print(finish(Path.cwd(), json.loads(r'{{ cookiecutter | tojson }}')))
