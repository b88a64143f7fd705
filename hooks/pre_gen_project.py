"""Refuse a bad answer before any file is rendered.

Cookiecutter deletes the project folder when this hook fails, so a refused bake leaves nothing.
The rules live in bpc/answers.py, where the tests exercise them directly. `_cookiecutter` holds the
answers as given, before cookiecutter rendered them as templates.
"""

import json
import sys

sys.path.insert(0, r"{{ template_root }}")

from bpc.answers import refusal_report  # noqa: E402

report = refusal_report(json.loads(r'{{ cookiecutter | tojson }}'), json.loads(r'{{ _cookiecutter | tojson }}'))
if report:
    sys.exit(report)
