"""The daily workflow of a generated project: `make help`, the Makefile targets, the tmuxinator
layout and the Sphinx docs.

The static part reads `make help` and `make -n` (no Docker engine needed) and starts the tmuxinator
layout on a private tmux server. The `services` part installs a bake and runs, on the host
(`LOCAL=1`), every target that needs neither Docker nor a server.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bpc import manifest
from tests.support import installed_copy, require_tool, run, uv_command

SECTIONS = (
    "Development",
    "Tests and code quality",
    "Docs",
    "Release",
    "Docker images",
    "Bare-metal production",
    "Docker Swarm",
    "Cleanup",
)
TARGET_LINE = re.compile(r"^  (?P<name>[a-z][a-z0-9_-]*)\s+(?P<description>\S.*)$")
# Targets whose recipe is a Python command: `docker compose run` by default, `uv run` with LOCAL=1.
PYTHON_TARGETS = {
    *("migrate", "makemigrations", "runserver", "createsuperuser", "manage", "check", "console", "shell"),
    "search-index",
    *("lint", "format", "test", "coverage", "typecheck", "docs", "servedocs"),
    *("celery-worker", "celery-beat", "flower"),
}
DOCKER_TARGETS = {"build", "up", "down", "logs", "prune", "reset-db"}
# Feature -> its node in the README's mermaid diagram.
DIAGRAM_NODES = {
    "redis": "redis",
    "rabbitmq": "rabbitmq",
    "celery": "worker",
    "elasticsearch": "elasticsearch",
    "nginx": "nginx",
    "sentry": "glitchtip",
    "vue": "vite",
}
MAKE_HOW = "apt-get install make"
# What a server in a container listens on, so that the port compose publishes reaches it.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104
TMUX_HOW = "apt-get install tmux tmuxinator"


def make(
    project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    require_tool("make", MAKE_HOW)
    inherited = {key: value for key, value in os.environ.items() if key != "LOCAL"}
    environment = {**inherited, "NO_COLOR": "1", **(env or {})}
    completed = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        env=environment,
        text=True,
        capture_output=True,
        input=stdin,
        timeout=60,
        check=False,
    )
    if check:
        assert completed.returncode == 0, f"make {' '.join(args)}: {completed.stdout}{completed.stderr}"
    return completed


def help_sections(text: str) -> dict[str, list[str]]:
    """Section name -> target names, in the order `make help` prints them."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        target = TARGET_LINE.match(line)
        if target:
            assert current is not None, f"target outside a section: {line!r}"
            sections[current].append(target["name"])
        elif line and not line.startswith(" ") and not line.startswith(("Usage:", "Python commands")):
            current = line.strip()
            sections[current] = []
    return sections


def listed_targets(project: Path) -> set[str]:
    return {name for names in help_sections(make(project, "help").stdout).values() for name in names}


def dry_run(project: Path, target: str, **variables: str) -> str:
    return make(project, "-n", target, *(f"{key}={value}" for key, value in variables.items())).stdout


# make help ---------------------------------------------------------------------------------------


def test_help_lists_exactly_the_targets_of_the_chosen_features(project):
    listed = listed_targets(project.path)
    expected = project.expected.present["make_targets"]
    assert listed == expected, (
        f"listed but not in the manifest: {sorted(listed - expected)}; "
        f"in the manifest but not listed: {sorted(expected - listed)}"
    )
    assert not listed & project.expected.absent["make_targets"]


def test_every_listed_target_has_a_recipe(project):
    targets = sorted(listed_targets(project.path))
    if make(project.path, "-n", *targets, check=False).returncode == 0:
        return
    broken = []
    for target in targets:
        completed = make(project.path, "-n", target, check=False)
        if completed.returncode != 0:
            broken.append(f"{target}: {completed.stderr.strip()}")
    assert not broken, "\n".join(broken)


