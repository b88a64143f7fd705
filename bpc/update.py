"""Update a generated project to a newer version of this template, as a three-way merge.

    python -m bpc.update path/to/project [--to REF] [--from COMMIT] [--set ANSWER=VALUE ...]

Run it from a git checkout of the template. It bakes the template twice with the project's
answers: at the commit the project was baked from (the base) and at REF (HEAD by default), puts
the project's own secrets into both bakes, and has git apply the change from the first to the
second onto the project, as `git cherry-pick --no-commit` does. Conflicts end as git's conflict
markers, never as `.rej` files; files that git does not track in the project are never written.
The result is staged, not committed: review it, run the tests, commit. docs/updating.md says why
this is not `cruft update`.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpc.bake import ANSWERS_FILE
from bpc.manifest import TEMPLATE_ROOT
from bpc.rebake import changed_answers
from bpc.secrets import PLACEHOLDER

# The template's commits that stand for the two bakes live only in the project's object store,
# unreachable; they carry the template's name, the user's own commit carries theirs.
TEMPLATE_IDENTITY = {
    "GIT_AUTHOR_NAME": "django-bpc",
    "GIT_AUTHOR_EMAIL": "django-bpc@localhost",
    "GIT_COMMITTER_NAME": "django-bpc",
    "GIT_COMMITTER_EMAIL": "django-bpc@localhost",
}

# Run in a template version's own folder, so that its hooks and its `bpc` are the ones that bake.
# Beside the bake it renders the files that hold `<secret:name>` placeholders as they were before
# the post-generation hook filled them in, which tells which value in the bake is which secret.
RENDER = """
import json, sys
from pathlib import Path
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
request = json.load(sys.stdin)
baked = cookiecutter(".", no_input=True, extra_context=request["answers"],
                     output_dir=request["output"], default_config=True)
context = generate_context("cookiecutter.json", extra_context=request["answers"])
context = {"cookiecutter": prompt_for_config(context, no_input=True)}
environment = StrictEnvironment(context=context, keep_trailing_newline=True)
source = next(Path(".").glob("{{*}}"))
placeholders = {}
for path in sorted(source.rglob("*")):
    if path.is_file() and not path.is_symlink():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "<secret:" in text:
            relative = environment.from_string(path.relative_to(source).as_posix()).render(**context)
            placeholders[relative] = environment.from_string(text).render(**context).splitlines()
print("\\nBAKED " + json.dumps({"baked": baked, "placeholders": placeholders}))
"""
DERIVE = """
import json, sys
from pathlib import Path
from bpc.rebake import saved_answers
print(json.dumps(saved_answers(Path(sys.argv[1]))))
"""


@dataclass
class Outcome:
    conflicts: list[str] = field(default_factory=list)
    # Paths of the bake that exist here as files git does not track: never written.
    left_alone: list[str] = field(default_factory=list)
    # Files the bake has and git ignores (production env files) that did not exist here.
    created: list[str] = field(default_factory=list)
    # The template's change to files git ignores here, as a diff to apply by hand.
    ignored_changes: dict[str, str] = field(default_factory=dict)


class UpdateError(SystemExit):
    """A refusal or failure, said in one line; nothing in the project has been changed."""


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and completed.returncode != 0:
        raise UpdateError(f"git {' '.join(args)} failed in {cwd}: {completed.stderr.strip()}")
    return completed.stdout


def read_record(project: Path) -> dict[str, Any]:
    answers_file = project / ANSWERS_FILE
    if not answers_file.is_file():
        raise UpdateError(f"{answers_file} not found: is {project} a project baked from django-bpc?")
    return json.loads(answers_file.read_text(encoding="utf-8"))


def require_clean_repository(project: Path) -> None:
    toplevel = git("rev-parse", "--show-toplevel", cwd=project, check=False).strip()
    if not toplevel or Path(toplevel).resolve() != project.resolve():
        raise UpdateError(f"{project} is not the top of a git repository: commit the project to git first")
    if not git("rev-parse", "--verify", "--quiet", "HEAD", cwd=project, check=False).strip():
        raise UpdateError(f"{project} has no commit yet: commit the bake first")
    changes = git("status", "--porcelain", "--untracked-files=no", cwd=project)
    if changes.strip():
        raise UpdateError(f"{project} has uncommitted changes to tracked files: commit or stash them first")


def resolve_commit(ref: str, what: str) -> str:
    commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=TEMPLATE_ROOT, check=False)
    if not commit.strip():
        raise UpdateError(
            f"{what} {ref!r} is not a commit of the template checkout {TEMPLATE_ROOT} "
            "(git fetch there, or check the name)"
        )
    return commit.strip()


def export(commit: str, destination: Path) -> Path:
    """The template's files at a commit, as a folder (its history is not needed to bake)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=TEMPLATE_ROOT, capture_output=True, check=True
    ).stdout
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def python_in(template: Path, code: str, *args: str, stdin: str = "") -> str:
    return finished(template, start_python(template, code, *args, stdin=stdin))


