"""The Docker Swarm stack file (compose.swarm.yml) of every bake, checked without an engine:
`docker stack config` accepts it (the CLI validates and interpolates offline), its services are
the manifest's, and it keeps the promises of docs/swarm.md (rolling updates gated by the health
check, restart policies, limits, secrets, nothing but the entry point published).

The stack itself, deployed on a real Swarm, is tested in tests/test_swarm_tier.py (marker `swarm`).
"""

from __future__ import annotations

import copy
import functools
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.support import require_tool
from tests.test_docker import assert_clean, nginx_check

STACK_FILE = "compose.swarm.yml"
# Nothing answers on this socket: `docker stack config` must work without an engine.
NO_ENGINE = {**os.environ, "DOCKER_HOST": "unix:///nonexistent"}


def stack_config(project: Path, **variables: str) -> dict[str, Any]:
    """The stack file as `docker stack config` reads it, with these variables set."""
    return copy.deepcopy(_stack_config(project, tuple(sorted(variables.items()))))


@functools.cache
def _stack_config(project: Path, variables: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    docker = require_tool("docker", "apt-get install docker.io (only its client is used here)")
    completed = subprocess.run(
        [docker, "stack", "config", "--compose-file", STACK_FILE],
        cwd=project,
        env={**NO_ENGINE, **dict(variables)},
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, f"docker stack config -c {STACK_FILE}: {completed.stderr}"
    return yaml.safe_load(completed.stdout)


def code_lines(path: Path) -> list[str]:
    """The lines of a file that are not comments."""
    return [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    ]


def test_docker_stack_config_accepts_the_stack_file(project):
    config = stack_config(project.path)
    assert set(config["services"]) == set(project.expected.present["swarm_services"])
    assert not set(config["services"]) & set(project.expected.absent["swarm_services"])


def test_rolling_updates_are_gated_and_roll_back(project):
    services = stack_config(project.path)["services"]
    for name, service in services.items():
        deploy = service["deploy"]
        if deploy.get("mode") == "replicated-job":
            assert deploy["restart_policy"]["condition"] == "on-failure", name
            continue
        assert deploy["restart_policy"]["condition"] == "any", name
        assert deploy["update_config"]["failure_action"] == "rollback", name
        assert deploy["resources"]["limits"]["memory"], name
        assert service["healthcheck"].get("disable") or service["healthcheck"]["test"], name
    for name in ("django", "celeryworker"):
        if name not in services:
            continue
        deploy = services[name]["deploy"]
        assert int(deploy["replicas"]) >= 2, name
        assert deploy["update_config"]["order"] == "start-first", name
        assert deploy["update_config"]["monitor"], name
        assert deploy["rollback_config"]["order"] == "start-first", name
        assert not services[name]["healthcheck"].get("disable"), (
            f"{name}: the health check is the update's gate"
        )
    # Never two schedulers, never two servers on one data directory.
    for name in ("celerybeat", "postgres", "redis", "rabbitmq", "nginx"):
        if name in services:
            assert int(services[name]["deploy"]["replicas"]) == 1, name
            assert services[name]["deploy"]["update_config"]["order"] == "stop-first", name


def test_only_the_entry_point_is_published(project):
    services = stack_config(project.path)["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    entry = "nginx" if "nginx" in project.features else "django"
    assert published == {entry}
    (port,) = services[entry]["ports"]
    assert port["target"] == (80 if entry == "nginx" else 8000)


def test_secrets_come_from_docker_secrets_not_the_environment(project):
    config = stack_config(project.path, SWARM_STACK="bpc-swarm-static")
    assert config["secrets"]
    for name, secret in config["secrets"].items():
        assert secret["external"] is True, name
        assert secret["name"] == f"bpc-swarm-static_{name}"
    services = config["services"]
    django = services["django"]
    assert {"django_secret_key", "database_url"} <= {secret["source"] for secret in django["secrets"]}
    assert django["environment"]["DJANGO_SECRET_KEY_FILE"] == "/run/secrets/django_secret_key"  # noqa: S105
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"  # noqa: S105
    for name, service in services.items():
        for variable, value in (service.get("environment") or {}).items():
            assert "PASSWORD=" not in variable and not variable.endswith(("_PASS", "SECRET_KEY")), (
                name,
                variable,
            )
            assert "@" not in str(value), f"{name}: {variable} holds credentials"
        assert "env_file" not in service, name
    # Nothing of .envs/ (compose's secrets) is read by the swarm stack.
    assert ".envs" not in "\n".join(code_lines(project.path / STACK_FILE))


def test_the_endpoint_mode_is_a_switch(default_project):
    for mode in ("vip", "dnsrr"):
        services = stack_config(default_project.path, SWARM_ENDPOINT_MODE=mode)["services"]
        modes = {name: service["deploy"].get("endpoint_mode") for name, service in services.items()}
        assert {mode} == {value for name, value in modes.items() if name != "release"}, modes
    # dnsrr refuses routing-mesh ports: nginx publishes on its node in either mode.
    assert stack_config(default_project.path)["services"]["nginx"]["ports"][0]["mode"] == "host"


def test_configs_are_renamed_when_their_content_changes(default_project):
    configs = stack_config(default_project.path, SWARM_CONFIG_DIGEST="0123abcd")["configs"]
    assert configs
    for name, config in configs.items():
        assert config["name"].endswith("_0123abcd"), name
        assert (default_project.path / config["file"]).is_file(), name


def test_nginx_swarm_site_reaches_gunicorn_over_tcp(project, tmp_path):
    site = project.path / "compose/nginx/swarm.conf"
    if "nginx" not in project.features:
        assert not site.exists()
        return
    text = site.read_text(encoding="utf-8")
    assert "upstream gunicorn" not in text, "the socket upstream of the compose site is still there"
    assert not [line for line in code_lines(site) if "unix:" in line]
    assert "resolver 127.0.0.11 valid=5s" in text
    assert 'default "http://django:8000";' in text
    assert "proxy_pass $gunicorn;" in text
    assert "${" not in text
    # Everything else is the compose site: the same headers, files and limits.
    default = (project.path / "compose/nginx/default.conf").read_text(encoding="utf-8")
    server = default[default.index("\nserver {") :]
    assert text[text.index("\nserver {") :] == server.replace(
        "proxy_pass http://gunicorn;", "proxy_pass $gunicorn;"
    )
    assert_clean(nginx_check(tmp_path, site), "nginx -t on swarm.conf")


def test_secrets_script_names_every_secret_of_the_stack(project):
    config = stack_config(project.path)
    script = (project.path / "compose/swarm/secrets").read_text(encoding="utf-8")
    created = {line.split()[1] for line in script.splitlines() if line.startswith("create ")}
    assert created == set(config["secrets"])
