"""Static checks that every bake must pass, whatever the options (see bpc/combinations.py).

Each test runs once per bake: the named bakes plus a pairwise covering array of the service
options. They need no server.
"""

from __future__ import annotations

import json
import os
import py_compile
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bpc import rebake
from bpc.bake import shown_path, summary
from bpc.manifest import TEMPLATE_ROOT

# Files whose own template language legitimately uses {{ }} / {% %}: Django and Vue templates.
TEMPLATE_LANGUAGE_SUFFIXES = {".html", ".vue"}
# JSON files whose format allows comments (JSON with comments).
JSONC_NAMES = re.compile(r"^(tsconfig.*\.json|.*\.code-workspace)$")


def text_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".venv" in path.parts or "node_modules" in path.parts:
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root))


def test_no_unrendered_template_syntax(project):
    leftovers = []
    for path in project.path.rglob("*"):
        if "{{" in path.name or "{%" in path.name or "cookiecutter" in path.name:
            leftovers.append(f"file name {relative(path, project.path)}")
    for path in text_files(project.path):
        text = path.read_text(encoding="utf-8")
        name = relative(path, project.path)
        if "cookiecutter." in text:
            leftovers.append(f"{name}: 'cookiecutter.'")
        if path.suffix in TEMPLATE_LANGUAGE_SUFFIXES:
            continue
        github_workflow = ".github" in path.parts
        for match in re.finditer(r"\{\{|\{%", text):
            if github_workflow and text[max(match.start() - 1, 0)] == "$":
                continue  # GitHub Actions expressions: ${{ ... }}
            line = text.count("\n", 0, match.start()) + 1
            leftovers.append(f"{name}:{line}: {match.group()!r}")
    assert not leftovers, "unrendered template syntax:\n" + "\n".join(leftovers)


def test_exactly_the_manifest_paths(project):
    missing = sorted(p for p in project.expected.present["paths"] if not (project.path / p).exists())
    unwanted = sorted(p for p in project.expected.absent["paths"] if (project.path / p).exists())
    assert not missing, f"paths of features that are on are missing: {missing}"
    assert not unwanted, f"paths of features that are off are still there: {unwanted}"


# The names only a feature brings: with the feature off, no file of the bake, docs and comments
# included, says them. Redis and nginx are left out on purpose: wait_for.py probes any redis://
# URL it is given, and "behind nginx or a load balancer" is advice for every deployment.
FEATURE_NAMES = {
    "sentry": r"glitchtip|sentry",
    "elasticsearch": r"elastic",
    "celery": r"celery|flower",
    "rabbitmq": r"rabbit",
    "tmuxinator": r"tmux",
    "vue": r"\bvue\b|vite",
}
# Dependency metadata written by uv and npm, which names the extras of the packages it pins.
LOCK_FILES = {"uv.lock", "package-lock.json"}


def test_unchosen_features_leave_no_name_in_any_file(project):
    names = "|".join(pattern for feature, pattern in FEATURE_NAMES.items() if feature not in project.features)
    if not names:
        return
    traces = []
    for path in text_files(project.path):
        if path.name in LOCK_FILES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(names, line, re.IGNORECASE):
                traces.append(f"{relative(path, project.path)}:{number}: {line.strip()}")
    assert not traces, "names of features that are off:\n" + "\n".join(traces)


def test_no_placeholder_or_empty_folder_left(project):
    empty = [
        relative(p, project.path) for p in project.path.rglob("*") if p.is_dir() and not any(p.iterdir())
    ]
    assert not empty, f"empty folders: {empty}"
    placeholders = [
        relative(p, project.path)
        for p in text_files(project.path)
        if "<secret:" in p.read_text(encoding="utf-8")
    ]
    assert not placeholders, f"secret placeholders not filled in: {placeholders}"


def test_python_files_compile(project, tmp_path):
    broken = []
    for path in sorted(project.path.rglob("*.py")):
        try:
            py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)
        except py_compile.PyCompileError as error:
            broken.append(f"{relative(path, project.path)}: {error.msg}")
    assert not broken, "\n".join(broken)


def assert_ruff_clean(root: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*ruff, "check", "--no-cache", "."], cwd=root, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    style = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", "."], cwd=root, capture_output=True, text=True
    )
    assert style.returncode == 0, style.stdout + style.stderr


def test_bandit_finds_nothing_of_medium_severity_or_more(default_project):
    """Each finding is fixed, or marked `# nosec BXXX` with its reason on the line."""
    try:
        import bandit  # noqa: F401  (only: is it installed beside this interpreter)
    except ImportError:
        pytest.fail("bandit is not installed; install it with: pip install bandit==1.9.4", pytrace=False)
    scan = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", "--severity-level", "medium", "."],
        cwd=default_project.path,
        capture_output=True,
        text=True,
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    # No blanket exemptions: a bare `# nosec` would hide whatever comes next on that line.
    for path in default_project.path.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not re.search(r"#\s*nosec(?!\s+B\d{3}\s+\S)", line), f"{path}:{number}: {line.strip()}"


def test_ruff_clean_with_the_projects_own_config(project):
    assert_ruff_clean(project.path)


# Names that sort before and after `config` (the other first-party package), one letter, and one
# long enough to push a line that holds it past the line length.
PROJECT_NAMES = {
    "name-before-config": "Acme Shop",
    "name-after-config": "Zebra Works",
    "name-one-letter": "Q",
    "name-long": "The Very Long Name of a Project That Its Whole Team Loves Dearly",
}