def start_python(template: Path, code: str, *args: str, stdin: str = "") -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=template,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, stdin


def finished(template: Path, started: tuple[subprocess.Popen[str], str]) -> str:
    process, stdin = started
    stdout, stderr = process.communicate(stdin)
    if process.returncode != 0:
        lines = (stderr or stdout).strip().splitlines()
        raise UpdateError(f"baking the template in {template} failed: {lines[-1] if lines else 'no output'}")
    return stdout


class Bake:
    """A bake of one template version, and its placeholder lines (see RENDER)."""

    def __init__(self, printed: str) -> None:
        request = json.loads(printed.rsplit("\nBAKED ", 1)[1])
        self.path = Path(request["baked"])
        self.placeholders: dict[str, list[str]] = request["placeholders"]


def start_bake(template: Path, answers: Mapping[str, Any], output: Path) -> tuple[subprocess.Popen[str], str]:
    return start_python(template, RENDER, stdin=json.dumps({"answers": dict(answers), "output": str(output)}))


def render(template: Path, answers: Mapping[str, Any], output: Path) -> Bake:
    return Bake(finished(template, start_bake(template, answers, output)))


def line_pattern(line: str) -> re.Pattern[str]:
    """A line of an env file with its `<secret:name>` placeholders turned into named groups."""
    parts, seen, position = [], set(), 0
    for match in PLACEHOLDER.finditer(line):
        parts.append(re.escape(line[position : match.start()]))
        name = match["name"]
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>[A-Za-z0-9]+)")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(line[position:]))
    return re.compile("".join(parts))


def values_in(lines_by_file: Mapping[str, list[str]], root: Path, *, aligned: bool) -> dict[str, str]:
    """The secret values that fill the placeholders in root's copies of these files.

    A bake's files are the unhooked render's line for line (`aligned`: the same line is tried
    first); a project's may have been edited, so each placeholder line is looked for anywhere.
    """
    values: dict[str, str] = {}
    for relative, raw_lines in lines_by_file.items():
        path = root / relative
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, raw_line in enumerate(raw_lines):
            if not PLACEHOLDER.search(raw_line):
                continue
            pattern = line_pattern(raw_line)
            candidates = [*lines[index : index + 1], *lines] if aligned else lines
            for line in candidates:
                match = pattern.fullmatch(line)
                if match:
                    for name, value in match.groupdict().items():
                        values.setdefault(name, value)
                    break
    return values


def replace_values(
    root: Path, files: Iterable[str], own: Mapping[str, str], wanted: Mapping[str, str]
) -> None:
    for relative in files:
        path = root / relative
        if not path.is_file():
            continue
        text = original = path.read_text(encoding="utf-8")
        for name, value in own.items():
            if name in wanted and wanted[name] != value:
                text = text.replace(value, wanted[name])
        if text != original:
            path.write_text(text, encoding="utf-8")


