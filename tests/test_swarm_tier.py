"""The swarm tier: the default bake's compose.swarm.yml deployed on a real Docker Swarm with
`make swarm-deploy`, on the images the docker tier builds (tests/dockertier.py).

One swarm for the whole module, its manager on this machine's engine, advertised on a veth
address of a network namespace made here; a second dockerd in that namespace joins as a worker for
the two-node test. The stack uses SWARM_ENDPOINT_MODE=dnsrr: the kernel here has no IPVS, so
service virtual IPs do not route. Every figure (convergence, requests during the rolling update,
recovery after a kill, the two-node spread) is printed and recorded with dockertier.figure().

Nothing is left behind, also when a test fails: the stack, its secrets, configs and volumes are
removed, both nodes leave the swarm, the second dockerd stops, the namespace and veths go.
Traffic goes only to 127.0.0.1 and to the namespace's own addresses (10.213.0.0/30).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import dockertier
from tests.dockertier import docker, figure
from tests.support import free_port, require_tool

pytestmark = [pytest.mark.docker, pytest.mark.swarm, pytest.mark.xdist_group("docker")]

STACK = "bpc-swarm"
NAMESPACE = "bpc-swarm-node2"
HOST_VETH, NODE_VETH = "bpcswarm0", "bpcswarm1"
MANAGER_ADDRESS, WORKER_ADDRESS = "10.213.0.1", "10.213.0.2"
NODE2_ROOT = Path("/var/lib/bpc-swarm-node2")
NODE2_RUN = Path("/run/bpc-swarm-node2")
NODE2_SOCKET = f"unix://{NODE2_RUN}/docker.sock"
CONVERGE_TIMEOUT = 600
# The load loops: a fixed number of requests, a fixed pause between them, each with a timeout.
LOAD_PAUSE = 0.05
REQUEST_TIMEOUT = 10


def run(
    command: list[str], *, check: bool = True, timeout: float = 120, **kwargs
) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        command, text=True, capture_output=True, timeout=timeout, check=False, **kwargs
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` exited {completed.returncode}\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}",
            pytrace=False,
        )
    return completed


def node2(
    *arguments: str, check: bool = True, timeout: float = 300, **kwargs
) -> subprocess.CompletedProcess[str]:
    return run(["docker", "-H", NODE2_SOCKET, *arguments], check=check, timeout=timeout, **kwargs)


@dataclass
class Swarm:
    project: Path
    http_port: int
    env: dict[str, str]
    worker_id: str = ""
    worker_daemon: subprocess.Popen | None = None
    manager_id: str = ""
    notes: list[str] = field(default_factory=list)

    def url(self, path: str = "/health/") -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    def make(self, *targets: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
        return run(["make", *targets], cwd=self.project, env=self.env, timeout=timeout)

    def replicas(self) -> dict[str, str]:
        listing = docker(
            "service",
            "ls",
            "--filter",
            f"label=com.docker.stack.namespace={STACK}",
            "--format",
            "{{.Name}}\t{{.Replicas}}",
        )
        return dict(line.split("\t", 1) for line in listing.stdout.splitlines())

    def converged(self) -> bool:
        replicas = self.replicas()
        if not replicas:
            return False
        for name, state in replicas.items():
            running, desired = re.match(r"(\d+)/(\d+)", state).groups()
            if name.endswith("_release"):
                if "(1/1 completed)" not in state:
                    return False
            elif running != desired:
                return False
        return True

    def wait_converged(self, timeout: float = CONVERGE_TIMEOUT) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.converged():
                return time.monotonic() - started
            time.sleep(1)
        tasks = docker("stack", "ps", STACK, "--no-trunc", check=False).stdout
        pytest.fail(
            f"the stack did not converge within {timeout} s: {self.replicas()}\n{tasks[-6000:]}",
            pytrace=False,
        )

    def tasks(self, service: str) -> list[dict[str, str]]:
        """The running tasks of a service: name, node id, container id."""
        listing = docker(
            "service",
            "ps",
            f"{STACK}_{service}",
            "--filter",
            "desired-state=running",
            "--no-trunc",
            "--format",
            "{{.ID}}\t{{.Name}}\t{{.CurrentState}}",
        )
        found = []
        for line in listing.stdout.splitlines():
            task_id, name, state = line.split("\t")
            if not state.startswith("Running"):
                continue
            task = json.loads(docker("inspect", task_id).stdout)[0]
            found.append(
                {
                    "id": task_id,
                    "name": name,
                    "node": task["NodeID"],
                    "container": task["Status"].get("ContainerStatus", {}).get("ContainerID", ""),
                }
            )
        return found

    def container(self, service: str) -> str:
        """A running container of the service on this node (the manager)."""
        containers = docker(
            "ps", "--quiet", "--filter", f"label=com.docker.swarm.service.name={STACK}_{service}"
        ).stdout.split()
        assert containers, f"no running {service} container on the manager"
        return containers[0]

    def manage(self, code: str) -> str:
        """Python run by `manage.py shell` in a django container: the settings read the secrets."""
        return docker(
            "exec", self.container("django"), "python", "manage.py", "shell", "-c", code, timeout=120
        ).stdout.strip()

    def send_demo_task(self, seconds: int) -> str:
        """The id of a new run of the project's demo task, sent to the workers through the broker."""
        slug = self.project.name
        return self.manage(
            f"from {slug}.tasks.models import DemoTaskRun; from {slug}.tasks.tasks import run_demo; "
            f"r = DemoTaskRun.objects.create(seconds={seconds}); run_demo.delay(r.pk); print(r.pk)"
        ).splitlines()[-1]

    def demo_task_state(self, run_id: str) -> list[str]:
        """The run's status, attempts and completions."""
        return self.manage(
            f"from {self.project.name}.tasks.models import DemoTaskRun; "
            f"r = DemoTaskRun.objects.get(pk={run_id}); print(r.status, r.attempts, r.completions)"
        ).split()[-3:]


