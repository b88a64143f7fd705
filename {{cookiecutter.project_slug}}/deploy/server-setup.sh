#!/usr/bin/env bash
# Set up (or update) {{ cookiecutter.project_name }} on a fresh Debian 12 / Ubuntu 24.04 server, as root.
#
#   deploy/server-setup.sh              every step below, in order; safe to run again
#   deploy/server-setup.sh STEP...      only these steps, e.g. `deploy/server-setup.sh release`
#
# docs/deploy.md walks through each step; it shows this file, so the guide is what runs.
# Settings (environment variables, with their defaults):
#   APP_USER   system user that runs the processes             {{ cookiecutter.project_slug }}
#   APP_DIR    the checkout (code, .venv, var/)                /srv/{{ cookiecutter.project_slug }}/app
#   APP_REPO   git URL to clone into APP_DIR; unset: the code is already there (rsync, scp)
#   DOMAIN     public host name                                {{ cookiecutter.domain_name }}
#   EMAIL      Let's Encrypt account e-mail                     {{ cookiecutter.email }}
#   BACKUP_KEEP_DAYS  days of database backups to keep          14
set -euo pipefail

APP_USER=${APP_USER:-{{ cookiecutter.project_slug }}}
APP_DIR=${APP_DIR:-/srv/{{ cookiecutter.project_slug }}/app}
APP_REPO=${APP_REPO:-}
DOMAIN=${DOMAIN:-{{ cookiecutter.domain_name | shell_word }}}
EMAIL=${EMAIL:-{{ cookiecutter.email | shell_word }}}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
SERVICE={{ cookiecutter.project_slug }}
# The project name as systemd reads it in Description= (the heredocs expand $ but not its value).
# shellcheck disable=SC2016  # the name is text: a $ in it is never expanded
UNIT_DESCRIPTION={{ cookiecutter.project_name | systemd_text | shell_word }}
# The server's own settings (database, broker...): systemd reads it, and it has precedence over
# the env files in .envs/.production/ (see docs/deploy.md).
HOST_ENV=/etc/$SERVICE/host.env

# [packages]
packages() {
    apt-get update
    apt-get install --yes --no-install-recommends \
        python3 python3-venv git make curl ca-certificates gettext-base logrotate \
        postgresql postgresql-client{% if feature("redis") %} redis-server{% endif %}{% if feature("rabbitmq") %} rabbitmq-server{% endif %}{% if feature("nginx") %} nginx certbot python3-certbot-nginx{% endif %}
    # uv installs the project's pinned Python dependencies; one copy for the whole server.
    if [[ ! -x /opt/uv/bin/uv ]]; then
        python3 -m venv /opt/uv
        /opt/uv/bin/pip install --quiet uv==0.13.8
    fi
}
# [/packages]

# [user]
user() {
    if ! id "$APP_USER" >/dev/null 2>&1; then
        adduser --system --group --home "/srv/$SERVICE" --shell /bin/bash "$APP_USER"
    fi
    install --directory --owner "$APP_USER" --group "$APP_USER" --mode 0755 "/srv/$SERVICE"
}
# [/user]

# [code]
code() {
    if [[ -n $APP_REPO ]]; then
        if [[ -d $APP_DIR/.git ]]; then
            as_app git -C "$APP_DIR" pull --ff-only
        else
            as_app git clone "$APP_REPO" "$APP_DIR"
        fi
    fi
    [[ -f $APP_DIR/manage.py ]] || {
        echo "No code in $APP_DIR: set APP_REPO, or copy the project there first." >&2
        exit 1
    }
    chown -R "$APP_USER:$APP_USER" "$APP_DIR"
}
# [/code]

# [env]
env_files() {
    # The production env files hold the secrets: only the app user may read them.
    [[ -f $APP_DIR/.envs/.production/.django ]] || {
        echo "Copy .envs/.production/ of your project (it is not in git) to $APP_DIR first." >&2
        exit 1
    }
    chown -R "$APP_USER:$APP_USER" "$APP_DIR/.envs"
    chmod 0600 "$APP_DIR"/.envs/.production/.*
    install --directory --mode 0750 --group "$APP_USER" "/etc/$SERVICE"
    if [[ ! -f $HOST_ENV ]]; then
        # The env files name the compose services as hosts; on this server they are local.
        install --mode 0640 --group "$APP_USER" /dev/null "$HOST_ENV"
        cat >"$HOST_ENV" <<EOF
DJANGO_ALLOWED_HOSTS=$DOMAIN
DATABASE_URL=postgres://$APP_USER@/$APP_USER
{%- if feature("redis_cache") %}
REDIS_URL=redis://127.0.0.1:6379/0
{%- endif %}
{%- if feature("rabbitmq") %}
CELERY_BROKER_URL=amqp://$APP_USER:$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9)@127.0.0.1:5672/$APP_USER
{%- elif feature("celery") %}
CELERY_BROKER_URL=redis://127.0.0.1:6379/1
{%- endif %}
GUNICORN_BIND=unix:$APP_DIR/var/run/gunicorn.sock
EOF
    fi
}
# [/env]

