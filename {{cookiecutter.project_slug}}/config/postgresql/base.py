"""Django's PostgreSQL backend, with a health check of persistent connections that sends nothing.

With CONN_HEALTH_CHECKS, Django asks `is_usable()` before the first query of each request that
reuses a connection. The stock check runs `SELECT 1`: a round trip per request, which cost the home
page 75% of its throughput in the benchmark (docs/performance.md). An idle connection has nothing
to read from its socket; when PostgreSQL ends a session (a restart, `pg_terminate_backend`, an
idle timeout) it sends its goodbye and closes, and the socket turns readable. So a readable
socket marks the connection unusable, and Django opens a new one instead of failing the request.
A false alarm (a notice the server sent unasked) costs only a reconnect.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
