"""What the post-generation hook does to a freshly rendered project, as plain testable functions."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bpc import combinations, locks, manifest, secrets

ANSWERS_FILE = ".django-bpc.json"


def prune(root: Path, answers: Mapping[str, Any]) -> list[str]:
    """Remove what only unchosen features own, then every folder left empty."""
    removed = []
    for relative in manifest.paths_to_prune(answers):
        path = root / relative
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(relative)
    remove_empty_folders(root)
    return removed


def remove_empty_folders(root: Path) -> None:
    # Deepest first, so that a folder holding only empty folders goes too.
    folders = sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for folder in folders:
        if not any(folder.iterdir()):
            folder.rmdir()


def save_answers(root: Path, answers: Mapping[str, Any]) -> None:
    """Keep what the project was baked with, so that it can be re-baked or updated later.

    The service options are recorded as the features they turned on (bpc.rebake derives the
    answers back), so that a declined service leaves not even its name in the project.
    """
    service_options = set(combinations.SERVICE_OPTIONS)
    record = {
        "template": template_source(str(answers.get("_template", ""))),
        "commit": template_commit(),
        "answers": {
            key: value
            for key, value in answers.items()
            if not key.startswith("_") and key not in service_options
        },
        "features": sorted(manifest.enabled(answers)),
    }
    (root / ANSWERS_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def template_source(given: str) -> str:
    """Where the template came from: a repository address as given, a local checkout as an
    absolute path (the hook runs inside the new project, where a relative one means nothing)."""
    if "://" in given or given.startswith(("gh:", "gl:", "bb:", "git@", "git+")):
        return given
    return str(manifest.TEMPLATE_ROOT)


def template_commit() -> str | None:
    """The template's git commit, so that bpc.update can bake this version again as its base."""
    root = manifest.TEMPLATE_ROOT

    def git(*args: str) -> str:
        completed = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return completed.stdout.strip() if completed.returncode == 0 else ""

    # An unpacked archive inside some other repository must not record that repository's commit.
    toplevel = git("rev-parse", "--show-toplevel")
    if not toplevel or Path(toplevel).resolve() != root:
        return None
    return git("rev-parse", "HEAD") or None


def shown_path(project: Path, cwd: Path | None = None) -> str:
    """The project's folder as the user should type it: relative to `cwd` when under it, else absolute.

    The hook runs inside the new project, so the user's working folder comes from the shell's
    PWD; without one, the absolute path is always right.
    """
    if cwd is None:
        cwd = Path(os.environ["PWD"]) if os.environ.get("PWD") else None
    project = project.resolve()
    if cwd is not None and project.is_relative_to(cwd.resolve()):
        return str(project.relative_to(cwd.resolve()))
    return str(project)


def summary(answers: Mapping[str, Any], root: Path | None = None) -> str:
    """The "next steps" text printed at the end of a bake of `root` (./<slug> by default)."""
    features = manifest.load()
    on = manifest.enabled(answers)
    where = answers["project_slug"] if root is None else shown_path(root)
    lines = [
        f"Baked {answers['project_name']} into {where if Path(where).is_absolute() else './' + where}",
        "",
        "Services and local URLs:",
    ]
    for name, feature in features.items():
        if name in on:
            for service, url in feature.local_urls.items():
                lines.append(f"  {service:<22} {url}")
    if "redis" in on and not answers.get("use_redis"):
        lines += [
            "",
            "Note: celery_broker=redis brings the Redis service although use_redis is off;",
            "      Redis serves as the Celery broker only (the cache stays local memory).",
        ]
    if not answers.get("use_celery") and answers.get("celery_broker"):
        lines += ["", "Note: use_celery is off, so celery_broker was ignored."]
    lines += [
        "",
        "Next steps:",
        f"  cd {shlex.quote(where)}",
        "  make help                       # every target, grouped",
        "  make install migrate runserver LOCAL=1   # on this machine, SQLite unless DATABASE_URL is set",
        "  make up                         # or the whole stack with Docker Compose",
    ]
    return "\n".join(lines)


def finish(root: Path, answers: Mapping[str, Any]) -> str:
    prune(root, answers)
    locks.write(root, answers)
    secrets.fill(root)
    save_answers(root, answers)
    return summary(answers, root)