def test_make_without_a_target_prints_the_help_grouped_in_order(default_project):
    text = make(default_project.path).stdout
    assert text == make(default_project.path, "help").stdout
    sections = help_sections(text)
    assert list(sections) == [section for section in SECTIONS if section in sections]
    assert {"Development", "Tests and code quality", "Docs", "Release", "Docker images", "Cleanup"} <= set(
        sections
    )
    assert all(sections.values()), f"empty sections: {sections}"
    for line in text.splitlines():
        if line.startswith("  "):
            assert TARGET_LINE.match(line), f"target line without a description: {line!r}"


def test_minimal_help_names_no_unchosen_service(minimal_project):
    text = make(minimal_project.path).stdout
    assert not re.search(r"celery|rabbit|elastic|sentry|flower|redis|tmux", text, re.IGNORECASE), text


def _on_a_terminal(project: Path, env: dict[str, str]) -> str:
    """make's output when its stdout is a terminal (a pseudo-terminal here)."""
    require_tool("make", MAKE_HOW)
    controller, terminal = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"} | env
    process = subprocess.Popen(
        ["make", "--no-print-directory", "help"],
        cwd=project,
        env=environment,
        stdout=terminal,
        stderr=terminal,
        stdin=subprocess.DEVNULL,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when make exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=30) == 0
    return b"".join(chunks).decode()


def test_help_is_coloured_only_on_a_terminal_without_no_color(default_project):
    assert "\033[" in _on_a_terminal(default_project.path, {})
    assert "\033[" not in _on_a_terminal(default_project.path, {"NO_COLOR": "1"})
    assert "\033[" not in make(default_project.path, "help", env={"NO_COLOR": ""}).stdout


# LOCAL=1 and Docker ------------------------------------------------------------------------------


# Recipes do not change with the options, only which targets exist: two bakes cover them.
@pytest.mark.parametrize("named_bake", ["default", "minimal"])
def test_python_targets_run_in_docker_by_default_and_on_the_host_with_local(bake, named_bake):
    project = bake(named_bake)
    for target in sorted(PYTHON_TARGETS & listed_targets(project.path)):
        in_docker = dry_run(project.path, target)
        on_host = dry_run(project.path, target, LOCAL="1")
        assert re.search(r"^docker compose run --rm (\S+ )*django ", in_docker, re.M), (target, in_docker)
        assert "docker" not in on_host and re.search(r"^uv run ", on_host, re.M), (target, on_host)
        # The same command both ways: only the prefix differs, and where a server listens (every
        # interface of the container, the loopback of this machine).
        assert in_docker.split(" django ", 1)[1] == on_host.split("uv run ", 1)[1].replace(
            "127.0.0.1", EVERY_INTERFACE
        ), target


@pytest.mark.parametrize("named_bake", ["default", "minimal"])
def test_docker_targets_call_docker_compose(bake, named_bake):
    project = bake(named_bake)
    listed = listed_targets(project.path)
    images = {t for t in listed if t.startswith(("build-", "force-build-"))}
    for target in sorted((DOCKER_TARGETS & listed) | images):
        assert "docker compose" in dry_run(project.path, target, CONFIRM="yes"), target
    for target in images:
        service = target.removeprefix("force-").removeprefix("build-")
        assert re.search(rf"\bbuild (--no-cache )?{service}$", dry_run(project.path, target), re.M)
        assert ("--no-cache" in dry_run(project.path, target)) == target.startswith("force-")


def test_destructive_targets_do_nothing_unless_confirmed(default_project):
    # COMPOSE given on the command line skips the Makefile's Docker check: this is about the
    # question, which comes whether or not a daemon runs here.
    for target in ("prune", "reset-db"):
        refused = make(default_project.path, target, "COMPOSE=docker compose", stdin="no\n", check=False)
        assert refused.returncode != 0
        assert "Type yes" in refused.stdout and "Nothing done." in refused.stdout
        assert "docker" not in refused.stdout.split("Nothing done.")[0].split("Type yes")[1]


def test_reset_db_removes_only_the_postgres_volume(default_project):
    recipe = dry_run(default_project.path, "reset-db", CONFIRM="yes")
    assert "--volumes" not in recipe and "--rmi" not in recipe
    assert re.search(r"com\.docker\.compose\.volume=\S*postgres", recipe), recipe
    assert "docker volume rm" in recipe