class BakeIndex:
    """A bake staged in an index of its own against the project's object store, as `git add -A`
    in a fresh clone of it would stage it (the bake's .gitignore applies)."""

    def __init__(self, project: Path, directory: Path, index: Path) -> None:
        self.directory = directory
        self.env = {
            "GIT_DIR": str(project / ".git"),
            "GIT_WORK_TREE": str(directory),
            "GIT_INDEX_FILE": str(index),
        }
        git("add", "--all", ".", cwd=directory, env=self.env)
        self.paths = [path for path in git("ls-files", "-z", cwd=directory, env=self.env).split("\0") if path]

    def tree(self, keep_out: set[str]) -> str:
        chosen = sorted(set(self.paths) & keep_out)
        for start in range(0, len(chosen), 200):
            git(
                "rm",
                "--cached",
                "--quiet",
                "--",
                *chosen[start : start + 200],
                cwd=self.directory,
                env=self.env,
            )
        return git("write-tree", cwd=self.directory, env=self.env).strip()

    def ignored(self) -> list[str]:
        listed = git(
            "ls-files", "-z", "--others", "--ignored", "--exclude-standard", cwd=self.directory, env=self.env
        )
        return sorted(path for path in listed.split("\0") if path)


def bring_ignored_files(
    project: Path, base_bake: Path, new_bake: Path, paths: Iterable[str], outcome: Outcome
) -> None:
    """Files the bake's .gitignore hides never go through git: a missing one is created (what a
    bake would do), an existing one is never written; the template's change to it is shown."""
    for path in paths:
        target, new_file, base_file = project / path, new_bake / path, base_bake / path
        if not_ours_to_write(project, [path], set()):
            if not target.is_file() or target.is_symlink():
                continue
            old = base_file.read_text(encoding="utf-8") if base_file.is_file() else ""
            new = new_file.read_text(encoding="utf-8")
            if old != new and target.read_text(encoding="utf-8") != new:
                diff = difflib.unified_diff(
                    old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
                )
                outcome.ignored_changes[path] = "".join(diff)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(new_file, target)
            outcome.created.append(path)


def not_ours_to_write(project: Path, paths: Iterable[str], tracked: set[str]) -> set[str]:
    """The bake's paths that exist in the project as untracked or ignored files (or under one)."""
    untouchable = set()
    for path in paths:
        if path in tracked:
            continue
        parts = Path(path).parts
        prefixes = [Path(project, *parts[: i + 1]) for i in range(len(parts))]
        if any(p.is_symlink() or (p.exists() and not p.is_dir()) for p in prefixes[:-1]) or (
            prefixes[-1].is_symlink() or prefixes[-1].exists()
        ):
            untouchable.add(path)
    return untouchable


