"""The editor option: PyCharm run configurations and VS Code settings.

Each generated file is parsed, and everything it names (a script, a module, a working directory,
a settings module, the interpreter) must exist in the bake or be one of its pinned dependencies,
so that a renamed file in the template breaks a test instead of a developer's first debug session.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bpc import manifest
from bpc.answers import template_defaults
from bpc.combinations import all_bakes

VENV_PYTHON = ".venv/bin/python"


def _answers(context: dict) -> dict:
    defaults = {
        key: value[0] if isinstance(value, list) else value
        for key, value in template_defaults().items()
        if not key.startswith("_")
    }
    defaults["project_slug"] = "my_awesome_project"
    return {**defaults, **context}


def _bakes_with(feature: str) -> list[str]:
    return [
        bake_id for bake_id, context in all_bakes().items() if feature in manifest.enabled(_answers(context))
    ]


def _strip_jsonc(text: str) -> str:
    """JSON with comments (VS Code's format) to plain JSON: drop comments outside strings, then
    trailing commas."""
    out, i, in_string = [], 0, False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            i = text.find("\n", i)
            if i == -1:
                break
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        else:
            out.append(char)
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def load_jsonc_text(text: str) -> dict:
    return json.loads(_strip_jsonc(text))


def load_jsonc(path: Path) -> dict:
    return load_jsonc_text(path.read_text(encoding="utf-8"))


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def installed_distributions(root: Path) -> set[str]:
    """Every distribution `uv sync --all-groups` installs directly: the dependencies, the extras
    (the dev group installs the project's dev extra) and the groups."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = list(pyproject["project"]["dependencies"])
    for extra in pyproject["project"].get("optional-dependencies", {}).values():
        requirements += extra
    for group in pyproject.get("dependency-groups", {}).values():
        requirements += [r for r in group if isinstance(r, str)]
    return {_requirement_name(r) for r in requirements}


def module_exists(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def check_module(root: Path, dotted: str, problems: list[str], where: str) -> None:
    """A module run with `python -m` or named by `-A`/DJANGO_SETTINGS_MODULE: the project's own or an
    installed distribution's."""
    if module_exists(root, dotted):
        return
    if dotted.split(".")[0].replace("_", "-") in installed_distributions(root):
        return
    problems.append(f"{where}: module {dotted} is neither in the project nor a dependency")


def check_celery_app(root: Path, args: list[str], problems: list[str], where: str) -> None:
    if "-A" in args:
        check_module(root, args[args.index("-A") + 1], problems, where)


def test_only_the_chosen_editor_leaves_files(project):
    for feature, folder in (("pycharm", ".idea"), ("vscode", ".vscode")):
        assert (project.path / folder).is_dir() == (feature in project.features), (
            f"{folder} must exist exactly when {feature} is chosen (editor={project.answers['editor']})"
        )


# --- PyCharm --------------------------------------------------------------------------------------


def pycharm_configurations(root: Path) -> dict[str, ET.Element]:
    configurations = {}
    for path in sorted((root / ".idea" / "runConfigurations").glob("*.xml")):
        component = ET.parse(path).getroot()  # noqa: S314 - the template's own files, not untrusted input
        assert component.tag == "component"
        assert component.get("name") == "ProjectRunConfigurationManager", path.name
        found = component.findall("configuration")
        assert len(found) == 1, f"{path.name}: one configuration per file"
        configurations[found[0].get("name")] = found[0]
    return configurations


def options(configuration: ET.Element) -> dict[str, str]:
    return {option.get("name"): option.get("value") for option in configuration.findall("option")}


def project_dir(value: str, root: Path) -> Path:
    # PyCharm's run configurations also quote some values (`"$PROJECT_DIR$"`).
    return Path(value.strip('"').replace("$PROJECT_DIR$", str(root)))


@pytest.mark.parametrize("editor_bake", _bakes_with("pycharm"))
def test_pycharm_run_configurations_name_what_exists(bake, editor_bake):
    baked = bake(editor_bake)
    root = baked.path
    configurations = pycharm_configurations(root)
    expected = {"runserver", "tests", "migrate"}
    celery = {"Celery worker", "Celery beat"}
    assert set(configurations) == (expected | celery if "celery" in baked.features else expected)

    problems: list[str] = []
    for name, configuration in configurations.items():
        values = options(configuration)
        assert configuration.find("module").get("name") == baked.answers["project_slug"], name
        assert values["SDK_HOME"] == f"$PROJECT_DIR$/{VENV_PYTHON}", name
        if not project_dir(values["WORKING_DIRECTORY"], root).is_dir():
            problems.append(f"{name}: working directory {values['WORKING_DIRECTORY']} is missing")
        envs = {env.get("name"): env.get("value") for env in configuration.iter("env")}
        check_module(root, envs["DJANGO_SETTINGS_MODULE"], problems, name)
        if configuration.get("type") == "tests":
            assert configuration.get("factoryName") == "py.test"
            assert envs["DJANGO_SETTINGS_MODULE"] == "config.settings.test"
            if not project_dir(values["_new_target"], root).exists():
                problems.append(f"{name}: test target {values['_new_target']} is missing")
            check_module(root, "pytest", problems, name)
            continue
        assert configuration.get("type") == "PythonConfigurationType", name
        if values["MODULE_MODE"] == "true":
            check_module(root, values["SCRIPT_NAME"], problems, name)
        elif not project_dir(values["SCRIPT_NAME"], root).is_file():
            problems.append(f"{name}: script {values['SCRIPT_NAME']} is missing")
        check_celery_app(root, values["PARAMETERS"].split(), problems, name)
    assert not problems, "\n".join(problems)


def test_pycharm_keeps_only_the_run_configurations_in_git(bake, tmp_path):
    # What PyCharm writes on first open (interpreter, workspace) is each developer's own.
    copy = tmp_path / "project"
    shutil.copytree(bake(_bakes_with("pycharm")[0]).path, copy)
    (copy / ".idea" / "workspace.xml").write_text("<project/>", encoding="utf-8")
    (copy / ".idea" / "misc.xml").write_text("<project/>", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    staged = subprocess.run(
        ["git", "add", "--dry-run", "--all", ".idea"], cwd=copy, capture_output=True, text=True, check=True
    ).stdout
    assert "add '.idea/runConfigurations/runserver.xml'" in staged
    assert "workspace.xml" not in staged
    assert "misc.xml" not in staged


# --- VS Code --------------------------------------------------------------------------------------


def workspace_path(value: str, root: Path) -> Path:
    return Path(value.replace("${workspaceFolder}", str(root)))


@pytest.mark.parametrize("editor_bake", _bakes_with("vscode"))
def test_vscode_launch_configurations_name_what_exists(bake, editor_bake):
    baked = bake(editor_bake)
    root = baked.path
    launch = load_jsonc(root / ".vscode" / "launch.json")
    configurations = {c["name"]: c for c in launch["configurations"]}
    expected = {"Django: runserver", "Django: migrate", "pytest: all tests"}
    celery = {"Celery: worker", "Celery: beat"}
    assert set(configurations) == (expected | celery if "celery" in baked.features else expected)

    problems: list[str] = []
    for name, configuration in configurations.items():
        assert configuration["type"] == "debugpy", name
        assert configuration["request"] == "launch", name
        if not workspace_path(configuration["cwd"], root).is_dir():
            problems.append(f"{name}: cwd {configuration['cwd']} is missing")
        if "program" in configuration:
            if not workspace_path(configuration["program"], root).is_file():
                problems.append(f"{name}: program {configuration['program']} is missing")
        else:
            check_module(root, configuration["module"], problems, name)
        check_module(root, configuration["env"]["DJANGO_SETTINGS_MODULE"], problems, name)
        check_celery_app(root, configuration["args"], problems, name)
    assert not problems, "\n".join(problems)
    assert configurations["pytest: all tests"]["env"]["DJANGO_SETTINGS_MODULE"] == "config.settings.test"
    for compound in launch.get("compounds", []):
        assert set(compound["configurations"]) <= set(configurations), compound["name"]
    assert bool(launch.get("compounds")) == ("celery" in baked.features)


@pytest.mark.parametrize("editor_bake", _bakes_with("vscode"))
def test_vscode_settings_use_the_project_tools(bake, editor_bake):
    baked = bake(editor_bake)
    root = baked.path
    settings = load_jsonc(root / ".vscode" / "settings.json")
    assert settings["python.defaultInterpreterPath"] == "${workspaceFolder}/" + VENV_PYTHON
    assert settings["python.testing.pytestEnabled"] is True
    assert settings["python.testing.unittestEnabled"] is False
    assert {"pytest", "ruff"} <= installed_distributions(root)
    # "fromEnvironment": the ruff pinned in the project, not the extension's bundled one.
    assert settings["ruff.importStrategy"] == "fromEnvironment"
    assert settings["[python]"]["editor.defaultFormatter"] == "charliermarsh.ruff"

    recommended = load_jsonc(root / ".vscode" / "extensions.json")["recommendations"]
    assert len(recommended) == len(set(recommended))
    assert {"ms-python.python", "ms-python.debugpy", "charliermarsh.ruff"} <= set(recommended)
    assert ("vue.volar" in recommended) == ("vue" in baked.features)


def test_jsonc_reader_keeps_strings_intact():
    text = '{\n  // a comment\n  "url": "http://x//y", /* block */ "list": [1, 2,],\n}'
    assert load_jsonc_text(text) == {"url": "http://x//y", "list": [1, 2]}