# [services]
services() {
    # PostgreSQL on this server: a role and a database named after the app user, reached over
    # the local socket with peer authentication (no password to keep).
    if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$APP_USER'" | grep -q 1; then
        runuser -u postgres -- createuser "$APP_USER"
        runuser -u postgres -- createdb --owner "$APP_USER" "$APP_USER"
    fi
{%- if feature("rabbitmq") %}
    # RabbitMQ: a vhost and a user for the app, with the password written in $HOST_ENV.
    local broker_password
    broker_password=$(sed -n "s|^CELERY_BROKER_URL=amqp://$APP_USER:\([^@]*\)@.*|\1|p" "$HOST_ENV")
    if ! rabbitmqctl list_users --silent | grep -q "^$APP_USER\b"; then
        rabbitmqctl add_user "$APP_USER" "$broker_password"
    fi
    rabbitmqctl add_vhost "$APP_USER" 2>/dev/null || true
    rabbitmqctl set_permissions --vhost "$APP_USER" "$APP_USER" ".*" ".*" ".*"
{%- endif %}
}
# [/services]

# [python]
python_env() {
    # The production dependencies and supervisor, from the pinned lock; no development tools.
    as_app env UV_PROJECT_ENVIRONMENT="$APP_DIR/.venv" \
        /opt/uv/bin/uv sync --locked --directory "$APP_DIR" --no-dev --group deploy --compile-bytecode --python python3
}
# [/python]
{%- if feature("vue") %}

# [frontend]
frontend() {
    # The Vue tooling needs Node.js 22 or later, newer than the distribution's: Node 24 LTS comes
    # as a package of the npm registry, into /opt/node24. Only the build needs it, not the site.
    apt-get install --yes --no-install-recommends nodejs npm
    if [[ ! -x /opt/node24/node_modules/.bin/node ]]; then
        npm install --prefix /opt/node24 node@24
    fi
    as_app env PATH="/opt/node24/node_modules/.bin:$PATH" make --directory "$APP_DIR" frontend-build
}
# [/frontend]
{%- endif %}

# [django]
django() {
    as_app_env "$APP_DIR/deploy/host.sh" manage migrate --noinput
    as_app_env "$APP_DIR/deploy/host.sh" manage collectstatic --noinput --verbosity 0
}
# [/django]

# [supervisor]
supervisor() {
    # systemd runs the app's own supervisord, as the app user, in the foreground: it restarts
    # supervisord itself, and supervisord restarts gunicorn{% if feature("celery") %} and the Celery processes{% endif %}.
    cat >"/etc/systemd/system/$SERVICE.service" <<EOF
[Unit]
Description=$UNIT_DESCRIPTION (supervisord)
After=network-online.target postgresql.service{% if feature("redis") %} redis-server.service{% endif %}{% if feature("rabbitmq") %} rabbitmq-server.service{% endif %}
Wants=network-online.target

[Service]
User=$APP_USER
Group=$APP_USER
WorkingDirectory=$APP_DIR
EnvironmentFile=$HOST_ENV
ExecStart=$APP_DIR/deploy/host.sh run
# A reload is zero-downtime: gunicorn's master starts workers on the new code, then retires the old.
ExecReload=$APP_DIR/.venv/bin/supervisorctl -c $APP_DIR/deploy/supervisor/supervisord.conf signal HUP web
Restart=always
RestartSec=2
TimeoutStopSec=150

[Install]
WantedBy=multi-user.target
EOF
    systemctl daemon-reload
    systemctl enable --now "$SERVICE.service"
}
# [/supervisor]
{%- if feature("nginx") %}

