#!/usr/bin/env bash
# The production shape of {{ cookiecutter.project_name }} on this host, under a private supervisord.
#
#   deploy/host.sh up       migrate, collectstatic, start every program, wait until /health/ answers
#   deploy/host.sh down     stop every program and supervisord; return when no process is left
#   deploy/host.sh status   the state of each program
#   deploy/host.sh logs     follow the programs' logs
#   deploy/host.sh run      supervisord in the foreground: what systemd runs on a server
#   deploy/host.sh manage ARGS   a management command with the same settings as the programs
#   deploy/host.sh backup   dump the database into var/backups
{%- if feature("nginx") %}
#   deploy/host.sh nginx-site    print the site of compose/nginx/ rendered for this host
{%- endif %}
#
# Settings: a variable set in the environment wins; the others come from .envs/.production/*.
# Those files name the compose services (postgres, redis...) as hosts, so outside compose set at
# least DATABASE_URL{% if feature("redis_cache") %}, REDIS_URL{% endif %}{% if feature("celery") %} and CELERY_BROKER_URL{% endif %} (systemd: EnvironmentFile=).
# Everything this script creates lives in the project's var/: no root is needed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=$ROOT/var
CONF=$ROOT/deploy/supervisor/supervisord.conf
VENV=${HOST_VENV:-$ROOT/.venv}
HOST_HTTP_PORT=${HOST_HTTP_PORT:-8088}
HOST_WAIT_TIMEOUT=${HOST_WAIT_TIMEOUT:-120}
PIDFILE=$VAR/run/supervisord.pid
SOCKET=$VAR/run/supervisor.sock
SESSION_FILE=$VAR/run/supervisord.sid
# shellcheck disable=SC2016  # the name is text: a $ in it is never expanded
PROJECT_NAME={{ cookiecutter.project_name | shell_word }}
DOMAIN_NAME={{ cookiecutter.domain_name | shell_word }}

die() {
    echo "deploy/host.sh: $*" >&2
    exit 1
}

# Export KEY=value lines of an env file (the format compose and systemd read), keeping every
# variable that is already set: the caller's environment has precedence over the files.
load_env_file() {
    local line key
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        key=${line%%=*}
        [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$1: not a KEY=value line: $line"
        [[ -v $key ]] || export "${key}=${line#*=}"
    done <"$1"
}

compose_environment() {
    local file
    for file in "$ROOT"/.envs/.production/.*; do
        [[ -f $file ]] && load_env_file "$file"
    done
    export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.production}
    export PATH="$VENV/bin:$PATH"
{%- if feature("nginx") %}
    export GUNICORN_BIND=${GUNICORN_BIND:-unix:$VAR/run/gunicorn.sock}
{%- else %}
    export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:$HOST_HTTP_PORT}
{%- endif %}
    export HOST_HTTP_PORT
{%- if feature("celery") %}
    # Flower has no login unless FLOWER_BASIC_AUTH is set: keep it off the network by default.
    export FLOWER_ADDRESS=${FLOWER_ADDRESS:-127.0.0.1}
{%- endif %}
    mkdir -p "$VAR/run" "$VAR/log"
    [[ -x $VENV/bin/supervisord ]] ||
        die "no supervisord in $VENV; install the project first: make install LOCAL=1"
    # The control socket's path must fit in a sockaddr_un (108 bytes with its terminator).
    (($(wc -c <<<"$SOCKET") <= 100)) || die "the project path is too long for a Unix socket: $SOCKET"
}

supervisorctl() {
    "$VENV/bin/supervisorctl" -c "$CONF" "$@"
}

running() {
    [[ -S $SOCKET ]] && supervisorctl pid >/dev/null 2>&1
}
{%- if feature("nginx") %}

