"""The health check of persistent PostgreSQL connections (config/postgresql/): a connection that
the server ended is found unusable without a query, so a request after a database restart gets a
new connection instead of an error."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.service("database"), pytest.mark.django_db(transaction=True)]


def test_a_connection_the_server_ended_is_replaced_before_a_query_fails() -> None:
    connection.ensure_connection()
    assert connection.is_usable()
    backend_pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not connection.is_usable()
    # A new request: Django checks the reused connection before its first query.
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != backend_pid


def test_the_check_of_a_healthy_connection_sends_nothing() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last query before the check'")
        backend_pid = connection.connection.info.backend_pid
    assert connection.is_usable()
    # The server's view of the session: its last statement is still ours, not a `SELECT 1`.
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        last = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend_pid]).fetchone()
    assert last == ("SELECT 'the last query before the check'",)