def update(
    project: Path,
    *,
    to: str = "HEAD",
    base: str | None = None,
    assignments: list[str] | None = None,
) -> Outcome:
    """Apply the template's change from the project's commit to `to` onto the project."""
    project = project.resolve()
    record = read_record(project)
    require_clean_repository(project)
    changes = changed_answers(assignments or [])
    base_ref = base or record.get("commit")
    if not base_ref:
        raise UpdateError(
            f"{project / ANSWERS_FILE} records no template commit (baked before django-bpc recorded "
            "one): pass --from COMMIT, the template commit the project was baked from"
        )
    base_commit = resolve_commit(base_ref, "the project's template commit")
    new_commit = resolve_commit(to, "--to")
    if base_commit == new_commit and not changes:
        print(f"already at django-bpc {new_commit[:12]}: nothing to do")
        return Outcome()

    with tempfile.TemporaryDirectory(prefix="django-bpc-update-") as scratch_name:
        scratch = Path(scratch_name)
        base_template = export(base_commit, scratch / "template-base")
        new_template = export(new_commit, scratch / "template-new")
        answers = json.loads(python_in(base_template, DERIVE, str(project)))
        new_answers = {**answers, **changes}

        # The two versions bake side by side: most of the time goes there.
        started = [
            start_bake(base_template, answers, scratch / "base"),
            start_bake(new_template, new_answers, scratch / "new"),
        ]
        base, new = (
            Bake(finished(template, run))
            for template, run in zip((base_template, new_template), started, strict=True)
        )
        base_bake, new_bake, base_raw, new_raw = base.path, new.path, base.placeholders, new.placeholders

        # Every bake draws fresh secrets: both bakes get the project's, so that git sees no change
        # on those lines. A secret the project lacks keeps one value across both bakes.
        project_values = values_in(base_raw, project, aligned=False) | values_in(
            new_raw, project, aligned=False
        )
        base_values = values_in(base_raw, base_bake, aligned=True)
        new_values = values_in(new_raw, new_bake, aligned=True)
        wanted = {**new_values, **base_values, **project_values}
        replace_values(base_bake, base_raw, base_values, wanted)
        replace_values(new_bake, new_raw, new_values, wanted)

        # The record keeps where the project's template comes from, and learns the new commit.
        (base_bake / ANSWERS_FILE).write_text(
            git("show", f"HEAD:{ANSWERS_FILE}", cwd=project), encoding="utf-8"
        )
        new_record = json.loads((new_bake / ANSWERS_FILE).read_text(encoding="utf-8"))
        new_record.update(template=record.get("template", ""), commit=new_commit)
        (new_bake / ANSWERS_FILE).write_text(json.dumps(new_record, indent=2) + "\n", encoding="utf-8")

        tracked = set(git("ls-tree", "-r", "-z", "--name-only", "HEAD", cwd=project).split("\0")) - {""}
        base_index = BakeIndex(project, base_bake, scratch / "index-base")
        new_index = BakeIndex(project, new_bake, scratch / "index-new")
        left_alone = not_ours_to_write(project, [*base_index.paths, *new_index.paths], tracked)
        base_tree = base_index.tree(left_alone)
        new_tree = new_index.tree(left_alone)

        message = f"Update from django-bpc {base_commit[:12]} to {new_commit[:12]}"
        if changes:
            message += "\n\nChanged answers: " + ", ".join(assignments or [])
        base_side = git(
            "commit-tree",
            base_tree,
            "-m",
            f"django-bpc {base_commit[:12]}",
            cwd=project,
            env=TEMPLATE_IDENTITY,
        ).strip()
        new_side = git(
            "commit-tree", new_tree, "-p", base_side, "-m", message, cwd=project, env=TEMPLATE_IDENTITY
        ).strip()
        picked = subprocess.run(
            ["git", "cherry-pick", "--no-commit", new_side],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        conflicts = git("diff", "--name-only", "--diff-filter=U", "-z", cwd=project).split("\0")
        conflicts = [path for path in conflicts if path]
        if picked.returncode != 0 and not conflicts:
            raise UpdateError(f"git could not apply the update: {(picked.stderr or picked.stdout).strip()}")
        outcome = Outcome(conflicts=conflicts, left_alone=sorted(left_alone))
        bring_ignored_files(project, base_bake, new_bake, new_index.ignored(), outcome)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project baked from this template, committed to git")
    parser.add_argument("--to", default="HEAD", help="the template version to update to (default: HEAD)")
    parser.add_argument(
        "--from",
        dest="base",
        metavar="COMMIT",
        help="the template commit the project was baked from, if its record names none",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ANSWER=VALUE",
        help="change an answer, e.g. use_celery=false or use_elasticsearch=true",
    )
    arguments = parser.parse_args(argv)
    outcome = update(arguments.project, to=arguments.to, base=arguments.base, assignments=arguments.set)
    for path in outcome.left_alone:
        print(f"left alone (not tracked by git here, compare by hand): {path}")
    for path in outcome.created:
        print(f"created (git ignores it, so it is not staged): {path}")
    for path, diff in outcome.ignored_changes.items():
        print(f"the template changed {path}, which git ignores here; apply this by hand:\n{diff}")
    conflicts = outcome.conflicts
    if conflicts:
        print(
            "conflicts: you and the template changed the same lines of:\n"
            + "".join(f"  {path}\n" for path in conflicts)
            + "resolve the <<<<<<< ======= >>>>>>> blocks, `git add` those files, then `git commit` "
            "(or undo the whole update with `git reset --merge`)",
            file=sys.stderr,
        )
        return 1
    print(
        "updated: the template's changes are staged; review them (git diff --staged), run "
        "make lint test, then git commit (or undo with git reset --merge)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
