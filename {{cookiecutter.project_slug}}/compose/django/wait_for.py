"""Wait until the backing services answer at the protocol level, then exit.

    python compose/django/wait_for.py [--timeout SECONDS] [--host HOST] SERVICE [SERVICE ...]

The container entrypoint and the bare-metal start-up both call it before Django starts, with the
services that are configured. A SERVICE is the name of an environment variable that holds the
URL (DATABASE_URL), optionally followed by a path to append (DATABASE_URL/name),
or a URL without credentials (http://localhost:8000/health/): URLs with passwords belong in the
environment, not on a command line that `ps` shows to every user.

An open TCP port does not mean ready (PostgreSQL accepts connections while it replays its WAL, a
broker before its vhost exists), so each URL is checked the way the application will use it:

    postgres://, postgresql://, pgsql://, postgis://   connect and run SELECT 1     (psycopg)
    redis://, rediss://                               PING                          (redis)
{%- if feature("rabbitmq") %}
    amqp://, amqps://, pyamqp://                      log in to the vhost           (kombu)
{%- endif %}
    http://, https://                                 GET answers 2xx (urllib); give the health
                                                      endpoint itself, e.g. a search cluster's
                                                      /_cluster/health?wait_for_status=yellow
    http+unix://                                      the same through a Unix socket, its path
                                                      percent-encoded as the host:
                                                      http+unix://%2Frun%2Fgunicorn.sock/health/

Every network check opens a TCP connection first, so a closed port fails in milliseconds, driver
or not. --timeout is one deadline for everything: an attempt that has not finished when it comes
(a server that answers one byte a second, a port that accepts and says nothing) is abandoned.
--host sets the Host header of the HTTP checks (a site's own name, which ALLOWED_HOSTS lists).
Drivers are imported only for the schemes asked for: a project without Redis or a broker does
not need their libraries. User names and passwords are never printed, nor is a URL that cannot
be parsed (it may hold a password).

Exit status:
    0  every service is ready
    2  bad usage: unknown scheme, no host, a driver that is not installed
    3  timed out: the services that never became ready are named
    4  refused: a service answered but rejected the credentials, or the database or vhost does not
       exist; waiting longer would not help
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import queue
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

EXIT_READY = 0
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_REFUSED = 4

# One slow attempt must not eat the whole budget: a black-holed host is retried instead.
ATTEMPT_TIMEOUT = 5.0
RETRY_INTERVAL = 0.5


class BadURL(Exception):
    """The URL can never be checked (exit 2)."""


class NotReady(Exception):
    """The service is not there yet; try again."""


class Refused(Exception):
    """The service answered and said no; trying again would get the same answer (exit 4)."""


# An environment variable's name, and a path to append to its URL.
VARIABLE = re.compile(r"(?P<name>[A-Z_][A-Z0-9_]*)(?P<path>/.*)?")

# Every user name and password of the URLs given: nothing printed may contain them.
SECRETS: set[str] = set()


@dataclass(frozen=True)
class Service:
    url: str
    parts: SplitResult
    kind: str
    port: int
    check: Callable[[Service, float], None]
    variable: str | None = None
    host_header: str | None = None

    @property
    def socket_path(self) -> str:
        return unquote(self.parts.netloc)

    @property
    def label(self) -> str:
        path = self.parts.path if self.parts.path not in ("", "/") else ""
        source = f" ({self.variable})" if self.variable else ""
        if self.kind == "http+unix":
            return f"{self.kind} at {self.socket_path}{path}{source}"
        return f"{self.kind} at {self.parts.hostname}:{self.port}{path}{source}"


def tcp_open(service: Service, timeout: float) -> None:
    try:
        with socket.create_connection((service.parts.hostname, service.port), timeout=timeout):
            pass
    except socket.gaierror as error:
        raise NotReady(f"host name does not resolve ({error.strerror})") from error
    except OSError as error:
        raise NotReady(error.strerror or type(error).__name__) from error


def import_driver(module: str, scheme: str, distribution: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        raise BadURL(
            f"checking {scheme}:// URLs needs the {distribution} package; run this with the "
            "project's Python environment"
        ) from error


# Server messages that mean "this will never work with these settings" rather than "not yet".
POSTGRES_REFUSALS = (
    "password authentication failed",
    "authentication failed",
    "does not exist",
    "no pg_hba.conf entry",
    "permission denied",
)


def check_postgres(service: Service, timeout: float) -> None:
    tcp_open(service, timeout)
    psycopg = import_driver("psycopg", service.parts.scheme, "psycopg")
    # libpq knows only these two schemes; django-environ also accepts pgsql:// and postgis://.
    conninfo = urlunsplit(service.parts._replace(scheme="postgresql"))
    try:
        # libpq's connect_timeout is whole seconds, at least 2.
        with psycopg.connect(conninfo, connect_timeout=max(2, round(timeout))) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        message = str(error).strip().splitlines()[0]
        reason = message.split("FATAL:", 1)[-1].strip()
        if any(refusal in message for refusal in POSTGRES_REFUSALS):
            raise Refused(reason) from error
        raise NotReady(reason) from error


def check_redis(service: Service, timeout: float) -> None:
    tcp_open(service, timeout)
    redis = import_driver("redis", service.parts.scheme, "redis")
    client = redis.Redis.from_url(service.url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.AuthenticationError as error:
        raise Refused(str(error)) from error
    except redis.ResponseError as error:
        if str(error).startswith(("NOAUTH", "WRONGPASS", "NOPERM")):
            raise Refused(str(error)) from error
        raise NotReady(str(error)) from error
    except redis.RedisError as error:
        raise NotReady(str(error)) from error
    finally:
        client.close()


{%- if feature("rabbitmq") %}


def check_amqp(service: Service, timeout: float) -> None:
    tcp_open(service, timeout)
    kombu = import_driver("kombu", service.parts.scheme, "kombu")
    amqp_exceptions = import_driver("amqp.exceptions", service.parts.scheme, "amqp")
    connection = kombu.Connection(service.url, connect_timeout=timeout)
    try:
        connection.connect()
    except (amqp_exceptions.AccessRefused, amqp_exceptions.NotAllowed) as error:
        # 403: wrong user or password; 530: the vhost does not exist or the user may not use it.
        raise Refused(str(error)) from error
    except Exception as error:
        # kombu raises socket errors, its own and py-amqp's: any other failure means "not yet".
        raise NotReady(str(error) or type(error).__name__) from error
    finally:
        connection.release()
{%- endif %}


def check_http(service: Service, timeout: float) -> None:
    tcp_open(service, timeout)
    parts = service.parts
    # Credentials go in a header: urllib would send them to the host as part of the URL otherwise.
    netloc = parts.netloc.rpartition("@")[2]
    # Only http:// and https:// come here (CHECKS), never file:// or a custom scheme.
    request = urllib.request.Request(urlunsplit(parts._replace(netloc=netloc)))  # noqa: S310
    if service.host_header:
        request.add_header("Host", service.host_header)
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 # nosec B310 http(s) only
            response.read()
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise Refused(f"HTTP {error.code} {error.reason}") from error
        raise NotReady(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise NotReady(str(reason)) from error


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: float, host: str) -> None:
        # `host` is only the Host header: the connection goes to the socket.
        super().__init__(host, timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def check_http_unix(service: Service, timeout: float) -> None:
    connection = UnixHTTPConnection(service.socket_path, timeout, service.host_header or "localhost")
    path = service.parts.path or "/"
    if service.parts.query:
        path += "?" + service.parts.query
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    except FileNotFoundError as error:
        raise NotReady("no socket there yet") from error
    except (OSError, http.client.HTTPException) as error:
        raise NotReady(str(error) or type(error).__name__) from error
    finally:
        connection.close()
    if response.status in (401, 403):
        raise Refused(f"HTTP {response.status} {response.reason}")
    if not 200 <= response.status < 300:
        raise NotReady(f"HTTP {response.status} {response.reason}")


CHECKS: dict[str, tuple[str, int, Callable[[Service, float], None]]] = {
    "postgres": ("postgres", 5432, check_postgres),
    "postgresql": ("postgres", 5432, check_postgres),
    "pgsql": ("postgres", 5432, check_postgres),
    "postgis": ("postgres", 5432, check_postgres),
    "redis": ("redis", 6379, check_redis),
    "rediss": ("redis", 6379, check_redis),
{%- if feature("rabbitmq") %}
    "amqp": ("rabbitmq", 5672, check_amqp),
    "pyamqp": ("rabbitmq", 5672, check_amqp),
    "amqps": ("rabbitmq", 5671, check_amqp),
{%- endif %}
    "http": ("http", 80, check_http),
    "https": ("https", 443, check_http),
    "http+unix": ("http+unix", 0, check_http_unix),
}


def remember_secrets(url: str) -> None:
    """Note the credentials of a URL, however malformed, before anything about it is printed."""
    userinfo = urlsplit(url).netloc.rpartition("@")[0] if "://" in url else ""
    if ":" in userinfo:
        password = userinfo.split(":", 1)[1]
        # Shorter strings would blank out ordinary words of the messages.
        SECRETS.update(secret for secret in (password, unquote(password)) if len(secret) >= 4)


def parse(argument: str, host_header: str | None = None) -> Service:
    variable = None
    named = VARIABLE.fullmatch(argument)
    if named:
        variable = named["name"]
        value = os.environ.get(variable, "")
        if not value:
            raise BadURL(f"{variable} is not set (or empty) in the environment")
        url = value.rstrip("/") + named["path"] if named["path"] else value
        where = variable
    else:
        url, where = argument, "a"
    remember_secrets(url)
    parts = urlsplit(url)
    if parts.scheme not in CHECKS:
        scheme = repr(parts.scheme) if parts.scheme else "no scheme"
        raise BadURL(f"{where} URL with {scheme}: unknown URL scheme; known: {', '.join(CHECKS)}")
    kind, default_port, check = CHECKS[parts.scheme]
    service = Service(
        url=url, parts=parts, kind=kind, port=0, check=check, variable=variable, host_header=host_header
    )
    if kind == "http+unix":
        if not parts.netloc.startswith("%2F"):
            raise BadURL(f"{where} http+unix:// URL without an absolute, percent-encoded socket path")
        return service
    try:
        hostname, port = parts.hostname, parts.port or default_port
    except ValueError as error:
        # The parser's message quotes the URL, password and all: it is not repeated here.
        raise BadURL(
            f"{where} {kind} URL that cannot be parsed (percent-encode special characters in the "
            "user name and password)"
        ) from error
    if not hostname:
        raise BadURL(f"{where} {kind} URL without a host")
    return Service(
        url=url, parts=parts, kind=kind, port=port, check=check, variable=variable, host_header=host_header
    )


def redact(message: str) -> str:
    for secret in sorted(SECRETS, key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def say(message: str) -> None:
    print(f"wait_for: {redact(message)}", file=sys.stderr, flush=True)


def attempt(service: Service, timeout: float) -> None:
    """One check, given up after `timeout` seconds whatever the driver is doing.

    Drivers time out each socket operation, not the whole exchange: a server that drips one byte
    a second, or accepts and never speaks, holds them far longer. The check runs in a daemon
    thread; one that has not finished in time is left behind and dies with the process.
    """
    outcome: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()

    def run() -> None:
        try:
            service.check(service, timeout)
        except BaseException as error:  # handed over to the waiting thread, which raises it
            outcome.put(error)
        else:
            outcome.put(None)

    threading.Thread(target=run, name=service.label, daemon=True).start()
    try:
        error = outcome.get(timeout=timeout)
    except queue.Empty:
        raise NotReady(f"no complete answer within {timeout:.1f}s") from None
    if error is not None:
        raise error


def wait(services: list[Service], timeout: float) -> int:
    started = time.monotonic()
    deadline = started + timeout
    pending = list(services)
    last_reason: dict[str, str] = {}
    while True:
        for service in list(pending):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                attempt(service, min(ATTEMPT_TIMEOUT, remaining))
            except NotReady as error:
                reason = str(error)
                if last_reason.get(service.url) != reason:
                    say(f"{service.label}: not ready yet ({reason})")
                    last_reason[service.url] = reason
            except Refused as error:
                say(f"{service.label}: refused: {error}")
                say("giving up: check the credentials and names in the environment")
                return EXIT_REFUSED
            else:
                say(f"{service.label}: ready after {time.monotonic() - started:.1f}s")
                pending.remove(service)
        if not pending:
            return EXIT_READY
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            names = ", ".join(
                f"{service.label} ({last_reason.get(service.url, 'no answer')})" for service in pending
            )
            say(f"timed out after {timeout:g}s; never became ready: {names}")
            return EXIT_TIMEOUT
        time.sleep(min(RETRY_INTERVAL, remaining))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Wait until backing services answer at the protocol level.",
        epilog="Exit status: 0 ready, 2 bad usage, 3 timed out, 4 refused (credentials or names).",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="give up after this many seconds in all (default: 60)",
    )
    parser.add_argument("--host", help="the Host header of HTTP checks (default: the URL's host)")
    parser.add_argument(
        "services",
        nargs="+",
        metavar="SERVICE",
        help="a variable holding a URL (DATABASE_URL), optionally with a path to append, or a URL "
        "without credentials",
    )
    arguments = parser.parse_args(argv)
    if arguments.timeout <= 0:
        parser.error("--timeout must be positive")
    try:
        services = [parse(service, arguments.host) for service in arguments.services]
        return wait(services, arguments.timeout)
    except BadURL as error:
        say(f"error: {error}")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
