##@ Bare-metal production

# The port the production shape answers on when started by host-up; 8088 stays clear of the
# development servers (runserver 8000{% if feature("sentry") %}, GlitchTip 8001{% endif %}{% if feature("celery") %}, flower 5555{% endif %}{% if feature("vue") %}, Vite 8080{% endif %}).
HOST_HTTP_PORT ?= 8088
export HOST_HTTP_PORT

.PHONY: host-up host-down host-status host-logs

# The production pages load the built frontend: it is built first, so collectstatic finds it.
host-up:{% if feature("vue") %} frontend-build{% endif %} ## Run the production shape on this host under supervisord (needs make install LOCAL=1)
	deploy/host.sh up

host-down: ## Stop every process host-up started
	deploy/host.sh down

host-status: ## Show the state of each program host-up runs
	deploy/host.sh status

host-logs: ## Follow the logs of the programs host-up runs
	deploy/host.sh logs
