"""Per-bake secrets: every `<secret:name>` placeholder in the env files gets a fresh random value.

The same name gets the same value everywhere in one bake (e.g. the PostgreSQL password in
`.envs/.production/.postgres` and in the tracker's database URL), and no two bakes share one.
"""

from __future__ import annotations

import re
import secrets
import string
from pathlib import Path

PLACEHOLDER = re.compile(r"<secret:(?P<name>[a-z0-9_]+)>")
# Letters and digits only: the values end up inside URLs, shell-sourced env files and YAML.
ALPHABET = string.ascii_letters + string.digits
LENGTH = 50


def new_secret(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def fill(root: Path, folder: str = ".envs") -> dict[str, str]:
    """Replace the placeholders in every file under root/folder; return the values by name."""
    values: dict[str, str] = {}
    for path in sorted((root / folder).rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        filled = PLACEHOLDER.sub(lambda m: values.setdefault(m["name"], new_secret()), text)
        if filled != text:
            path.write_text(filled, encoding="utf-8")
    return values