def test_dbshell_uses_the_postgres_container_or_manage_py(default_project):
    # The django image has no PostgreSQL client: in Docker, psql runs where the server is.
    assert dry_run(default_project.path, "dbshell").startswith("docker compose exec postgres ")
    assert dry_run(default_project.path, "dbshell", LOCAL="1").strip() == "uv run python manage.py dbshell"


def test_search_index_runs_the_projects_rebuild_command(default_project):
    command = dry_run(default_project.path, "search-index", LOCAL="1").split()[-1]
    slug = default_project.answers["project_slug"]
    assert (default_project.path / slug / "search" / "management" / "commands" / f"{command}.py").is_file()


def test_servers_take_their_port_and_address_from_variables(default_project, tmp_path):
    root = default_project.path
    assert "runserver 127.0.0.1:8000" in dry_run(root, "runserver", LOCAL="1")
    assert "runserver 127.0.0.1:8123" in dry_run(root, "runserver", LOCAL="1", PORT="8123")
    assert f"runserver {EVERY_INTERFACE}:8000" in dry_run(root, "runserver", LOCAL="1", HOST=EVERY_INTERFACE)
    # In the container the server listens on every interface; its port is published on this
    # machine's loopback only.
    in_docker = dry_run(root, "runserver", PORT="8123")
    assert "--publish 127.0.0.1:8123:8123 " in in_docker and "runserver 0.0.0.0:8123" in in_docker
    assert "--port 9100" in dry_run(root, "servedocs", LOCAL="1", DOCS_PORT="9100")
    assert "--port=5600" in dry_run(root, "flower", LOCAL="1", FLOWER_PORT="5600")
    # .env beside compose.yml sets them too; the environment and the command line win over it.
    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".venv", "node_modules"))
    (copy / ".env").write_text("DJANGO_PORT=8200\nVITE_PORT=8280\n", encoding="utf-8")
    assert "runserver 127.0.0.1:8200" in dry_run(copy, "runserver", LOCAL="1")
    assert (
        "runserver 127.0.0.1:8300"
        in make(copy, "-n", "runserver", "LOCAL=1", env={"DJANGO_PORT": "8300"}).stdout
    )
    assert "runserver 127.0.0.1:8400" in dry_run(copy, "runserver", LOCAL="1", PORT="8400")
    shown = make(copy, "--eval", "show-vite-port: ; @echo vite=$(VITE_PORT)", "show-vite-port").stdout
    assert shown.strip() == "vite=8280"


