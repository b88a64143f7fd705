"""gunicorn configuration: `gunicorn -c config/gunicorn.py config.wsgi`.

Sizing defaults, measured with the template's benchmark (docs/performance.md), each
overridable from the environment:
- GUNICORN_WORKERS = the CPUs this process may use, at least 2: 2 on 2 cores, 8 on 8. A page
  here waits little (persistent database connections, Redis nearby), so a worker beyond the
  cores only competes for them: on 2 cores, 3 workers served no more than 2 (2,540 against
  2,590 req/s) and doubled the p99 (6.5 ms, 3.2x p50, against 3.5 ms, 1.6x). Raise it when
  requests wait on slow services (external APIs, a distant database), lower it when memory is
  tight.
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

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The CPUs of this process's affinity mask (what `taskset` or a cpuset leaves it), not the host's;
# never fewer than 2, so that one slow request or one crashed worker does not stop the site.
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, len(os.sched_getaffinity(0)))))
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
# Logs to stdout/stderr, where Docker and Supervisor collect them. The access log line cost 12%
# of the home page's rate in the benchmark: GUNICORN_ACCESS_LOG= (empty) turns it off where a
# proxy in front (nginx) logs every request already.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No control socket: Docker and Supervisor manage gunicorn with signals, and the default path
# ($HOME/.gunicorn/gunicorn.ctl) would be shared by every gunicorn of the same user on a host.
control_socket_disable = True
# Heartbeat files in memory, not on a possibly slow container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 # nosec B108 heartbeat, no data
