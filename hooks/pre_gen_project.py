"""Refuse a bad answer before any file is rendered.

Cookiecutter deletes the project folder when this hook fails, so a refused bake leaves nothing.
The rules live in bpc/answers.py, where the tests exercise them directly.
"""

import json
import sys

sys.path.insert(0, r"{{ template_root }}")

from bpc.answers import problems  # noqa: E402

messages = problems(json.loads(r'{{ cookiecutter | tojson }}'))
if messages:
    sys.exit("\n".join(messages))