# A template of compose/nginx/ or deploy/nginx/, printed with this host's values. The site is the
# one the nginx image serves; only the upstream, the port, the name and the file roots differ.
render_site() {
    local nginx_vars rendered
    # gunicorn's bind and nginx's upstream server share a syntax: host:port or unix:/path.
    export NGINX_UPSTREAM=$GUNICORN_BIND
    # host-up answers on the loopback only; a server's nginx listens on port 80 of every address.
    export NGINX_LISTEN_PORT=${NGINX_LISTEN_PORT:-127.0.0.1:$HOST_HTTP_PORT}
    export NGINX_SERVER_NAME=${NGINX_SERVER_NAME:-localhost}
    export NGINX_STATIC_ROOT=${DJANGO_STATIC_ROOT:-$ROOT/staticfiles}
    export NGINX_MEDIA_ROOT=${DJANGO_MEDIA_ROOT:-$ROOT/media}
    # A load balancer whose X-Forwarded-Proto nginx may believe; 0.0.0.0/32 matches no client.
    export NGINX_TRUSTED_PROXY=${NGINX_TRUSTED_PROXY:-0.0.0.0/32}
    export NGINX_VAR_DIR=$VAR
    # Only ours: nginx's own variables ($host, $remote_addr...) must reach nginx untouched.
    nginx_vars=$(compgen -e | grep '^NGINX_' | sed 's/.*/${&}/' | tr '\n' ' ')
    rendered=$(envsubst "$nginx_vars" <"$1")
    if grep -nE '[$][{]NGINX_' <<<"$rendered" >&2; then
        die "$1 uses variables this script does not set (above)"
    fi
    printf '%s\n' "$rendered"
}

# host-up's own nginx: the site plus a main file whose pid, logs and temporary files are in var/.
render_host_nginx() {
    mkdir -p "$VAR/nginx/tmp"
    NGINX_USER_DIRECTIVE=
    [[ $(id -u) == 0 ]] && NGINX_USER_DIRECTIVE="user root root;"
    export NGINX_USER_DIRECTIVE
    render_site "$ROOT/compose/nginx/site.template" >"$VAR/nginx/site.conf"
    render_site "$ROOT/deploy/nginx/nginx.conf.template" >"$VAR/nginx/nginx.conf"
    nginx -t -q -c "$VAR/nginx/nginx.conf" ||
        die "nginx rejects $VAR/nginx/nginx.conf"
}
{%- endif %}

wait_for() {
    python "$ROOT/compose/django/wait_for.py" --timeout "$HOST_WAIT_TIMEOUT" "$@"
}