def get(url: str, timeout: float = REQUEST_TIMEOUT) -> int:
    request = urllib.request.Request(url, headers={"Host": "localhost"})  # noqa: S310  (127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Load:
    """A bounded load loop on /health/ in a thread: at most `count` requests, `LOAD_PAUSE` apart,
    stopping early when asked or after `limit` seconds; counts what failed."""

    def __init__(self, url: str, count: int, limit: float) -> None:
        self.url, self.count, self.limit = url, count, limit
        self.made = 0
        self.failures: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while self.made < self.count and not self.stop.is_set() and time.monotonic() - started < self.limit:
            status = get(self.url)
            self.made += 1
            if status != 200:
                self.failures.append((round(time.monotonic() - started, 1), status))
            time.sleep(LOAD_PAUSE)

    def __enter__(self) -> Load:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=REQUEST_TIMEOUT + 5)


# Setting up and tearing down: the namespace, the engine's swarm, the stack, the second node.


def setup_namespace() -> None:
    run(["ip", "netns", "add", NAMESPACE])
    run(["ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", NODE_VETH])
    run(["ip", "link", "set", NODE_VETH, "netns", NAMESPACE])
    run(["ip", "addr", "add", f"{MANAGER_ADDRESS}/30", "dev", HOST_VETH])
    run(["ip", "link", "set", HOST_VETH, "up"])
    for command in (
        ["ip", "addr", "add", f"{WORKER_ADDRESS}/30", "dev", NODE_VETH],
        ["ip", "link", "set", NODE_VETH, "up"],
        ["ip", "link", "set", "lo", "up"],
    ):
        run(["ip", "netns", "exec", NAMESPACE, *command])


def teardown_namespace() -> None:
    run(["ip", "link", "delete", HOST_VETH], check=False)
    run(["ip", "netns", "delete", NAMESPACE], check=False)