def _without_tools(project: Path, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """make run with a PATH that holds no tool at all: no uv, no docker, no node."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return subprocess.run(
        [require_tool("make", MAKE_HOW), "--no-print-directory", *args],
        cwd=project,
        env={"PATH": str(empty), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_uv_or_docker_gets_a_hint(default_project, tmp_path):
    local = _without_tools(default_project.path, tmp_path, "lint", "LOCAL=1")
    assert local.returncode != 0
    assert "uv is not installed: see https://docs.astral.sh/uv/" in local.stderr
    for target in ("up", "test", "docs"):
        docker = _without_tools(default_project.path, tmp_path, target)
        assert docker.returncode != 0
        assert "Docker is not installed" in docker.stderr and "LOCAL=1" in docker.stderr, (
            target,
            docker.stderr,
        )
    # make -n shows the commands whatever is installed.
    assert _without_tools(default_project.path, tmp_path, "-n", "up").returncode == 0


def test_a_stopped_docker_daemon_gets_a_hint(default_project, tmp_path):
    docker = Path(require_tool("docker", "apt-get install docker.io (the client is enough)"))
    bin_folder = tmp_path / "docker-only"
    bin_folder.mkdir()
    (bin_folder / "docker").symlink_to(docker)
    stopped = subprocess.run(
        [require_tool("make", MAKE_HOW), "--no-print-directory", "up"],
        cwd=default_project.path,
        env={
            "PATH": str(bin_folder),
            "HOME": str(tmp_path),
            "DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stopped.returncode != 0
    assert "Docker is not running: start it" in stopped.stderr and "LOCAL=1" in stopped.stderr


def test_make_test_skips_the_frontend_without_a_usable_node_and_says_what_to_install(
    default_project, tmp_path
):
    completed = _without_tools(default_project.path, tmp_path, "test", "LOCAL=1")
    assert "Skipping the frontend tests. Node.js is not installed." in completed.stdout
    assert "npm install --prefix ~/.local/node24 node@24" in completed.stdout
    # Then the Python tests' turn: here they stop at the missing uv, never at Node.
    assert "uv is not installed" in completed.stderr
    refused = _without_tools(default_project.path, tmp_path, "frontend-test")
    assert refused.returncode != 0 and "Node.js is not installed." in refused.stderr


def test_manage_passes_args_through(default_project):
    assert dry_run(default_project.path, "manage", LOCAL="1", ARGS="check --deploy").strip() == (
        "uv run python manage.py check --deploy"
    )


# tmuxinator --------------------------------------------------------------------------------------


def layout(project) -> dict:
    return yaml.safe_load((project.path / ".tmuxinator.yml").read_text(encoding="utf-8"))


def windows_and_panes(config: dict) -> dict[str, list[str]]:
    """Window name -> the commands of its panes, as the project file declares them."""
    result = {}
    for window in config["windows"]:
        ((name, body),) = window.items()
        if isinstance(body, str):
            result[name] = [body]
        else:
            result[name] = [pane if isinstance(pane, str) else " && ".join(pane) for pane in body["panes"]]
    return result


def test_tmuxinator_layout_follows_the_manifest(project):
    path = project.path / ".tmuxinator.yml"
    if "tmuxinator" not in project.features:
        assert not path.exists()
        return
    declared = windows_and_panes(layout(project))
    assert set(declared) == project.expected.present["tmux_windows"]
    assert next(iter(declared)) == "django"
    listed = listed_targets(project.path)
    for window, commands in declared.items():
        for command in commands:
            words = command.split()
            if words[0] == "make":
                assert words[1] in listed, f"window {window}: {command!r} is not a target of make help"
            else:
                assert (project.path / words[0]).is_file(), f"window {window}: {command!r} runs no script"
    panes = [command for commands in declared.values() for command in commands]
    assert "make runserver" in panes and "make servedocs" in panes
    assert {"make console", "make dbshell"} <= set(declared["shells"])
    if "celery" in project.features:
        assert {"make celery-beat", "make celery-worker"} <= set(declared["celery"])
    assert ("make redis-cli" in panes) == ("redis" in project.features)
    assert ("make rabbitmq-admin" in panes) == ("rabbitmq" in project.features)


def _private_tmux_env(tmp_path: Path) -> dict[str, str]:
    # tmux puts its server socket under TMUX_TMPDIR: a fresh one is a server of our own, which
    # tmuxinator (it calls plain `tmux`) uses without a change to the project file.
    # An empty TMUX (not a missing one: support.run merges os.environ back) keeps a test run from
    # inside tmux off the developer's own server.
    return {**os.environ, "TMUX": "", "LOCAL": "", "TMUX_TMPDIR": str(tmp_path)}


@pytest.mark.parametrize("layout_bake", ["default", "redis-broker"])
def test_tmuxinator_starts_every_window_and_pane(bake, layout_bake, tmp_path):
    require_tool("tmux", TMUX_HOW)
    require_tool("tmuxinator", TMUX_HOW)
    project = bake(layout_bake)
    environment = _private_tmux_env(tmp_path)
    debug = run(["tmuxinator", "debug", "-p", ".tmuxinator.yml"], cwd=project.path, env=environment)
    assert "new-session" in debug.stdout and "make runserver" in debug.stdout.replace("\\ ", " ")
    # `make tmux LOCAL=1` runs every pane on the host: the layout passes LOCAL on to each pane.
    local = run(
        ["tmuxinator", "debug", "-p", ".tmuxinator.yml"], cwd=project.path, env={**environment, "LOCAL": "1"}
    )
    assert local.stdout.count("export\\ LOCAL\\=1") == sum(
        map(len, windows_and_panes(layout(project)).values())
    )
    session = layout(project)["name"]
    try:
        # A running server first: tmuxinator's own `tmux start-server` makes a server that exits
        # at once for want of a session, and its next command can race with that exit.
        run(["tmux", "new-session", "-d", "-s", "keep-alive"], cwd=tmp_path, env=environment)
        run(
            ["tmuxinator", "start", "-p", ".tmuxinator.yml", "--no-attach"],
            cwd=project.path,
            env=environment,
            timeout=60,
        )
        started = subprocess.run(
            ["tmux", "list-panes", "-s", "-t", session, "-F", "#{window_name}"],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    finally:
        subprocess.run(["tmux", "kill-server"], env=environment, capture_output=True, check=False)
    declared = windows_and_panes(layout(project))
    assert list(dict.fromkeys(started)) == list(declared)
    assert {window: started.count(window) for window in declared} == {
        window: len(commands) for window, commands in declared.items()
    }


# Docs --------------------------------------------------------------------------------------------


def test_makefile_page_documents_every_target(project):
    page = (project.path / "docs" / "makefile.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z][a-z0-9_-]*)`(?: / `([a-z][a-z0-9_-]*)`)?", page, re.M))
    documented_names = {name for pair in documented for name in pair if name}
    listed = listed_targets(project.path)
    assert documented_names == listed, (
        f"undocumented: {sorted(listed - documented_names)}; gone: {sorted(documented_names - listed)}"
    )


def test_readme_shows_the_chosen_services_only(project):
    readme = (project.path / "README.md").read_text(encoding="utf-8")
    diagram = readme.split("```mermaid")[1].split("```")[0]
    nodes = set(re.findall(r"^\s+(\w+)[\[(]", diagram, re.M))
    for feature, node in DIAGRAM_NODES.items():
        assert (node in nodes) == (feature in project.features), f"diagram node {node}"
    table = readme.split("<!-- services:start -->")[1].split("<!-- services:end -->")[0]
    for name, feature in manifest.load().items():
        for service, url in feature.local_urls.items():
            port = url.rsplit(":", 1)[1]
            row = re.search(rf"^\| {re.escape(service)} \| {port} \|", table, re.M)
            assert bool(row) == (name in project.features), f"{service} in the services table"


# Host mode on an installed bake ------------------------------------------------------------------


def _host_env(venv: Path) -> dict[str, str]:
    # install() synced the venv already; UV_NO_SYNC keeps `uv run` from touching it again (a copy
    # of the project would otherwise re-install itself into the original's venv).
    return {
        "LOCAL": "1",
        "PATH": f"{Path(uv_command()).parent}{os.pathsep}{os.environ['PATH']}",
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_NO_SYNC": "1",
        "VIRTUAL_ENV": "",
    }


@pytest.mark.services
def test_host_targets_that_need_no_server_work(default_project, tmp_path):
    project = installed_copy(default_project.path)
    env = _host_env(project / ".venv")
    for target in ("help", "lint", "typecheck", "docs", "dist", "clean-pyc", "clean-test"):
        run(["make", target], cwd=project, env=env, timeout=600)
    run(["make", "manage", "ARGS=check"], cwd=project, env=env)
    assert list((project / "docs" / "_build" / "html").glob("*.html"))
    assert {p.suffix for p in (project / "dist").iterdir()} >= {".whl", ".gz"}
    run(["make", "clean"], cwd=project, env=env)
    assert not (project / "dist").exists()
    assert not (project / "docs" / "_build").exists()
    # format rewrites files: run it on a copy, with code that needs formatting.
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv"))
    ugly = copy / "config" / "ugly.py"
    ugly.write_text("x = {  'a':1 }\n", encoding="utf-8")
    run(["make", "format"], cwd=copy, env=env)
    assert ugly.read_text(encoding="utf-8") == 'x = {"a": 1}\n'
    run(["make", "lint"], cwd=copy, env=env)