@pytest.mark.parametrize(
    "named_bake",
    [pytest.param(bake_id, marks=pytest.mark.xdist_group(bake_id)) for bake_id in PROJECT_NAMES],
)
def test_ruff_clean_whatever_the_project_is_called(bake, named_bake):
    # The default options: the bake with the most Python files.
    project = bake(named_bake, {"project_name": PROJECT_NAMES[named_bake]})
    # The slug comes from the name (cut to the longest slug the answer rules take).
    assert PROJECT_NAMES[named_bake].lower().replace(" ", "_").startswith(project.answers["project_slug"])
    assert_ruff_clean(project.path)


def _strip_json_comments(text: str) -> str:
    # Good enough for the comment styles editors and tsconfig use: whole-line // and /* */ blocks,
    # and trailing commas before a closing bracket.
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return re.sub(r",(\s*[}\]])", r"\1", text)


def test_data_files_parse(project):
    broken = []
    for path in text_files(project.path):
        name = relative(path, project.path)
        text = path.read_text(encoding="utf-8")
        try:
            if path.suffix in {".yml", ".yaml"}:
                list(yaml.safe_load_all(text))
            elif path.suffix == ".json":
                jsonc = JSONC_NAMES.match(path.name) or ".vscode" in path.parts
                json.loads(_strip_json_comments(text) if jsonc else text)
            elif path.suffix == ".toml":
                tomllib.loads(text)
        except (yaml.YAMLError, json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
            broken.append(f"{name}: {error}")
    assert not broken, "\n".join(broken)


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_python_dependencies_follow_the_manifest(project):
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {_requirement_name(r) for r in pyproject["project"]["dependencies"]}
    unpinned = [r for r in pyproject["project"]["dependencies"] if "==" not in r]
    assert not unpinned, f"dependencies must be pinned to the versions the template tests: {unpinned}"
    expected = project.expected
    assert expected.present["python_dependencies"] <= declared, (
        f"missing: {expected.present['python_dependencies'] - declared}"
    )
    assert not expected.absent["python_dependencies"] & declared, (
        f"dependencies of features that are off: {expected.absent['python_dependencies'] & declared}"
    )


def test_answers_are_kept_for_later_updates(project):
    expected = {key: value for key, value in project.answers.items() if not key.startswith("_")}
    if not project.answers["use_celery"]:
        expected["celery_broker"] = "rabbitmq"  # irrelevant without Celery: the default comes back
    assert rebake.saved_answers(project.path) == expected


def _generated_secrets(root: Path) -> set[str]:
    values = set()
    for path in (root / ".envs").rglob("*"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                key, _, value = line.partition("=")
                if re.search(r"SECRET|PASSWORD|_KEY|TOKEN", key) and len(value) >= 8:
                    values.add(value)
    return values


def test_two_bakes_never_share_a_secret(bake):
    first = bake("default")
    second = bake("default-again", {})
    first_secrets, second_secrets = _generated_secrets(first.path), _generated_secrets(second.path)
    assert len(first_secrets) >= 3, f"expected generated secrets in .envs, found {first_secrets}"
    assert not first_secrets & second_secrets


def test_one_secret_name_gets_one_value_within_a_bake(default_project):
    # The PostgreSQL password is both POSTGRES_PASSWORD and part of DATABASE_URL.
    env_files = (default_project.path / ".envs" / ".production").iterdir()
    text = "\n".join(path.read_text(encoding="utf-8") for path in env_files)
    password = re.search(r"^POSTGRES_PASSWORD=(.+)$", text, flags=re.M).group(1)
    assert re.search(rf"^DATABASE_URL=\S+:{password}@", text, flags=re.M), "DATABASE_URL has another password"


@pytest.mark.parametrize(
    ("named_bake", "note"),
    [
        ("redis-broker", "celery_broker=redis brings the Redis service"),
        ("minimal", "celery_broker was ignored"),
    ],
)
def test_summary_explains_resolved_answers(named_bake, note, bake):
    assert note in summary(bake(named_bake).answers)
    assert note not in summary(bake("default").answers)


ANSWERS = ("project_name=Acme Shop", "frontend=none")


def _bake_from_the_command_line(cwd: Path, output_dir: str) -> str:
    cwd.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_ROOT), "-o", output_dir, *ANSWERS],
        cwd=cwd,
        env={**os.environ, "PWD": str(cwd)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_the_summary_gives_the_real_path_of_the_project(tmp_path):
    below = _bake_from_the_command_line(tmp_path / "work", "elsewhere/deep")
    assert "Baked Acme Shop into ./elsewhere/deep/acme_shop" in below
    assert re.search(r"^  cd elsewhere/deep/acme_shop$", below, re.M), below


def test_a_project_outside_the_working_folder_is_shown_by_its_absolute_path(tmp_path):
    project = tmp_path / "outside" / "acme_shop"
    assert shown_path(project, tmp_path / "work") == str(project.resolve())
    assert shown_path(project, tmp_path) == "outside/acme_shop"


def test_the_rebake_names_the_folder_it_baked_into(bake, tmp_path, monkeypatch, capfd):
    original = bake("minimal")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path))
    assert rebake.main([str(original.path), "--output-dir", "again"]) == 0
    printed = capfd.readouterr().out
    slug = original.answers["project_slug"]
    assert f"re-baked into again/{slug}" in printed
    assert re.search(rf"^  cd again/{slug}$", printed, re.M), printed
