##@ Docker Swarm

# The stack's name: its services are $(SWARM_STACK)_django, $(SWARM_STACK)_nginx...
SWARM_STACK ?= {{ cookiecutter.project_slug }}
# no: use the images as they are (pulled from a registry, or loaded on every node).
SWARM_BUILD ?= yes
SWARM_STACK_FILE := compose.swarm.yml
# Docker configs are immutable: each new content deploys under a new name.
SWARM_CONFIG_FILES := $(wildcard {% if feature("redis") %}compose/redis/redis.conf {% endif %}{% if feature("rabbitmq") %}compose/rabbitmq/rabbitmq.conf compose/rabbitmq/enabled_plugins {% endif %}{% if feature("elasticsearch") %}compose/elasticsearch/elasticsearch.yml compose/elasticsearch/heap.options {% endif %}{% if feature("nginx") %}compose/nginx/swarm.conf{% endif %})
SWARM_ENV = SWARM_STACK=$(SWARM_STACK) \
	SWARM_CONFIG_DIGEST=$$(cat $(SWARM_CONFIG_FILES) /dev/null | sha256sum | cut -c 1-12) \
	SWARM_RELEASE=$$(date -u +%Y%m%d%H%M%S)

.PHONY: swarm-secrets swarm-deploy swarm-status swarm-rollback
swarm-secrets: ## Create the stack's Docker secrets from .envs/.production/ (those missing only)
	@compose/swarm/secrets

swarm-deploy: swarm-secrets ## Deploy or update the production stack on this Swarm manager
ifeq ($(SWARM_BUILD),yes)
	$(PRODUCTION_COMPOSE) build
endif
	@docker node ls --filter node.label=database=true --quiet | grep -q . || { \
	    echo "No node is labelled database=true: labelling this one (docs/deploying.md)."; \
	    docker node update --label-add database=true \
	        "$$(docker node inspect self | sed -n 's/^ *"ID": "\(.*\)",$$/\1/p' | head -n 1)" >/dev/null; }
	$(SWARM_ENV) docker stack deploy --resolve-image never --prune --compose-file $(SWARM_STACK_FILE) $(SWARM_STACK)
	@compose/swarm/wait-release $(SWARM_STACK)

swarm-status: ## Show the stack's services, their replicas and the tasks that are not running
	@docker stack services $(SWARM_STACK)
	@docker stack ps $(SWARM_STACK) --filter desired-state=running

swarm-rollback: ## Roll a service back to its previous version: make swarm-rollback SERVICE=django
	docker service rollback $(SWARM_STACK)_$(or $(SERVICE),django)
