"""gunicorn configuration: `gunicorn -c config/gunicorn.py config.wsgi`.

Sizing defaults, each overridable from the environment:
- GUNICORN_WORKERS = 2 * CPUs + 1: the usual rule for synchronous workers, which spend most of
  their time waiting on the database and other services; lower it when memory is tight.
- GUNICORN_THREADS = 1: threads per worker; raise it (gunicorn then uses gthread workers) for
  many slow, I/O-bound requests.
- GUNICORN_TIMEOUT = 30 s: a worker silent for longer is killed and replaced.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then (with jitter, so not all at once) to bound memory leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 100))
# Whether a request came over HTTPS is Django's call alone (SECURE_PROXY_SSL_HEADER, on only
# behind a proxy that sets X-Forwarded-Proto itself). gunicorn would otherwise believe the header
# from loopback clients and over its Unix socket, forged or not.
secure_scheme_headers: dict[str, str] = {}
# Logs to stdout/stderr, where Docker and Supervisor collect them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No control socket: Docker and Supervisor manage gunicorn with signals, and the default path
# ($HOME/.gunicorn/gunicorn.ctl) would be shared by every gunicorn of the same user on a host.
control_socket_disable = True
# Heartbeat files in memory, not on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 # nosec B108 heartbeat, no data
