"""Validation of the prompt answers, run by the pre-generation hook before any file is written.

Each rule returns None when the value is fine, or the rule the value breaks, in words a user
understands. `problems()` gives one line per bad answer: field, value and rule.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from bpc.manifest import TEMPLATE_ROOT

# Modules a generated project imports (directly or through its dependencies): a project package
# with one of these names would shadow it. The standard library is covered separately.
DEPENDENCY_MODULES = frozenset(
    {
        "amqp",
        "billiard",
        "celery",
        "config",
        "django",
        "django_celery_beat",
        "elasticsearch",
        "environ",
        "factory",
        "flower",
        "frontend",
        "gunicorn",
        "health_check",
        "kombu",
        "psycopg",
        "pytest",
        "redis",
        "rest_framework",
        "sentry_sdk",
        "tests",
        "whitenoise",
        "docs",
        "drf_spectacular",
        "django_vite",
        "compose",
        "deploy",
    }
)

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@(?P<domain>[^@\s]+)$")
DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# PEP 440's public version scheme (hooks run with cookiecutter's interpreter, which may lack
# `packaging`, so the grammar is spelled out here).
PEP440 = re.compile(
    r"""^v?(\d+!)?\d+(\.\d+)*
    ([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?
    ((-\d+)|([-_.]?(post|rev|r)[-_.]?\d*))?
    ([-_.]?dev[-_.]?\d*)?
    (\+[a-z0-9]+([-_.][a-z0-9]+)*)?$""",
    re.VERBOSE | re.IGNORECASE,
)


def slug_rule(value: Any) -> str | None:
    if not isinstance(value, str) or not value.isidentifier() or not value.isascii():
        return "must be a valid Python identifier (ASCII letters, digits, _; not starting with a digit)"
    if value != value.lower():
        return "must be lower case (PEP 8 package names)"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "must not be a Python keyword"
    if value in sys.stdlib_module_names or value == "test":
        return "must not shadow a standard-library module"
    if value in DEPENDENCY_MODULES:
        return "must not shadow a module the project depends on or a folder of the project"
    return None


def domain_rule(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 253:
        return "must be a domain name of at most 253 characters"
    labels = value.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        return "must be a domain name such as example.com (dot-separated labels of letters, digits and -)"
    if labels[-1].isdigit():
        return "must be a domain name, not an IP address"
    return None


def email_rule(value: Any) -> str | None:
    match = EMAIL.match(value) if isinstance(value, str) else None
    if not match or domain_rule(match["domain"]):
        return "must be an e-mail address such as jane@example.com"
    return None


def version_rule(value: Any) -> str | None:
    if not isinstance(value, str) or not PEP440.match(value):
        return "must be a PEP 440 version such as 0.1.0"
    return None


def timezone_rule(value: Any) -> str | None:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "must be an IANA time zone known to zoneinfo, such as UTC or Europe/Paris"
    return None


def text_rule(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must not be empty"
    if "\n" in value or '"' in value:
        return "must be one line without double quotes"
    return None


RULES: dict[str, Callable[[Any], str | None]] = {
    "project_name": text_rule,
    "project_slug": slug_rule,
    "description": text_rule,
    "author_name": text_rule,
    "email": email_rule,
    "domain_name": domain_rule,
    "version": version_rule,
    "timezone": timezone_rule,
}


def template_defaults() -> dict[str, Any]:
    return json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))


def choice_rule(field: str, value: Any, defaults: Mapping[str, Any]) -> str | None:
    default = defaults.get(field)
    if isinstance(default, bool) and not isinstance(value, bool):
        return "must be yes or no (true/false)"
    if isinstance(default, list) and value not in default:
        return f"must be one of {', '.join(default)}"
    return None


# The oldest Python each Django version runs on (its release notes' "Python compatibility").
DJANGO_MINIMUM_PYTHON = {"5.2": "3.10", "6.1": "3.12"}


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def django_python_rule(answers: Mapping[str, Any]) -> str | None:
    """Django and the Python of the images must fit together: the pair, not one answer, is wrong."""
    django, python = answers.get("django_version"), answers.get("python_version")
    minimum = DJANGO_MINIMUM_PYTHON.get(str(django))
    if minimum is None or not isinstance(python, str) or not re.fullmatch(r"\d+(\.\d+)+", python):
        return None
    if _version_tuple(python) < _version_tuple(minimum):
        return f"needs python_version {minimum} or newer (Django {django} does not run on Python {python})"
    return None


def problems(answers: Mapping[str, Any]) -> list[str]:
    """One message per bad answer, in prompt order; then the pairs of answers that cannot go together."""
    defaults = template_defaults()
    messages = []
    for field, value in answers.items():
        if field.startswith("_"):
            continue
        rule = RULES.get(field)
        broken = rule(value) if rule else choice_rule(field, value, defaults)
        if broken:
            messages.append(f"Invalid answer for {field}: {value!r} {broken}.")
    if not messages and (broken := django_python_rule(answers)):
        messages.append(f"Invalid answer for django_version: {answers['django_version']!r} {broken}.")
    return messages
