"""Every bake ships a `uv.lock`, cut from a lock of the template that the tests ran against.

The template keeps one lock per superset bake (`locks/<key>.lock`): a bake with every option that
brings a Python dependency, resolved by uv. A bake's own dependencies are a subset of its
superset's, so its lock is the superset's with what the bake does not reach left out; the project
itself is written from the bake's own pyproject.toml. No resolver runs at bake time, so a bake
needs neither uv nor the network, and every project gets versions the template's CI has tested.

    python -m bpc.locks refresh     re-resolve the superset locks (after changing a pin)

The tests check every bake's lock with `uv lock --check --offline`: uv itself says whether the cut
lock is the one it would write.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bpc.manifest import TEMPLATE_ROOT

LOCKS_DIR = TEMPLATE_ROOT / "locks"
REFRESHING = "BPC_LOCKS_REFRESHING"

# Superset bakes by lock key: the default answers turn on every option with a Python dependency.
SUPERSETS: dict[str, dict[str, Any]] = {"django-5.2": {}, "django-6.1": {"django_version": "6.1"}}

REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?P<specifier>[^;]*?)\s*(?:;\s*(?P<marker>.+))?$"
)


class LockError(Exception):
    """The template's lock does not cover a bake: a pin changed without `python -m bpc.locks refresh`."""


def key(answers: Mapping[str, Any]) -> str:
    return f"django-{answers.get('django_version', '5.2')}"


def normalize(name: str) -> str:
    """PEP 503 names, as uv writes them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(text: str) -> dict[str, Any]:
    match = REQUIREMENT.match(text)
    if not match:
        raise LockError(f"cannot read the requirement {text!r}")
    extras = sorted(normalize(e) for e in (match["extras"] or "").split(",") if e.strip())
    return {
        "name": normalize(match["name"]),
        "extras": extras,
        "specifier": match["specifier"].replace(" ", ""),
        "marker": match["marker"],
    }


# -- reading a lock ---------------------------------------------------------------------------


def split_blocks(text: str) -> tuple[str, list[str]]:
    """The header (before the first package) and the text of each `[[package]]` block."""
    parts = re.split(r"(?m)^(?=\[\[package\]\]\n)", text)
    return parts[0], parts[1:]


def edges(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, tuple[str, ...]]]:
    return [(normalize(e["name"]), tuple(e.get("extra", ()))) for e in entries]


def is_project(package: Mapping[str, Any]) -> bool:
    return "editable" in package.get("source", {}) or "virtual" in package.get("source", {})


# -- writing the project's own block ----------------------------------------------------------


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def inline(entry: Mapping[str, Any], order: Iterable[str]) -> str:
    fields = []
    for field in order:
        value = entry.get(field)
        if value in (None, [], ""):
            continue
        if isinstance(value, list):
            fields.append(f"{field} = [{', '.join(toml_string(v) for v in value)}]")
        else:
            fields.append(f"{field} = {toml_string(value)}")
    return "{ " + ", ".join(fields) + " }"


def array(name: str, items: list[str], *, inline_single: bool = False) -> str:
    if inline_single and len(items) == 1:
        return f"{name} = [{items[0]}]\n"
    return f"{name} = [\n" + "".join(f"    {item},\n" for item in items) + "]\n"


def project_block(pyproject: Mapping[str, Any]) -> str:
    """The lock's entry for the project, as uv writes it for this pyproject.toml."""
    project = pyproject["project"]
    name = normalize(project["name"])
    dependencies = sorted((parse_requirement(r) for r in project.get("dependencies", [])), key=_by_name)
    extras = {
        normalize(extra): sorted((parse_requirement(r) for r in requirements), key=_by_name)
        for extra, requirements in project.get("optional-dependencies", {}).items()
    }
    groups = {
        normalize(group): sorted((parse_requirement(r) for r in requirements), key=_by_name)
        for group, requirements in pyproject.get("dependency-groups", {}).items()
    }

    def edge(requirement: Mapping[str, Any]) -> str:
        return inline({"name": requirement["name"], "extra": requirement["extras"]}, ("name", "extra"))

    lines = [
        "[[package]]\n",
        f"name = {toml_string(name)}\n",
        f"version = {toml_string(project['version'])}\n",
        'source = { editable = "." }\n',
    ]
    if dependencies:
        lines.append(array("dependencies", [edge(r) for r in dependencies]))
    if extras:
        lines.append("\n[package.optional-dependencies]\n")
        lines += [array(extra, [edge(r) for r in extras[extra]]) for extra in sorted(extras)]
    if groups:
        lines.append("\n[package.dev-dependencies]\n")
        lines += [array(group, [edge(r) for r in groups[group]]) for group in sorted(groups)]

    requires_dist = [dict(r) for r in dependencies]
    for extra, requirements in extras.items():
        for requirement in requirements:
            marker = f"extra == '{extra}'"
            requires_dist.append({**requirement, "marker": marker})
    requires_dist.sort(key=_by_name)
    order = ("name", "extras", "marker", "specifier")
    lines.append("\n[package.metadata]\n")
    lines.append(array("requires-dist", [inline(r, order) for r in requires_dist]))
    if extras:
        lines.append(f"provides-extras = [{', '.join(toml_string(e) for e in sorted(extras))}]\n")
    if groups:
        lines.append("\n[package.metadata.requires-dev]\n")
        for group in sorted(groups):
            lines.append(array(group, [inline(r, order) for r in groups[group]], inline_single=True))
    return "".join(lines) + "\n"