def start_worker_daemon() -> subprocess.Popen:
    """A second dockerd inside the namespace, with its own data root, exec root and socket."""
    NODE2_RUN.mkdir(parents=True, exist_ok=True)
    log = (NODE2_RUN / "dockerd.log").open("w")
    daemon = subprocess.Popen(
        [
            # nsenter, not `ip netns exec`: that also remounts /sys, hiding the cgroups.
            "nsenter",
            f"--net=/run/netns/{NAMESPACE}",
            "dockerd",
            "--data-root",
            str(NODE2_ROOT),
            "--exec-root",
            str(NODE2_RUN / "exec"),
            "--pidfile",
            str(NODE2_RUN / "dockerd.pid"),
            "--host",
            NODE2_SOCKET,
            "--storage-driver=overlay2",
            "--bip",
            "172.31.213.1/24",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if node2("info", "--format", "{{.ServerVersion}}", check=False, timeout=10).returncode == 0:
            return daemon
        if daemon.poll() is not None:
            break
        time.sleep(1)
    pytest.fail(
        f"the second dockerd did not start:\n{(NODE2_RUN / 'dockerd.log').read_text()[-4000:]}", pytrace=False
    )


def stop_worker_daemon(daemon: subprocess.Popen | None) -> None:
    if daemon is not None and daemon.poll() is None:
        node2("swarm", "leave", "--force", check=False, timeout=60)
        daemon.terminate()
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=30)
    shutil.rmtree(NODE2_RUN, ignore_errors=True)
    shutil.rmtree(NODE2_ROOT, ignore_errors=True)


def remove_stack() -> None:
    docker("stack", "rm", STACK, check=False)
    deadline = time.monotonic() + 120
    label = f"label=com.docker.stack.namespace={STACK}"
    while time.monotonic() < deadline:
        containers = docker("ps", "--all", "--quiet", "--filter", label, check=False).stdout.split()
        networks = docker("network", "ls", "--quiet", "--filter", label, check=False).stdout.split()
        if not containers and not networks:
            break
        time.sleep(2)
    for kind in ("secret", "config", "volume"):
        names = docker(kind, "ls", "--quiet", "--filter", f"name={STACK}_", check=False).stdout.split()
        if names:
            docker(kind, "rm", *names, check=False)


def remove_volumes(timeout: float = 120) -> None:
    """The stack's volumes, once the containers of its tasks (a finished job's too) let go of
    them: the engine removes those containers a while after the swarm is gone."""
    deadline = time.monotonic() + timeout
    while True:
        volumes = docker("volume", "ls", "--quiet", "--filter", f"name={STACK}_", check=False).stdout.split()
        if volumes:
            docker("volume", "rm", "--force", *volumes, check=False)
        if not volumes or time.monotonic() > deadline:
            return
        time.sleep(2)


@pytest.fixture(scope="module")
def swarm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Swarm]:
    dockertier.require_engine()
    require_tool("make", "apt-get install make")
    require_tool("ip", "apt-get install iproute2")
    state = docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()
    if state != "inactive":
        pytest.fail(
            f"this engine is already part of a swarm ({state}); the swarm tier makes its own: "
            "docker swarm leave --force",
            pytrace=False,
        )
    project = dockertier.bake("default", tmp_path_factory.getbasetemp() / "docker-tier")
    if (project, "production") in dockertier._built:
        images = dockertier._built[project, "production"]
    else:
        dockertier.ensure_base_images(dockertier.upstream_images(project))
        images = dockertier.Stack(project, "default", "production")
        images.build()
    http_port = free_port()
    env = {
        **os.environ,
        "SWARM_STACK": STACK,
        "SWARM_BUILD": "no",
        "SWARM_ENDPOINT_MODE": "dnsrr",
        "HTTP_PORT": str(http_port),
        # A loaded CI machine: the first start of every service may be slow.
        "SWARM_RELEASE_TIMEOUT": "900",
    }
    daemon = None
    try:
        setup_namespace()
        docker(
            "swarm", "init", "--advertise-addr", MANAGER_ADDRESS, "--listen-addr", f"{MANAGER_ADDRESS}:2377"
        )
        daemon = start_worker_daemon()
        yield Swarm(
            project=project,
            http_port=http_port,
            env=env,
            worker_daemon=daemon,
            manager_id=docker("info", "--format", "{{.Swarm.NodeID}}").stdout.strip(),
        )
    finally:
        remove_stack()
        stop_worker_daemon(daemon)
        docker("swarm", "leave", "--force", check=False)
        remove_volumes()
        teardown_namespace()


@pytest.fixture(scope="module")
def deployed(swarm: Swarm) -> Swarm:
    started = time.monotonic()
    swarm.make("swarm-deploy")
    deploy_seconds = time.monotonic() - started
    converged = deploy_seconds + swarm.wait_converged()
    figure(
        f"swarm: {len(swarm.replicas())} services of the default bake converged {converged:.0f} s after "
        f"`make swarm-deploy` began (the deploy and its release job: {deploy_seconds:.0f} s)"
    )
    return swarm


