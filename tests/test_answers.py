"""Answer validation: every bad value aborts the bake with one line naming field, value and rule,
and leaves nothing behind. The same table drives the unit checks of bpc.answers and real
`cookiecutter` runs through the command line, as a user would type them."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from bpc import answers
from bpc.manifest import TEMPLATE_ROOT

BAD_ANSWERS = {
    "project_name": [
        "",
        "   ",
        "x" * 81,
        "a\x0cb",
        "a\nb",
        "a\u2028b",
        "a\x85b",
        "tab\there",
        "ends in a space ",
        "{{ 7*7 }}",
        "{{ unclosed",
        "{% if %}",
        "bidi \u202eevil",
    ],
    "project_slug": [
        "1bad",
        "my-project",
        "my project",
        "Upper",
        "class",
        "match",
        "json",
        "test",
        "django",
        "celery",
        "config",
        "café",
        "x" * 64,
    ],
    "description": ["", "x" * 201, "line\nbreak", "a\u2029b", "{# comment #}"],
    "author_name": ["", "x" * 101, "a\x1bb", "a\x7fb"],
    "email": [
        "not-an-email",
        "jane@",
        "@example.com",
        "jane@localhost",
        "jane doe@example.com",
        "a@b@c.com",
        "jane@example.com\n",
    ],
    "domain_name": [
        "exa mple..com",
        "localhost",
        "-bad.example.com",
        "example.com-",
        "1.2.3.4",
        "x" * 64 + ".com",
        "example.com\n",
    ],
    "version": ["one.two", "1.0.0-final!", "", "1..0", "0.1.0\n", "1" * 65],
    "timezone": [
        "Mars/Base",
        "Europe/Pariss",
        "",
        "../etc/passwd",
        "x" * 300,
        "UTC\n",
        "Europe/Paris/../UTC",
    ],
    "django_version": ["4.2", "6"],
    "python_version": ["3.10", "2.7"],
    "open_source_license": ["WTFPL"],
    "use_redis": ["maybe"],
    "celery_broker": ["kafka"],
    "ci_tool": ["jenkins"],
    "frontend": ["react"],
    "editor": ["emacs"],
}
GOOD_ANSWERS = {
    "project_name": [
        'Bob\'s "Best" Shop',
        "C:\\new\\",
        "$(touch x) `y`",
        "🚀 Café 100%",
        "x" * 80,
        "a {b} }} %}",
    ],
    "description": [
        'A "simple" blog, with C:\\new paths and 100% 🚀',
        "<script>alert(1)</script>",
        "x" * 200,
    ],
    "author_name": ["Zoë O'Brien-Łukasz", "\\N{BULLET} \\x41"],
    "project_slug": ["shop", "my_shop2", "acme_portal"],
    "email": ["jane.doe+django@mail.example.org"],
    "domain_name": ["example.com", "www.example.co.uk", "xn--bcher-kva.example"],
    "version": ["0.1.0", "1.0", "2025.11", "1.0.0rc1", "1.0.post1", "1.0.dev3"],
    "timezone": ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"],
}
# Values that cookiecutter itself refuses before our hook runs (it converts booleans and checks
# choices on the command line); the hook still checks them for answers given another way.
REFUSED_BY_COOKIECUTTER = {
    "django_version",
    "python_version",
    "open_source_license",
    "use_redis",
    "celery_broker",
    "ci_tool",
    "frontend",
    "editor",
}

# The defaults as cookiecutter resolves them with --no-input (project_slug derived from the name).
DEFAULTS = prompt_for_config(
    generate_context(context_file=str(TEMPLATE_ROOT / "cookiecutter.json")), no_input=True
)

DEFAULTS_CHOICES = answers.template_defaults()

TABLE = [(field, value) for field, values in BAD_ANSWERS.items() for value in values]


def test_every_text_prompt_has_bad_values_in_the_table():
    assert set(answers.RULES) <= set(BAD_ANSWERS)


@pytest.mark.parametrize(("field", "value"), TABLE)
def test_rule_refuses(field, value):
    messages = answers.problems({**DEFAULTS, field: value})
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"Invalid answer for {field}: {value!r} ")


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, values in GOOD_ANSWERS.items() for v in values])
def test_rule_accepts(field, value):
    assert answers.problems({**DEFAULTS, field: value}) == []


def test_defaults_are_valid():
    assert answers.problems(DEFAULTS) == []


def bake_from_command_line(output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_ROOT), "-o", str(output), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, v in TABLE if f not in REFUSED_BY_COOKIECUTTER])
def test_bad_answer_aborts_the_bake_and_leaves_nothing(field, value, tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    result = bake_from_command_line(output, f"{field}={value}")
    assert result.returncode != 0
    expected = f"Invalid answer for {field}: {value!r} "
    lines = [line for line in result.stderr.splitlines() if line.startswith(expected)]
    assert len(lines) == 1, result.stderr
    assert "must" in lines[0]
    assert list(output.iterdir()) == [], "a refused bake left files behind"


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, v in TABLE if f in REFUSED_BY_COOKIECUTTER])
def test_cookiecutter_refuses_bad_choices_before_writing(field, value, tmp_path):
    result = bake_from_command_line(tmp_path, f"{field}={value}")
    assert result.returncode != 0
    assert field in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


# Each Django version with the Pythons it cannot run on, among those the prompt offers.
IMPOSSIBLE_PAIRS = [("6.1", "3.11")]
POSSIBLE_PAIRS = [("5.2", "3.11"), ("5.2", "3.14"), ("6.1", "3.12"), ("6.1", "3.13"), ("6.1", "3.14")]


@pytest.mark.parametrize(("django", "python"), IMPOSSIBLE_PAIRS)
def test_a_django_version_the_python_cannot_run_is_refused(django, python):
    messages = answers.problems({**DEFAULTS, "django_version": django, "python_version": python})
    assert messages == [
        f"Invalid answer for django_version: {django!r} needs python_version 3.12 or newer "
        f"(Django {django} does not run on Python {python})."
    ]


@pytest.mark.parametrize(("django", "python"), POSSIBLE_PAIRS)
def test_every_supported_pair_is_accepted(django, python):
    assert answers.problems({**DEFAULTS, "django_version": django, "python_version": python}) == []


def test_every_offered_pair_is_either_possible_or_refused():
    offered = {(d, p) for d in DEFAULTS_CHOICES["django_version"] for p in DEFAULTS_CHOICES["python_version"]}
    assert offered == set(IMPOSSIBLE_PAIRS) | set(POSSIBLE_PAIRS) | {("5.2", "3.12"), ("5.2", "3.13")}


@pytest.mark.parametrize(("django", "python"), IMPOSSIBLE_PAIRS)
def test_an_impossible_pair_aborts_the_bake_and_leaves_nothing(django, python, tmp_path):
    result = bake_from_command_line(tmp_path, f"django_version={django}", f"python_version={python}")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("Invalid answer for ")]
    assert lines == [
        f"Invalid answer for django_version: {django!r} needs python_version 3.12 or newer "
        f"(Django {django} does not run on Python {python})."
    ], result.stderr
    assert list(tmp_path.iterdir()) == [], "a refused bake left files behind"


def test_a_refusal_prints_one_command_that_keeps_the_good_answers(tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    refused = bake_from_command_line(
        output,
        "project_name={{ 7*7 }}",
        "email=not-an-email",
        'author_name=Zoë "Z" O\'Brien',
        "use_redis=false",
    )
    assert refused.returncode != 0
    assert list(output.iterdir()) == []
    lines = refused.stderr.splitlines()
    hint = lines.index(next(line for line in lines if line.startswith("Your other answers are kept")))
    assert "asked only for project_name, project_slug, email" in lines[hint]
    command = shlex.split(lines[hint + 1])
    assert command[:2] == ["cookiecutter", "--replay-file"]
    # Run the printed command as printed, from elsewhere, answering only what it asks.
    rerun = subprocess.run(
        [str(Path(sys.executable).parent / "cookiecutter"), *command[1:]],
        input="Bob's {Shop}\n\njane@example.org\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rerun.stdout.count("[1/") + rerun.stdout.count("[2/") + rerun.stdout.count("[3/") == 3, (
        rerun.stdout
    )
    (baked,) = output.iterdir()
    record = json.loads((baked / ".django-bpc.json").read_text(encoding="utf-8"))
    assert record["answers"]["project_name"] == "Bob's {Shop}"
    assert record["answers"]["email"] == "jane@example.org"
    assert record["answers"]["author_name"] == 'Zoë "Z" O\'Brien'
    assert "redis_cache" not in record["features"]