def _by_name(requirement: Mapping[str, Any]) -> tuple[str, str]:
    return requirement["name"], requirement.get("marker") or ""


# -- cutting a superset lock down to one bake ---------------------------------------------------


def cut(superset_text: str, pyproject: Mapping[str, Any]) -> str:
    """The lock of a bake: the superset's packages that its requirements reach, and its project."""
    header, blocks = split_blocks(superset_text)
    parsed = [tomllib.loads(block)["package"][0] for block in blocks]
    by_name: dict[str, list[int]] = {}
    for index, package in enumerate(parsed):
        if not is_project(package):
            by_name.setdefault(normalize(package["name"]), []).append(index)

    project = tomllib.loads(project_block(pyproject))["package"][0]
    roots = edges(project.get("dependencies", []))
    for entries in [
        *project.get("optional-dependencies", {}).values(),
        *project.get("dev-dependencies", {}).values(),
    ]:
        roots += edges(entries)
    own_name = normalize(pyproject["project"]["name"])

    reached_extras: dict[int, set[str]] = {}
    pending = [(name, extras) for name, extras in roots if name != own_name]
    while pending:
        name, extras = pending.pop()
        if name not in by_name:
            raise LockError(f"{name} is not in the template's lock: run `python -m bpc.locks refresh`")
        for index in by_name[name]:
            seen = reached_extras.get(index)
            new_extras = set(extras) - (seen or set())
            if seen is not None and not new_extras:
                continue
            reached_extras.setdefault(index, set()).update(extras)
            package = parsed[index]
            if seen is None:
                pending += edges(package.get("dependencies", []))
            for extra in extras if seen is None else new_extras:
                pending += edges(package.get("optional-dependencies", {}).get(extra, []))

    for requirement in [parse_requirement(r) for r in pyproject["project"].get("dependencies", [])]:
        versions = {parsed[i]["version"] for i in by_name.get(requirement["name"], [])}
        pinned = requirement["specifier"].removeprefix("==")
        if requirement["specifier"].startswith("==") and pinned not in versions:
            raise LockError(
                f"{requirement['name']}{requirement['specifier']} is not the version in the template's lock "
                f"({', '.join(sorted(versions))}): run `python -m bpc.locks refresh`"
            )

    out = [header]
    own_block = project_block(pyproject)
    placed = False
    for index, block in enumerate(blocks):
        package = parsed[index]
        if is_project(package):
            continue
        name = normalize(package["name"])
        if not placed and name > normalize(pyproject["project"]["name"]):
            out.append(own_block)
            placed = True
        if index in reached_extras:
            out.append(
                drop_extras(block, set(package.get("optional-dependencies", {})) - reached_extras[index])
            )
    if not placed:
        out.append(own_block)
    text = "".join(out)
    return text.rstrip("\n") + "\n"


def drop_extras(block: str, unused: set[str]) -> str:
    """The block without the `[package.optional-dependencies]` arrays of unused extras."""
    if not unused:
        return block
    kept_lines = []
    skipping = False
    for line in block.splitlines(keepends=True):
        name = line.split(" = [", 1)[0]
        if not skipping and name in unused and line.rstrip().endswith("["):
            skipping = True
            continue
        if skipping:
            if line.rstrip() == "]":
                skipping = False
            continue
        kept_lines.append(line)
    text = "".join(kept_lines)
    # A table left with no extras goes too.
    return re.sub(r"\n\[package\.optional-dependencies\]\n(?=\n|$|\[)", "\n", text)


# -- bake time and refresh ----------------------------------------------------------------------


def superset_lock(lock_key: str) -> Path:
    return LOCKS_DIR / f"{lock_key}.lock"


def write(root: Path, answers: Mapping[str, Any]) -> Path | None:
    """Write root/uv.lock for the bake at root (post-generation)."""
    source = superset_lock(key(answers))
    if not source.is_file():
        if os.environ.get(REFRESHING):
            return None
        raise LockError(f"the template has no lock {source.name}: run `python -m bpc.locks refresh`")
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    try:
        text = cut(source.read_text(encoding="utf-8"), pyproject)
    except LockError:
        if os.environ.get(REFRESHING):
            return None
        raise
    target = root / "uv.lock"
    target.write_text(text, encoding="utf-8")
    return target


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        raise SystemExit("uv is not installed: install the template's dev group (uv sync) first")
    return found


def refresh(lock_keys: Iterable[str], upgrade: bool = False) -> None:
    from cookiecutter.main import cookiecutter

    os.environ[REFRESHING] = "1"
    LOCKS_DIR.mkdir(exist_ok=True)
    for lock_key in lock_keys:
        with tempfile.TemporaryDirectory(prefix="bpc-lock-") as folder:
            context = {
                **SUPERSETS[lock_key],
                "project_name": "Django BPC superset",
                "project_slug": "superset",
            }
            project = Path(
                cookiecutter(str(TEMPLATE_ROOT), no_input=True, extra_context=context, output_dir=folder)
            )
            previous = superset_lock(lock_key)
            if previous.is_file():
                shutil.copy(previous, project / "uv.lock")
            command = [uv(), "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
            subprocess.run(command, cwd=project, check=True)
            shutil.copy(project / "uv.lock", previous)
            print(f"wrote {previous.relative_to(TEMPLATE_ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser("refresh", help="re-resolve the superset locks with uv")
    refresh_parser.add_argument("keys", nargs="*", default=list(SUPERSETS), help="lock keys (default: all)")
    refresh_parser.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    arguments = parser.parse_args(argv)
    refresh(arguments.keys, upgrade=arguments.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
