"""A generated project updates to a newer template as a three-way merge that keeps the user's work.

Each test makes a throwaway clone of this template whose last commit is the working tree as it is
now, bakes a project from one of the clone's commits, commits it to git as a user would (on a
branch not called main), edits it, then runs `python -m bpc.update` from the clone, as
docs/updating.md says. The project also holds what git must never see touched: an SQLite
database, a virtualenv, node_modules, built docs and the production env files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bpc import manifest
from bpc.bake import ANSWERS_FILE
from bpc.combinations import NAMED
from bpc.rebake import saved_answers
from bpc.update import render
from tests.support import install, run

TEMPLATE = manifest.TEMPLATE_ROOT
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "user@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "user@example.com",
}
# A template commit from before bakes recorded their template commit: projects baked then update
# with --from.
RELEASE_WITHOUT_COMMIT_RECORD = "a4dfee8"
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)
SECRET_VALUE = re.compile(r"\b[A-Za-z0-9]{50}\b")


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], cwd=repo, env=IDENTITY).stdout


def template_clone(tmp_path: Path) -> Path:
    """A clone of this repository with its history, plus one commit holding the working tree."""
    clone = tmp_path / "django-bpc"
    run(["git", "clone", "--quiet", "--no-checkout", str(TEMPLATE), str(clone)], cwd=tmp_path)
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=TEMPLATE)
    for relative in filter(None, listed.stdout.split("\0")):
        source = TEMPLATE / relative
        if source.is_file() and not source.is_symlink():
            target = clone / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    # --force: the generated project's .gitignore hides its production env files from git here too.
    git(clone, "add", "--all", "--force")
    git(clone, "commit", "--quiet", "--allow-empty", "-m", "The working tree under test")
    return clone


def export(clone: Path, commit: str, destination: Path) -> Path:
    destination.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=clone, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)
    return destination


def users_project(template: Path, tmp_path: Path, answers: dict) -> Path:
    """A bake committed to git on the branch `trunk`, with the files a working project has beside."""
    project = render(template, {"project_name": "Shop", **answers}, tmp_path / "projects").path
    git(project, "init", "--quiet", "--initial-branch", "trunk")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Bake Shop")
    (project / "db.sqlite3").write_bytes(b"SQLite format 3\x00 the user's data")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").write_text("#!/bin/sh\n", encoding="utf-8")
    (project / "frontend" / "node_modules" / "vue").mkdir(parents=True)
    (project / "frontend" / "node_modules" / "vue" / "index.js").write_text("// vue\n", encoding="utf-8")
    (project / "docs" / "_build" / "html").mkdir(parents=True)
    (project / "docs" / "_build" / "html" / "index.html").write_text("<html></html>\n", encoding="utf-8")
    return project


def untracked_state(project: Path) -> dict[str, bytes]:
    """Every file git does not track in the project (ignored or not), with its bytes."""
    listed = git(project, "ls-files", "-z", "--others")
    ignored = git(project, "ls-files", "-z", "--others", "--ignored", "--exclude-standard")
    paths = set(filter(None, listed.split("\0"))) | set(filter(None, ignored.split("\0")))
    return {path: (project / path).read_bytes() for path in sorted(paths)}


def secret_values(project: Path) -> set[str]:
    return {
        value
        for path in (project / ".envs").rglob("*")
        if path.is_file()
        for value in SECRET_VALUE.findall(path.read_text(encoding="utf-8"))
    }


def update(template: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpc.update", str(project), *args],
        cwd=template,
        env={**os.environ, **IDENTITY},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_no_leftovers(project: Path) -> None:
    rejects = sorted(str(p.relative_to(project)) for p in project.rglob("*.rej"))
    originals = sorted(str(p.relative_to(project)) for p in project.rglob("*.orig"))
    assert rejects == [] and originals == [], (rejects, originals)


def assert_no_conflict_markers(project: Path) -> None:
    marked = [
        path
        for path in filter(None, git(project, "ls-files", "-z").split("\0"))
        if (project / path).is_file() and CONFLICT_MARKER.search((project / path).read_text(errors="replace"))
    ]
    assert marked == []


def staged(project: Path) -> dict[str, str]:
    lines = git(project, "status", "--porcelain", "--untracked-files=no").splitlines()
    return {line[3:]: line[:2] for line in lines}


# The template change each test makes: a Makefile line near the top, and a variable right below a
# secret of a tracked env file (git would see a conflict there if the bakes had fresh secrets).
MAKEFILE = "{{cookiecutter.project_slug}}/Makefile"
POSTGRES_ENV = "{{cookiecutter.project_slug}}/.envs/.local/.postgres"
TEMPLATE_MAKEFILE_LINE = "# The template's change: a line the update must bring."
NEW_VARIABLE = "POSTGRES_INITDB_ARGS=--data-checksums"


def change_the_template(template: Path) -> str:
    makefile = template / MAKEFILE
    first, rest = makefile.read_text(encoding="utf-8").split("\n", 1)
    makefile.write_text(f"{first}\n{TEMPLATE_MAKEFILE_LINE}\n{rest}", encoding="utf-8")
    edit(
        template / POSTGRES_ENV,
        "<secret:postgres_local_password>\n",
        f"<secret:postgres_local_password>\n{NEW_VARIABLE}\n",
    )
    git(template, "commit", "--quiet", "--all", "-m", "A template change")
    return git(template, "rev-parse", "HEAD").strip()


def test_update_brings_the_template_change_and_keeps_the_users_work(tmp_path):
    template = template_clone(tmp_path)
    project = users_project(template, tmp_path, {})
    record_before = json.loads((project / ANSWERS_FILE).read_text())
    secrets_before = secret_values(project)
    postgres_before = (project / ".envs" / ".local" / ".postgres").read_text().splitlines()
    edit(project / "README.md", "## Quick start\n", "## Quick start\n\nOur team starts here.\n")
    git(project, "commit", "--quiet", "--all", "-m", "Our notes")
    untracked_before = untracked_state(project)
    assert {"db.sqlite3", ".venv/bin/python", "frontend/node_modules/vue/index.js"} <= set(untracked_before)
    assert ".envs/.production/.django" in untracked_before
    new_commit = change_the_template(template)

    result = update(template, project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "updated" in result.stdout
    assert TEMPLATE_MAKEFILE_LINE in (project / "Makefile").read_text()
    postgres_after = (project / ".envs" / ".local" / ".postgres").read_text().splitlines()
    assert NEW_VARIABLE in postgres_after
    assert [line for line in postgres_after if line != NEW_VARIABLE] == postgres_before
    assert "Our team starts here." in (project / "README.md").read_text()
    assert secret_values(project) == secrets_before
    assert_no_leftovers(project)
    assert_no_conflict_markers(project)
    # Only what the template changed is staged; nothing untracked or ignored was written.
    assert staged(project) == {"Makefile": "M ", ".envs/.local/.postgres": "M ", ANSWERS_FILE: "M "}
    assert untracked_state(project) == untracked_before
    record_after = json.loads((project / ANSWERS_FILE).read_text())
    assert record_after == {**record_before, "commit": new_commit}
    assert record_after["template"] == str(template)
    assert git(project, "branch", "--show-current").strip() == "trunk"


def test_lines_both_sides_changed_end_in_git_conflict_markers(tmp_path):
    template = template_clone(tmp_path)
    project = users_project(template, tmp_path, NAMED["minimal"])
    makefile = project / "Makefile"
    first, rest = makefile.read_text().split("\n", 1)
    makefile.write_text(f"{first}\n# Our own line, where the template puts its own.\n{rest}")
    git(project, "commit", "--quiet", "--all", "-m", "Our Makefile comment")
    change_the_template(template)

    result = update(template, project)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflicts" in result.stderr and "  Makefile\n" in result.stderr
    assert "git reset --merge" in result.stderr
    text = makefile.read_text()
    assert re.search(
        r"^<<<<<<< HEAD\n# Our own line, where the template puts its own\.\n=======\n"
        + re.escape(TEMPLATE_MAKEFILE_LINE)
        + r"\n>>>>>>> [0-9a-f]+ \(Update from django-bpc ",
        text,
        re.MULTILINE,
    ), text[:600]
    assert_no_leftovers(project)
    assert staged(project)["Makefile"] == "UU"
    assert staged(project)[".envs/.local/.postgres"] == "M "


def test_set_turns_celery_off_and_removes_its_files(tmp_path):
    template = template_clone(tmp_path)
    project = users_project(template, tmp_path, {})
    assert (project / "config" / "celery_app.py").is_file()
    secrets_before = secret_values(project)

    result = update(template, project, "--set", "use_celery=false")

    assert result.returncode == 0, result.stdout + result.stderr
    celery_only = manifest.expectation({**saved_answers(project), "use_celery": False}).absent["paths"]
    assert "config/celery_app.py" in celery_only
    left = sorted(path for path in celery_only if (project / path).exists())
    # The production env files are git-ignored: the update leaves them, as it leaves all such files.
    assert left == [".envs/.production/.rabbitmq"]
    assert "celery" not in json.loads((project / ANSWERS_FILE).read_text())["features"]
    assert "celery" not in (project / "pyproject.toml").read_text()
    # The RabbitMQ password went with RabbitMQ; every other secret stayed.
    assert secret_values(project) <= secrets_before
    assert_no_leftovers(project)
    assert_no_conflict_markers(project)


def test_set_adds_a_service_with_the_projects_own_secrets(tmp_path):
    template = template_clone(tmp_path)
    project = users_project(template, tmp_path, NAMED["minimal"])
    assert not (project / "compose" / "elasticsearch").exists()
    postgres_password = re.search(
        r"^POSTGRES_PASSWORD=(\w+)$", (project / ".envs" / ".local" / ".postgres").read_text(), re.MULTILINE
    )[1]

    production_django = (project / ".envs" / ".production" / ".django").read_bytes()
    sets = ["use_elasticsearch=true", "use_sentry=true", "use_celery=true"]

    result = update(template, project, *(f"--set={answer}" for answer in sets))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "compose" / "elasticsearch").is_dir()
    features = set(json.loads((project / ANSWERS_FILE).read_text())["features"])
    assert {"elasticsearch", "sentry", "celery", "rabbitmq"} <= features
    # Git ignores the production env files: RabbitMQ's is created, as a bake would; the existing
    # one of Django is not written, the template's change to it is shown to apply by hand.
    assert "created (git ignores it, so it is not staged): .envs/.production/.rabbitmq" in result.stdout
    rabbitmq_password = re.search(
        r"^RABBITMQ_DEFAULT_PASS=(\w+)$", (project / ".envs/.production/.rabbitmq").read_text(), re.MULTILINE
    )[1]
    assert (project / ".envs" / ".production" / ".django").read_bytes() == production_django
    assert "the template changed .envs/.production/.django, which git ignores here" in result.stdout
    assert re.search(
        rf"^\+CELERY_BROKER_URL=amqp://shop:{rabbitmq_password}@rabbitmq", result.stdout, re.MULTILINE
    )
    assert staged(project)["compose.yml"] == "M "
    # GlitchTip's new env file reaches the project's existing PostgreSQL with its existing password.
    glitchtip = (project / ".envs" / ".local" / ".glitchtip").read_text()
    assert f":{postgres_password}@postgres:5432/glitchtip" in glitchtip
    assert_no_leftovers(project)
    assert_no_conflict_markers(project)


def test_update_refuses_uncommitted_changes_and_leaves_them(tmp_path):
    template = template_clone(tmp_path)
    project = users_project(template, tmp_path, NAMED["minimal"])
    (project / "README.md").write_text("work in progress\n")

    result = update(template, project)

    assert result.returncode != 0
    assert "uncommitted changes" in result.stderr
    assert (project / "README.md").read_text() == "work in progress\n"


def updated_from_a_release(tmp_path: Path, answers: dict) -> tuple[Path, Path]:
    """A project baked by an older commit of this repository, edited, then updated to the working
    tree; returns the project and a fresh bake of the working tree with the same answers."""
    template = template_clone(tmp_path)
    old = export(template, RELEASE_WITHOUT_COMMIT_RECORD, tmp_path / "release")
    project = users_project(old, tmp_path, answers)
    assert "commit" not in json.loads((project / ANSWERS_FILE).read_text())
    edit(project / "manage.py", "import sys\n", "import sys\n\n# Our comment, kept across updates.\n")
    (project / "NOTES.md").write_text("# Our notes\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Our changes")
    secrets_before = secret_values(project)
    untracked_before = untracked_state(project)

    refused = update(template, project)
    assert refused.returncode != 0 and "--from" in refused.stderr

    result = update(template, project, "--from", RELEASE_WITHOUT_COMMIT_RECORD)

    assert result.returncode == 0, result.stdout + result.stderr
    assert_no_leftovers(project)
    assert_no_conflict_markers(project)
    assert "# Our comment, kept across updates." in (project / "manage.py").read_text()
    assert (project / "NOTES.md").read_text() == "# Our notes\n"
    assert secrets_before <= secret_values(project)
    untracked_after = untracked_state(project)
    assert {path: untracked_after.get(path) for path in untracked_before} == untracked_before
    created = set(
        re.findall(r"^created \(git ignores it, so it is not staged\): (.+)$", result.stdout, re.MULTILINE)
    )
    assert set(untracked_after) - set(untracked_before) == created
    fresh = render(template, {"project_name": "Shop", **answers}, tmp_path / "fresh").path
    return project, fresh


def test_a_project_from_an_older_release_becomes_what_the_template_bakes_now(tmp_path):
    project, fresh = updated_from_a_release(tmp_path, {})
    tracked = set(filter(None, git(project, "ls-files", "-z").split("\0")))
    fresh_files = {
        str(p.relative_to(fresh))
        for p in fresh.rglob("*")
        if p.is_file() and not p.is_relative_to(fresh / ".envs")
    }
    ignored_here = set(
        filter(
            None, git(project, "ls-files", "-z", "--others", "--ignored", "--exclude-standard").split("\0")
        )
    )
    users = {"manage.py", "NOTES.md", ANSWERS_FILE}
    assert (
        tracked - users - {p for p in tracked if p.startswith(".envs/")} == fresh_files - users - ignored_here
    )
    different = [
        path
        for path in sorted(fresh_files - users - ignored_here)
        if (project / path).read_bytes() != (fresh / path).read_bytes()
    ]
    assert different == []
    record = json.loads((project / ANSWERS_FILE).read_text())
    assert record["commit"] == git(project.parent.parent / "django-bpc", "rev-parse", "HEAD").strip()


@pytest.mark.services
def test_an_updated_project_passes_its_own_lint_and_tests(tmp_path):
    project, _ = updated_from_a_release(tmp_path, NAMED["minimal"])
    git(project, "commit", "--quiet", "-m", "Update from django-bpc")
    shutil.rmtree(project / ".venv")  # the stand-in of the static tier; install makes a real one
    python = install(project)
    bin_dir = python.parent
    run([str(bin_dir / "ruff"), "check", "."], cwd=project)
    run([str(bin_dir / "ruff"), "format", "--check", "."], cwd=project)
    result = run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "VIRTUAL_ENV": "", "PYTEST_ADDOPTS": ""},
        timeout=900,
    )
    assert re.search(r"\d+ passed", result.stdout), result.stdout[-2000:]