def wait_health(swarm: Swarm, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(swarm.url()) == 200:
            return
        time.sleep(1)
    pytest.fail(f"{swarm.url()} did not answer 200 within {timeout} s", pytrace=False)


def test_single_node_deploy_converges_and_serves(deployed: Swarm) -> None:
    wait_health(deployed)
    headers = {"Host": "localhost", "Accept": "application/json"}
    request = urllib.request.Request(deployed.url(), headers=headers)  # noqa: S310  (127.0.0.1 only)
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
        assert response.status == 200
        assert response.headers["Server"].startswith("nginx")
    # The release job ran the migrations: the tasks' table exists, and a task runs in a worker.
    run_id = deployed.send_demo_task(seconds=1)
    deadline = time.monotonic() + 60
    status = ""
    while time.monotonic() < deadline:
        status = deployed.demo_task_state(run_id)[0]
        if status == "done":
            break
        time.sleep(2)
    assert status == "done", f"the Celery task never ran (status {status!r})"
    # Nothing but nginx is published: no port of Flower or RabbitMQ on this host.
    published = {
        name: docker(
            "service", "inspect", "--format", "{{json .Spec.EndpointSpec.Ports}}", name
        ).stdout.strip()
        for name in deployed.replicas()
    }
    assert {name for name, ports in published.items() if ports not in ("null", "[]")} == {f"{STACK}_nginx"}, (
        published
    )


def test_rolling_update_of_django_fails_no_request(deployed: Swarm) -> None:
    wait_health(deployed)
    before = {task["container"] for task in deployed.tasks("django")}
    with Load(deployed.url(), count=4000, limit=240) as load:
        started = time.monotonic()
        docker("service", "update", "--force", "--detach=false", "--quiet", f"{STACK}_django", timeout=300)
        seconds = time.monotonic() - started
        time.sleep(3)
    after = {task["container"] for task in deployed.tasks("django")}
    figure(
        f"swarm: rolling update of django (2 replicas, start-first) took {seconds:.0f} s; "
        f"{load.made} requests to /health/ through nginx, {len(load.failures)} failed {load.failures[:10]}"
    )
    assert not before & after, "the update replaced no task"
    assert load.made > 100
    assert not load.failures


def test_killed_django_task_is_replaced(deployed: Swarm) -> None:
    wait_health(deployed)
    victim = deployed.container("django")
    with Load(deployed.url(), count=4000, limit=180) as load:
        killed = time.monotonic()
        docker("kill", victim)
        # Swarm notices the task's end, schedules a new one; it counts once healthy.
        recovered = None
        while time.monotonic() - killed < 150:
            running = [task for task in deployed.tasks("django") if task["container"] != victim]
            if len(running) == 2 and deployed.converged():
                recovered = time.monotonic() - killed
                break
            time.sleep(0.5)
        load.stop.set()
    assert recovered is not None, f"django was not back to 2 replicas: {deployed.replicas()}"
    assert get(deployed.url()) == 200
    figure(
        f"swarm: a killed django container was replaced (2/2 healthy again) after {recovered:.1f} s; "
        f"{load.made} requests meanwhile, {len(load.failures)} failed {load.failures[:10]}"
    )
    assert not load.failures


def test_killed_worker_loses_no_task(deployed: Swarm) -> None:
    run_id = deployed.send_demo_task(seconds=60)
    # Each look costs a `manage.py shell` start (seconds on a loaded machine): the task works for
    # a minute, so that it is caught while it runs.
    deadline = time.monotonic() + 120
    while (status := deployed.demo_task_state(run_id)[0]) == "pending":
        assert time.monotonic() < deadline, "no worker took the task"
        time.sleep(1)
    assert status == "running", f"the task was {status} before a worker could be killed"
    # The worker that holds it: `celery inspect active` names it by its container's hostname.
    active = json.loads(
        docker(
            "exec",
            deployed.container("django"),
            "celery",
            "-A",
            "config.celery_app",
            "inspect",
            "active",
            "--json",
            timeout=60,
        ).stdout
    )
    (holder,) = [name for name, tasks in active.items() if tasks]
    hostname = holder.split("@", 1)[1]
    containers = docker(
        "ps", "--quiet", "--no-trunc", "--filter", f"label=com.docker.swarm.service.name={STACK}_celeryworker"
    ).stdout.split()
    (victim,) = [container for container in containers if container.startswith(hostname)]
    docker("kill", victim)
    killed = time.monotonic()
    while True:
        status, attempts, completions = deployed.demo_task_state(run_id)
        if status == "done" or time.monotonic() - killed > 240:
            break
        time.sleep(2)
    figure(
        f"swarm: a worker container killed mid-task: the task ran again elsewhere and finished "
        f"{time.monotonic() - killed:.0f} s later (attempts {attempts}, completions {completions})"
    )
    assert (status, attempts, completions) == ("done", "2", "1")
    deployed.wait_converged()


def test_two_nodes_share_django_and_drain(deployed: Swarm) -> None:
    swarm = deployed
    token = docker("swarm", "join-token", "--quiet", "worker").stdout.strip()
    # The worker has no registry either: the django image travels by `docker save | docker load`.
    image = f"{swarm.project.name}-production-django:latest"
    started = time.monotonic()
    save = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
    node2("load", "--quiet", stdin=save.stdout, timeout=600)
    assert save.wait(timeout=60) == 0
    moved = time.monotonic() - started
    node2(
        "swarm",
        "join",
        "--token",
        token,
        "--advertise-addr",
        WORKER_ADDRESS,
        "--listen-addr",
        f"{WORKER_ADDRESS}:2377",
        f"{MANAGER_ADDRESS}:2377",
    )
    swarm.worker_id = node2("info", "--format", "{{.Swarm.NodeID}}").stdout.strip()
    # Only django may go there (the only image it has): keep the rest on the manager.
    for service in ("celeryworker", "celerybeat", "flower"):
        docker(
            "service",
            "update",
            "--detach",
            "--quiet",
            "--constraint-add",
            "node.role==manager",
            f"{STACK}_{service}",
        )
    # Spread as docs/swarm.md says: stop-first, so that each new task goes to the least busy node.
    docker(
        "service",
        "update",
        "--force",
        "--update-order",
        "stop-first",
        "--detach=false",
        "--quiet",
        f"{STACK}_django",
        timeout=300,
    )
    nodes = sorted(task["node"] for task in swarm.tasks("django"))
    assert nodes == sorted([swarm.manager_id, swarm.worker_id]), f"django tasks not spread: {nodes}"

    # Requests through nginx reach both: each replica's access log counts the probes it got.
    probe = f"bpc-swarm-{int(time.time())}"
    count = 60
    statuses = [get(swarm.url(f"/health/?probe={probe}")) for _ in range(count)]
    assert statuses == [200] * count
    time.sleep(2)
    seen: dict[str, int] = {}
    for task in swarm.tasks("django"):
        logs = docker("service", "logs", "--raw", task["id"], timeout=60)
        seen[task["node"]] = seen.get(task["node"], 0) + (logs.stdout + logs.stderr).count(probe)
    figure(
        f"swarm: two nodes (a second dockerd in a network namespace; the django image moved by "
        f"save|load in {moved:.0f} s): {count} requests through nginx, answered per node {seen}"
    )
    assert set(seen) == {swarm.manager_id, swarm.worker_id}, seen
    assert sum(seen.values()) == count

    # Draining the worker moves its task back to the manager, without a failed request.
    with Load(swarm.url(), count=4000, limit=180) as load:
        drained = time.monotonic()
        docker("node", "update", "--availability", "drain", swarm.worker_id)
        while time.monotonic() - drained < 150:
            nodes = [task["node"] for task in swarm.tasks("django")]
            if nodes == [swarm.manager_id] * 2 and swarm.converged():
                break
            time.sleep(0.5)
        seconds = time.monotonic() - drained
        time.sleep(3)
    figure(
        f"swarm: draining the worker moved its django task back in {seconds:.0f} s; "
        f"{load.made} requests meanwhile, {len(load.failures)} failed {load.failures[:10]}"
    )
    assert [task["node"] for task in swarm.tasks("django")] == [swarm.manager_id] * 2
    assert not load.failures
    with contextlib.suppress(Exception):
        node2("swarm", "leave", "--force", check=False, timeout=60)
