"""Validation of the prompt answers, run by the pre-generation hook before any file is written.

Each rule returns None when the value is fine, or the rule the value breaks, in words a user
understands. `problems()` gives one line per bad answer: field, value and rule. Every pattern is
matched with `fullmatch`: `$` would let a trailing newline through.

Free text (name, description, author) may hold any printable character, quotes and backslashes
included: the templates embed it with the filters of bpc/embed.py, one per file format. What no
format can carry on one line is refused: control characters, line and paragraph separators, and
Jinja syntax (cookiecutter evaluates an answer given on the command line as a template).
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shlex
import sys
import tempfile
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from slugify import slugify

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

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@(?P<domain>[^@\s]+)")
DOMAIN_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# IANA names: Area/Location_Name, Etc/GMT+1... (zoneinfo itself raises OSError on a long name).
TIMEZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}")
# PEP 440's public version scheme (hooks run with cookiecutter's interpreter, which may lack
# `packaging`, so the grammar is spelled out here).
PEP440 = re.compile(
    r"""v?(\d+!)?\d+(\.\d+)*
    ([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?
    ((-\d+)|([-_.]?(post|rev|r)[-_.]?\d*))?
    ([-_.]?dev[-_.]?\d*)?
    (\+[a-z0-9]+([-_.][a-z0-9]+)*)?""",
    re.VERBOSE | re.IGNORECASE,
)


def slug_rule(value: Any) -> str | None:
    if not isinstance(value, str) or not value.isidentifier() or not value.isascii():
        return "must be a valid Python identifier (ASCII letters, digits, _; not starting with a digit)"
    if value != value.lower():
        return "must be lower case (PEP 8 package names)"
    if len(value) > 63:
        return "must be at most 63 characters long (it names the PostgreSQL database and user)"
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
    if len(labels) < 2 or not all(DOMAIN_LABEL.fullmatch(label) for label in labels):
        return "must be a domain name such as example.com (dot-separated labels of letters, digits and -)"
    if labels[-1].isdigit():
        return "must be a domain name, not an IP address"
    return None


def email_rule(value: Any) -> str | None:
    match = EMAIL.fullmatch(value) if isinstance(value, str) else None
    if not match or domain_rule(match["domain"]):
        return "must be an e-mail address such as jane@example.com"
    return None


def version_rule(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 64 or not PEP440.fullmatch(value):
        return "must be a PEP 440 version such as 0.1.0 (at most 64 characters)"
    return None


def timezone_rule(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 64 or not TIMEZONE.fullmatch(value):
        return "must be an IANA time zone known to zoneinfo, such as UTC or Europe/Paris"
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return "must be an IANA time zone known to zoneinfo, such as UTC or Europe/Paris"
    return None


# Characters no one-line value can carry: controls (C0, DEL, C1), separators that editors, YAML
# or JavaScript take as line breaks, surrogates, and the bidirectional overrides and isolates that
# make source code read differently from what it does ("Trojan Source").
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JINJA_MARKERS = ("{{", "{%", "{#")


def unprintable(value: str) -> str | None:
    for char in value:
        if unicodedata.category(char) in UNPRINTABLE_CATEGORIES or char in BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def text_rule_of_length(limit: int) -> Callable[[Any], str | None]:
    def text_rule(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return "must not be empty"
        if len(value) > limit:
            return f"must be at most {limit} characters long"
        if value != value.strip():
            return "must not start or end with a space"
        char = unprintable(value)
        if char:
            return f"must be one line of printable text (it holds the control or separator character {char})"
        if any(marker in value for marker in JINJA_MARKERS):
            return "must not contain {{, {% or {# (cookiecutter would evaluate it as a template)"
        return None

    return text_rule


RULES: dict[str, Callable[[Any], str | None]] = {
    "project_name": text_rule_of_length(80),
    "project_slug": slug_rule,
    "description": text_rule_of_length(200),
    "author_name": text_rule_of_length(100),
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


def jinja_rule(raw: Any, default: Any) -> str | None:
    if raw != default and isinstance(raw, str) and any(marker in raw for marker in JINJA_MARKERS):
        return "must not contain {{, {% or {# (cookiecutter would evaluate it as a template)"
    return None


def derived_slug(answers: Mapping[str, Any], unrendered: Mapping[str, Any] | None = None) -> bool:
    """Whether project_slug is the one cookiecutter derived from project_name (a refused name's slug
    is no answer of the user's: it goes with the name)."""
    default = template_defaults()["project_slug"]
    if unrendered is not None and unrendered.get("project_slug", default) != default:
        return False
    name = str(answers.get("project_name", ""))
    return answers.get("project_slug") == (slugify(name, separator="_", max_length=63) or "project")


def refusals(answers: Mapping[str, Any], unrendered: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The message of each bad answer, by field, in prompt order.

    `unrendered` are the answers before cookiecutter rendered them (its `_cookiecutter`): an
    answer given on the command line is a template to cookiecutter, and `{{ 7*7 }}` reaches
    `answers` as `49`.
    """
    defaults = template_defaults()
    order = {field: index for index, field in enumerate(defaults)}
    messages = {}
    for field, value in sorted(answers.items(), key=lambda item: order.get(item[0], len(order))):
        if field.startswith("_") or (
            field == "project_slug" and "project_name" in messages and derived_slug(answers, unrendered)
        ):
            continue
        raw = (unrendered or {}).get(field, value)
        broken = jinja_rule(raw, defaults.get(field))
        if broken:
            value = raw
        else:
            rule = RULES.get(field)
            broken = rule(value) if rule else choice_rule(field, value, defaults)
        if broken:
            messages[field] = f"Invalid answer for {field}: {value!r} {broken}."
    if not messages and (broken := django_python_rule(answers)):
        django = answers["django_version"]
        messages["django_version"] = f"Invalid answer for django_version: {django!r} {broken}."
    return messages


def problems(answers: Mapping[str, Any], unrendered: Mapping[str, Any] | None = None) -> list[str]:
    """One message per bad answer, in prompt order."""
    return list(refusals(answers, unrendered).values())


def template_argument(template: str, user_directory: str) -> str:
    """The template as the user named it, made absolute when it is a local folder."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|git@", template):
        return template
    return str(Path(user_directory, template).expanduser().resolve())


def retry_command(
    answers: Mapping[str, Any], refused: Iterable[str], kept_file: Path
) -> tuple[str, list[str]]:
    """Write the good answers to `kept_file`; return the command that bakes with them, and the
    fields it asks for.

    The file is a cookiecutter replay file without the refused fields: cookiecutter asks only for
    what a replay file lacks. A slug derived from a refused name goes too (it would follow the new
    name); `__prompts__` go so that the questions read as usual.
    """
    dropped = {*refused, "__prompts__"}
    if "project_name" in dropped and derived_slug(answers):
        dropped.add("project_slug")
    kept = {field: value for field, value in answers.items() if field not in dropped}
    kept_file.write_text(json.dumps({"cookiecutter": kept}, indent=2) + "\n", encoding="utf-8")
    user_directory = os.environ.get("PWD", os.getcwd())
    command = [
        "cookiecutter",
        "--replay-file",
        str(kept_file),
        template_argument(str(answers.get("_template", TEMPLATE_ROOT)), user_directory),
    ]
    if answers.get("_output_dir"):
        command += ["-o", str(answers["_output_dir"])]
    asked = [field for field in template_defaults() if field in dropped and not field.startswith("_")]
    return shlex.join(command), asked


def refusal_report(answers: Mapping[str, Any], unrendered: Mapping[str, Any] | None = None) -> str | None:
    """What the pre-generation hook prints for bad answers (None when all are good)."""
    messages = refusals(answers, unrendered)
    if not messages:
        return None
    handle, name = tempfile.mkstemp(prefix="django-bpc-answers-", suffix=".json")
    os.close(handle)
    command, asked = retry_command(answers, messages, Path(name))
    fields = ", ".join(asked)
    return "\n".join(
        [
            *messages.values(),
            f"Your other answers are kept: to bake again, asked only for {fields}, run",
            f"  {command}",
        ]
    )
