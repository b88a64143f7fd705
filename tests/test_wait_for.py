"""compose/django/wait_for.py against the real servers of this machine.

It runs under the baked project's own environment (the drivers the project pins), except where a
test shows that a scheme needs no driver. HTTP checks talk to a small http.server started here.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support import install, installed_copy, require_server

pytestmark = pytest.mark.services

SCRIPT = "compose/django/wait_for.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port where nothing listens (free a moment ago), so connections are refused."""
    return free_port()


@pytest.fixture(scope="module")
def wait_for(bake) -> Iterator:
    project = installed_copy(bake("default").path)
    python = install(project)

    def run(
        *arguments: str,
        timeout: float = 60,
        interpreter: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        started = time.monotonic()
        completed = subprocess.run(
            [*(interpreter or [str(python)]), str(project / SCRIPT), *arguments],
            env={**os.environ, **(env or {})},
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        return Result(completed.returncode, completed.stderr + completed.stdout, time.monotonic() - started)

    yield run


class Result:
    def __init__(self, code: int, output: str, seconds: float) -> None:
        self.code, self.output, self.seconds = code, output, seconds

    def __repr__(self) -> str:
        return f"<exit {self.code} after {self.seconds:.1f}s: {self.output!r}>"


class Health(http.server.BaseHTTPRequestHandler):
    """/ok answers 200, /busy 503, /private 401 (unless the request carries the right password),
    /example 200 only when asked for the host example.com."""

    def do_GET(self) -> None:
        status = {"/ok": 200, "/busy": 503, "/private": 401}.get(self.path, 404)
        if self.path == "/example":
            status = 200 if self.headers.get("Host") == "example.com" else 400
        if self.path == "/private" and self.headers.get("Authorization") == "Basic dXNlcjpzM2NyZXQ=":
            status = 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *arguments: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_every_service_up_returns_at_once(wait_for, http_server):
    urls = [
        require_server("PostgreSQL"),
        require_server("Redis"),
        require_server("RabbitMQ"),
        f"{http_server}/ok",
    ]
    result = wait_for("--timeout", "20", *urls)
    assert result.code == 0, result
    # At once: the first attempt at each succeeds. The time is the drivers' import (kombu is
    # heavy), so it is bounded loosely for a loaded machine.
    assert "not ready" not in result.output, result
    assert result.seconds < 15, result
    for kind in ("postgres", "redis", "rabbitmq", "http"):
        assert f"{kind} at " in result.output and "ready after" in result.output


def test_a_closed_port_times_out_on_time_naming_the_service(wait_for):
    port = closed_port()
    # What starting the interpreter and importing the script costs on this machine right now: the
    # issue's "timeout ±1 s" is about the waiting, which a loaded machine must not be blamed for.
    startup = wait_for("--help").seconds
    result = wait_for("--timeout", "3", f"postgres://user:pass@127.0.0.1:{port}/db")
    assert result.code == 3, result
    assert 2 <= result.seconds - startup <= 4, (startup, result)
    last_line = result.output.strip().splitlines()[-1]
    assert "timed out" in last_line
    assert f"postgres at 127.0.0.1:{port}/db" in last_line
    assert "pass" not in result.output, "the password was printed"


def test_the_error_names_only_what_never_came_up(wait_for, http_server):
    port = closed_port()
    result = wait_for("--timeout", "2", require_server("Redis"), f"redis://127.0.0.1:{port}/0")
    assert result.code == 3, result
    last_line = result.output.strip().splitlines()[-1]
    assert f"127.0.0.1:{port}" in last_line
    assert "127.0.0.1:6379" not in last_line


def test_a_listener_that_appears_later_is_waited_for(wait_for):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health, bind_and_activate=False)
    server.server_bind()  # the port is ours, but refuses connections until listen()

    def start_later() -> None:
        time.sleep(3)
        server.server_activate()
        server.serve_forever()

    threading.Thread(target=start_later, daemon=True).start()
    try:
        result = wait_for("--timeout", "15", f"http://127.0.0.1:{server.server_address[1]}/ok")
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 0, result
    assert 2.5 <= result.seconds < 10, result
    assert "not ready yet (Connection refused)" in result.output


def test_http_answers_other_than_2xx(wait_for, http_server):
    busy = wait_for("--timeout", "2", f"{http_server}/busy")
    assert busy.code == 3, busy
    assert "HTTP 503" in busy.output
    refused = wait_for("--timeout", "30", f"{http_server}/private")
    assert refused.code == 4, refused
    assert refused.seconds < 15, refused
    parts = urlsplit(http_server)
    authorised = urlunsplit(parts._replace(netloc=f"user:s3cret@{parts.netloc}", path="/private"))
    assert wait_for("--timeout", "5", authorised).code == 0


def test_postgres_refusals_fail_fast(wait_for):
    server = urlsplit(require_server("PostgreSQL"))
    address = f"{server.hostname}:{server.port}"
    for url, reason in [
        (f"postgres://no_such_role:x@{address}/postgres", 'role "no_such_role" does not exist'),
        (
            f"postgres://{server.username}@{address}/no_such_database",
            'database "no_such_database" does not exist',
        ),
    ]:
        result = wait_for("--timeout", "30", url)
        assert result.code == 4, result
        assert result.seconds < 15, result  # far from the 30 s timeout: no waiting
        assert reason in result.output


def test_rabbitmq_wrong_password_fails_fast(wait_for):
    broker = urlsplit(require_server("RabbitMQ"))
    wrong = urlunsplit(broker._replace(netloc=f"{broker.username}:wrong@{broker.hostname}:{broker.port}"))
    result = wait_for("--timeout", "30", wrong)
    assert result.code == 4, result
    assert result.seconds < 15, result  # far from the 30 s timeout: no waiting
    assert "ACCESS_REFUSED" in result.output
    missing_vhost = urlunsplit(broker._replace(path="/no_such_vhost"))
    result = wait_for("--timeout", "30", missing_vhost)
    assert result.code == 4, result
    assert "no_such_vhost" in result.output


def test_bad_urls_are_usage_errors(wait_for):
    for url in ("mysql://db/x", "postgres:///no-host", "http+unix://relative.sock/x"):
        result = wait_for("--timeout", "30", url)
        assert result.code == 2, (url, result)
        assert result.seconds < 15
    assert wait_for("--timeout", "0", "redis://127.0.0.1").code == 2


def test_drivers_are_imported_only_for_their_schemes(wait_for, http_server):
    """A bake without Redis or Celery lacks their libraries: the other checks must still work."""
    bare = [sys.executable, "-S"]  # no site-packages: the standard library only
    probe = subprocess.run([*bare, "-c", "import psycopg"], capture_output=True, check=False)
    assert probe.returncode != 0
    assert wait_for("--timeout", "5", f"{http_server}/ok", interpreter=bare).code == 0
    result = wait_for("--timeout", "5", require_server("PostgreSQL"), interpreter=bare)
    assert result.code == 2, result
    assert "psycopg" in result.output


def test_a_unix_socket_health_endpoint(wait_for, tmp_path):
    path = tmp_path / "gunicorn.sock"

    class UnixServer(http.server.ThreadingHTTPServer):
        address_family = socket.AF_UNIX

        def server_bind(self) -> None:
            self.socket.bind(self.server_address)
            self.server_name, self.server_port = "localhost", 0

        def get_request(self):
            request, _ = self.socket.accept()
            return request, ("local", 0)

    encoded = str(path).replace("/", "%2F")
    missing = wait_for("--timeout", "1", f"http+unix://{encoded}/ok")
    assert missing.code == 3, missing
    assert "no socket there yet" in missing.output
    server = UnixServer(str(path), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = wait_for("--timeout", "5", f"http+unix://{encoded}/ok")
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 0, result


def serve_connections(handle) -> Iterator[int]:
    """A TCP listener on a free port that hands each connection to `handle` in a thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(connection, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def drip(connection: socket.socket, stop: threading.Event) -> None:
    """An HTTP answer that never ends, one byte a second: each read succeeds in time."""
    with connection:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 3600:
            if stop.wait(1):
                return
            try:
                connection.send(bytes([byte]))
            except OSError:
                return


def silence(connection: socket.socket, stop: threading.Event) -> None:
    """Accept, then say nothing: what a broker's port does while its node hangs."""
    with connection:
        stop.wait(120)


@pytest.fixture
def dripping_server() -> Iterator[int]:
    yield from serve_connections(drip)


@pytest.fixture
def silent_port() -> Iterator[int]:
    yield from serve_connections(silence)


def test_a_dripping_server_times_out_within_the_deadline(wait_for, dripping_server):
    startup = wait_for("--help").seconds
    result = wait_for("--timeout", "5", f"http://127.0.0.1:{dripping_server}/health/", timeout=30)
    assert result.code == 3, result
    assert result.seconds - startup <= 5 + 1, (startup, result)
    assert "no complete answer" in result.output


def test_a_silent_amqp_port_times_out_within_the_deadline(wait_for, silent_port):
    startup = wait_for("--help").seconds
    result = wait_for("--timeout", "5", f"amqp://guest:guest@127.0.0.1:{silent_port}//", timeout=30)
    assert result.code == 3, result
    assert result.seconds - startup <= 5 + 1, (startup, result)
    assert f"rabbitmq at 127.0.0.1:{silent_port}" in result.output


def test_urls_come_from_the_variables_named(wait_for, http_server):
    environment = {"DATABASE_URL": require_server("PostgreSQL"), "HEALTH_URL": http_server}
    result = wait_for("--timeout", "20", "DATABASE_URL", "HEALTH_URL/ok", env=environment)
    assert result.code == 0, result
    assert "(DATABASE_URL): ready" in result.output
    assert "http at 127.0.0.1" in result.output and "/ok (HEALTH_URL): ready" in result.output
    unset = wait_for("--timeout", "5", "NO_SUCH_URL")
    assert unset.code == 2, unset
    assert "NO_SUCH_URL is not set" in unset.output


def test_credentials_are_never_printed(wait_for):
    # A "#" in a password cuts the URL short: the parser then reads the password as the port.
    unparsable = "postgres://app:s3cret#pass@127.0.0.1:5432/app"
    for arguments, env in [
        (["DATABASE_URL"], {"DATABASE_URL": unparsable}),
        ([unparsable], {}),
    ]:
        result = wait_for("--timeout", "5", *arguments, env=env)
        assert result.code == 2, result
        assert "cannot be parsed" in result.output
        assert "s3cret" not in result.output, result
    broker = urlsplit(require_server("RabbitMQ"))
    wrong = f"amqp://{broker.username}:wrong-password-123@{broker.hostname}:{broker.port}//"
    refused = wait_for("--timeout", "30", "CELERY_BROKER_URL", env={"CELERY_BROKER_URL": wrong})
    assert refused.code == 4, refused
    assert "wrong-password-123" not in refused.output


def test_the_host_header_can_be_the_site_s_name(wait_for, http_server):
    assert wait_for("--timeout", "2", f"{http_server}/example").code == 3
    result = wait_for("--timeout", "5", "--host", "example.com", f"{http_server}/example")
    assert result.code == 0, result
