"""The production defaults as a client meets them: a real nginx (the site of compose/nginx/, as
deploy/host.sh renders it) in front of the real app under gunicorn with the production settings.

Services tier: the app uses the machine's PostgreSQL, Redis and RabbitMQ (it refuses to start
without them), though these requests touch none of them but Redis.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import SERVER_URLS, free_port, install, require_server, require_tool, run

pytestmark = pytest.mark.services

NO_ONE = "0.0.0.0/32"  # the template's default NGINX_TRUSTED_PROXY: no client has that address


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def get(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def wait_until_answering(port: int, process: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited {process.returncode}:\n{log.read_text()[-3000:]}", pytrace=False)
        try:
            if get(port, "/admin/login/").status not in (502, 504):
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"nothing answers on port {port} after 120 s:\n{log.read_text()[-3000:]}", pytrace=False)


@dataclass
class Site:
    python: Path
    environment: dict[str, str]
    scratch: Path
    project: Path
    processes: list[subprocess.Popen[str]]
    gunicorn_port: int = 0

    def gunicorn(self, **variables: str) -> int:
        """The app under gunicorn with the production settings; returns its port."""
        port = free_port()
        log = self.scratch / f"gunicorn-{port}.log"
        process = subprocess.Popen(
            [str(self.python), "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=self.project,
            env={**self.environment, "GUNICORN_BIND": f"127.0.0.1:{port}", **variables},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        wait_until_answering(port, process, log)
        return port

    def nginx(self, trusted_proxy: str) -> int:
        """A real nginx with the project's site in front of the gunicorn; returns its port."""
        port = free_port()
        var = self.scratch / f"nginx-{port}"
        for folder in ("run", "log", "nginx/tmp"):
            (var / folder).mkdir(parents=True)
        values = {
            "NGINX_LISTEN_PORT": f"127.0.0.1:{port}",
            "NGINX_SERVER_NAME": "localhost",
            "NGINX_UPSTREAM": f"127.0.0.1:{self.gunicorn_port}",
            "NGINX_STATIC_ROOT": str(self.scratch / "static"),
            "NGINX_MEDIA_ROOT": str(self.scratch / "media"),
            "NGINX_TRUSTED_PROXY": trusted_proxy,
            "NGINX_VAR_DIR": str(var),
            "NGINX_USER_DIRECTIVE": "user root root;" if os.getuid() == 0 else "",
        }
        for template, target in [
            ("compose/nginx/site.template", var / "nginx/site.conf"),
            ("deploy/nginx/nginx.conf.template", var / "nginx/nginx.conf"),
        ]:
            rendered = subprocess.run(
                ["envsubst", " ".join(f"${{{name}}}" for name in values)],
                input=(self.project / template).read_text(),
                env={**os.environ, **values},
                text=True,
                capture_output=True,
                check=True,
            ).stdout
            target.write_text(rendered)
        log = var / "log/nginx.log"
        process = subprocess.Popen(
            ["nginx", "-c", str(var / "nginx/nginx.conf"), "-g", "daemon off;"],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        wait_until_answering(port, process, log)
        return port


@pytest.fixture(scope="module")
def site(bake) -> Iterator[Site]:
    require_tool("nginx", "apt-get install nginx")
    require_tool("envsubst", "apt-get install gettext-base")
    database = require_server("PostgreSQL")
    require_server("Redis")
    require_server("RabbitMQ")
    # No Vue (its build needs Node.js and minutes) and no Elasticsearch (no server here).
    project = bake("hardening-prod", {"frontend": "none", "use_elasticsearch": False})
    python = install(project.path)
    scratch = Path(tempfile.mkdtemp(prefix="bpc-hardening-prod-"))
    (scratch / "env").mkdir()
    for folder in ("static/css", "media/.git"):
        (scratch / folder).mkdir(parents=True)
    (scratch / "static/css/site.css").write_text("body {}\n")
    (scratch / "media/.htpasswd").write_text("admin:$apr1$secret\n")
    (scratch / "media/.git/config").write_text("[core]\n")
    (scratch / "media/upload.txt").write_text("an upload\n")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # An empty folder: none of the bake's env files (which name the compose hosts) is read.
        "DJANGO_ENV_DIR": str(scratch / "env"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(scratch / "static"),
        "DATABASE_URL": database,
        "REDIS_URL": SERVER_URLS["Redis"],
        "DJANGO_CACHE_KEY_PREFIX": f"hardening_prod_{secrets.token_hex(4)}",
        "CELERY_BROKER_URL": SERVER_URLS["RabbitMQ"],
        "CELERY_TASK_DEFAULT_QUEUE": "hardening_prod",
        "GUNICORN_WORKERS": "1",
    }
    running = Site(python, environment, scratch, project.path, [])
    try:
        run(
            [str(python), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=project.path,
            env=environment,
        )
        (scratch / "static/.secret").write_text("not for the web\n")
        running.gunicorn_port = running.gunicorn()
        yield running
    finally:
        for process in reversed(running.processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


FORGED = {"X-Forwarded-Proto": "https"}


def test_a_forged_x_forwarded_proto_through_nginx_still_gets_the_https_redirect(site):
    port = site.nginx(trusted_proxy=NO_ONE)
    for headers in ({}, FORGED):
        answer = get(port, "/admin/login/", headers)
        assert answer.status == 301, (headers, answer.status)
        assert answer.headers["Location"] == f"https://127.0.0.1:{port}/admin/login/"


def test_only_the_configured_balancer_is_believed(site):
    port = site.nginx(trusted_proxy="127.0.0.1/32")
    believed = get(port, "/admin/login/", FORGED)
    assert believed.status == 200, believed.status
    # What nginx itself tells Django for a plain request: http, hence the redirect.
    assert get(port, "/admin/login/").status == 301


def test_gunicorn_alone_does_not_believe_the_header_either(site):
    """Without a proxy that sets it (what a bake without nginx defaults to), a loopback client's
    header must not make a request secure: neither Django nor gunicorn may believe it."""
    port = site.gunicorn(DJANGO_TRUST_X_FORWARDED_PROTO="False")
    answer = get(port, "/admin/login/", FORGED)
    assert answer.status == 301, answer.status


def test_nginx_serves_no_dotfiles_from_static_and_media(site):
    port = site.nginx(trusted_proxy=NO_ONE)
    for path in ("/media/.htpasswd", "/media/.git/config", "/static/.secret"):
        answer = get(port, path)
        assert answer.status in (403, 404), (path, answer.status)
        assert b"secret" not in answer.body and b"[core]" not in answer.body
    assert get(port, "/media/upload.txt").status == 200
    assert get(port, "/static/css/site.css").status == 200


def test_pages_through_nginx_carry_the_content_security_and_permissions_policies(site):
    port = site.nginx(trusted_proxy="127.0.0.1/32")
    page = get(port, "/admin/login/", FORGED)
    assert page.status == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "camera=()" in page.headers["Permissions-Policy"]
    # Uploads keep nginx's stricter policy of their own.
    assert get(port, "/media/upload.txt").headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