# [nginx]
nginx_site() {
    # The site of compose/nginx/, rendered for this server by the same code as for host-up;
    # www-data reaches gunicorn's socket and the static files under $APP_DIR.
    chmod 0755 "$APP_DIR" "$APP_DIR/var" "$APP_DIR/var/run"
    as_app_env env NGINX_LISTEN_PORT=80 NGINX_SERVER_NAME="$DOMAIN" \
        "$APP_DIR/deploy/host.sh" nginx-site >"/etc/nginx/sites-available/$SERVICE.conf"
    ln -sf "/etc/nginx/sites-available/$SERVICE.conf" "/etc/nginx/sites-enabled/$SERVICE.conf"
    rm -f /etc/nginx/sites-enabled/default
    nginx -t
    systemctl reload nginx
}
# [/nginx]

# [tls]
tls() {
    # Obtains the certificate once, and installs it again into the site rendered above: the
    # site file is regenerated on every run, so certbot's TLS lines are too. Debian's certbot
    # package renews by a systemd timer.
    certbot --nginx --non-interactive --agree-tos --email "$EMAIL" --domains "$DOMAIN" \
        --redirect --keep-until-expiring
}
# [/tls]
{%- endif %}

# [logs]
logs() {
    # supervisord rotates the programs' logs in $APP_DIR/var/log by size (see the program files);
    # supervisord's own output goes to the journal: journalctl -u {{ cookiecutter.project_slug }}.{% if feature("nginx") %} Debian's nginx
    # package rotates /var/log/nginx daily.{% endif %} Only the backups need a rule: see backups().
    journalctl --unit "$SERVICE" --lines 5 --no-pager || true
}
# [/logs]

# [backups]
backups() {
    # A nightly custom-format dump of the database into $APP_DIR/var/backups, the last
    # $BACKUP_KEEP_DAYS days kept. Copy that folder off the server (restic, rsync): a backup on
    # the same disk is no backup.
    cat >"/etc/systemd/system/$SERVICE-backup.service" <<EOF
[Unit]
Description=$UNIT_DESCRIPTION database backup

[Service]
Type=oneshot
User=$APP_USER
EnvironmentFile=$HOST_ENV
Environment=BACKUP_KEEP_DAYS=$BACKUP_KEEP_DAYS
ExecStart=$APP_DIR/deploy/host.sh backup
EOF
    cat >"/etc/systemd/system/$SERVICE-backup.timer" <<EOF
[Unit]
Description=Nightly $UNIT_DESCRIPTION database backup

[Timer]
OnCalendar=*-*-* 03:15
Persistent=true

[Install]
WantedBy=timers.target
EOF
    systemctl daemon-reload
    systemctl enable --now "$SERVICE-backup.timer"
}
# [/backups]

# [release]
release() {
    # A new version: code, dependencies,{% if feature("vue") %} the frontend build,{% endif %} schema, static files, then a reload
    # without downtime.
    code
    python_env
{%- if feature("vue") %}
    frontend
{%- endif %}
    django
    systemctl reload "$SERVICE.service"
{%- if feature("celery") %}
    # Celery has no graceful code reload: a warm restart lets running tasks finish first.
    as_app_env "$APP_DIR/.venv/bin/supervisorctl" -c "$APP_DIR/deploy/supervisor/supervisord.conf" \
        restart celeryworker celerybeat
{%- endif %}
}
# [/release]

as_app() {
    runuser -u "$APP_USER" -- "$@"
}

# A command as the app user, with the server's settings loaded as systemd loads them.
as_app_env() {
    # shellcheck disable=SC2016  # expanded by the inner shell
    runuser -u "$APP_USER" -- bash -c 'set -a && . "$0" && set +a && exec "$@"' "$HOST_ENV" "$@"
}

ALL_STEPS=(packages user code env_files services python_env{% if feature("vue") %} frontend{% endif %} django supervisor{% if feature("nginx") %} nginx_site tls{% endif %} logs backups)

main() {
    [[ $(id -u) == 0 ]] || {
        echo "Run this as root (sudo $0)." >&2
        exit 1
    }
    local step
    (($# > 0)) || set -- "${ALL_STEPS[@]}"
    for step in "$@"; do
        case " ${ALL_STEPS[*]} release " in
            *" $step "*) "$step" ;;
            *) echo "Unknown step $step; steps: ${ALL_STEPS[*]} release" >&2 && exit 2 ;;
        esac
    done
}

main "$@"
