"""gunicorn configuration: `gunicorn -c config/gunicorn.py config.wsgi`.

Sizing defaults, measured with the template's benchmark (docs/performance.md), each
overridable from the environment:
- GUNICORN_WORKERS = CPUs + 1 sync workers: 3 on 2 cores, 9 on 8. A page here waits little
  (persistent database connections, Redis nearby), so workers beyond the cores only queue for
  the CPU: on 2 cores, 5 workers served no more than 3 and stretched the p99. Raise it when
  requests wait on slow services (external APIs), lower it when memory is tight.
- GUNICORN_THREADS = 1: gthread (threads > 1) measured no faster than sync workers on these
  pages; threads pay off only for requests that mostly wait.
- GUNICORN_MAX_REQUESTS = 0: no recycling. A recycled worker imports the whole project again
  while the others take its share; with 1,000 it was 5 reboots per 12 s of load and the cause of
  a 1.4-1.8 s p99. Worker memory stayed flat under the benchmark: set it (with its jitter) only
  once a leak is shown.
- No preload_app: it would make a replaced worker start faster (a fork of an imported master),
  but `kill -HUP` (the zero-downtime reload of deploy/) would then keep serving the old code;
  without recycling, workers are replaced only after a crash or a timeout.
- GUNICORN_TIMEOUT = 30 s: a worker silent for longer is killed and replaced.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# 0: never recycle (see above); the jitter spreads recycling out once it is turned on.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
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