up() {
    # This host serves plain HTTP on 127.0.0.1. Production settings would redirect every page
    # to an https:// URL that nothing answers here (/health/ is exempt), so host-up turns that
    # redirect off unless you set it, instead of faking X-Forwarded-Proto. The production env
    # file allows only the real domain: host-up adds this host's names.
    export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-False}
    compose_environment
    export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-$DOMAIN_NAME},localhost,127.0.0.1"
    if ! running && (: <"/dev/tcp/127.0.0.1/$HOST_HTTP_PORT") 2>/dev/null; then
        die "port $HOST_HTTP_PORT is taken by another program: choose another with HOST_HTTP_PORT=..."
    fi
    # Names: wait_for.py reads the URLs from the environment, so no password is in its argv.
    wait_for DATABASE_URL{% if feature("redis_cache") %} REDIS_URL{% endif %}{% if feature("celery") %} CELERY_BROKER_URL{% endif %}
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
{%- if feature("nginx") %}
    render_host_nginx
    export SUPERVISOR_HOST_PROGRAMS="host/*.conf"
{%- else %}
    export SUPERVISOR_HOST_PROGRAMS=
{%- endif %}
    if running; then
        # Already up: apply changed program files and start whatever is stopped.
        supervisorctl update
        supervisorctl start all >/dev/null || true
{%- if feature("nginx") %}
        supervisorctl signal HUP nginx >/dev/null
{%- endif %}
    else
        "$VENV/bin/supervisord" -c "$CONF"
        # supervisord daemonizes with setsid(): its session holds every process it ever starts,
        # including a worker orphaned by a killed master. `down` sweeps that session.
        for _ in {1..50}; do
            [[ -s $PIDFILE ]] && break
            sleep 0.1
        done
        [[ -s $PIDFILE ]] || die "supervisord did not start; see $VAR/log/supervisord.log"
        ps -o sid= -p "$(<"$PIDFILE")" | tr -d ' ' >"$SESSION_FILE"
    fi
    if ! wait_for "http://127.0.0.1:$HOST_HTTP_PORT/health/"; then
        supervisorctl status || true
        tail -n 20 "$VAR"/log/*.log >&2
        die "/health/ did not answer; the programs' logs are in $VAR/log/"
    fi
    # Up means every program up: Supervisor counts one as RUNNING once it has lived for its
    # startsecs, which can end after the site already answers. (`status` exits 0 on STARTING.)
    local attempt not_running
    for attempt in {1..30}; do
        not_running=$(supervisorctl status | awk '$2 != "RUNNING" { printf "%s %s; ", $1, $2 }' || true)
        [[ -z $not_running ]] && break
        ((attempt < 30)) || die "not every program is RUNNING: $not_running"
        sleep 1
    done
    echo "$PROJECT_NAME is up: http://127.0.0.1:$HOST_HTTP_PORT/ (make host-status, make host-logs, make host-down)"
}

session_pids() {
    local sid=$1
    ps -e -o pid=,sid= | awk -v sid="$sid" '$2 == sid && $1 != sid { print $1 }'
}

down() {
    local sid="" pid="" pids
    [[ -f $SESSION_FILE ]] && sid=$(<"$SESSION_FILE")
    [[ -f $PIDFILE ]] && pid=$(<"$PIDFILE")
    if [[ -x $VENV/bin/supervisorctl ]] && running; then
        supervisorctl shutdown >/dev/null
    fi
    # supervisord returns from shutdown at once and stops its programs in the background.
    if [[ -n $pid ]]; then
        for _ in {1..1800}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && die "supervisord ($pid) is still stopping its programs"
    fi
    # Whatever outlived its parent (a worker whose master was killed) goes now.
    if [[ -n $sid ]]; then
        pids=$(session_pids "$sid")
        if [[ -n $pids ]]; then
            # shellcheck disable=SC2086  # one argument per pid
            kill -TERM $pids 2>/dev/null || true
            sleep 2
            pids=$(session_pids "$sid")
            # shellcheck disable=SC2086
            [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE" "$SESSION_FILE"
    echo "$PROJECT_NAME is down."
}

status() {
    if [[ -x $VENV/bin/supervisorctl ]] && running; then
        supervisorctl status
    else
        echo "$PROJECT_NAME is not running on this host (make host-up)."
        return 3
    fi
}

logs() {
    mkdir -p "$VAR/log"
    exec tail -n 50 -F "$VAR"/log/*.log
}

run() {
    compose_environment
    export SUPERVISOR_HOST_PROGRAMS=
    exec "$VENV/bin/supervisord" -n -c "$CONF"
}

manage() {
    compose_environment
    exec python manage.py "$@"
}

# A custom-format dump of the database into var/backups; dumps older than BACKUP_KEEP_DAYS go.
backup() {
    compose_environment
    local target
    mkdir -p "$VAR/backups"
    target=$VAR/backups/$(date -u +%Y%m%dT%H%M%SZ).dump
    # libpq takes the postgres:// URL as it is.
    pg_dump --format=custom --file "$target" --dbname "$DATABASE_URL"
    find "$VAR/backups" -name '*.dump' -mtime "+${BACKUP_KEEP_DAYS:-14}" -delete
    echo "$target"
}

cd "$ROOT"
case ${1:-} in
    up) up ;;
    down) down ;;
    status) status ;;
    logs) logs ;;
    run) run ;;
    manage) manage "${@:2}" ;;
    backup) backup ;;
{%- if feature("nginx") %}
    nginx-site)
        compose_environment
        render_site "$ROOT/compose/nginx/site.template"
        ;;
{%- endif %}
    *) die "usage: deploy/host.sh up|down|status|logs|run|manage ARGS|backup{% if feature("nginx") %}|nginx-site{% endif %}" ;;
esac
