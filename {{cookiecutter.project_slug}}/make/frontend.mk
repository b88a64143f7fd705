# The Vue frontend (frontend/) runs on this machine, LOCAL=1 or not: its dev server on VITE_PORT
# proxies to Django on PORT, whether runserver or the django container answers there.
NPM ?= npm --prefix frontend
FRONTEND_PACKAGES = frontend/node_modules/.package-lock.json
WATCHING = $(filter 1 yes true,$(WATCH))
VITE_PORT ?= 8080
# Django's pages (django-vite) load the app's scripts from the dev server on this port.
export VITE_PORT

# Vite and Vitest need the Node.js of "engines" in frontend/package.json and crash in obscure
# ways on an older one: every frontend target checks it first and says what to install.
NODE_CHECK = { command -v node >/dev/null 2>&1 || { echo "Node.js is not installed." >&2; exit 1; }; } && \
	node frontend/scripts/check-node.mjs
NODE_HINT = Install Node.js 24 with nvm (nvm install 24) or from npm (npm install --prefix \
	~/.local/node24 node@24 then put ~/.local/node24/node_modules/.bin first on PATH).

.PHONY: node-version
node-version:
	@$(NODE_CHECK) || { echo "$(NODE_HINT)" >&2; exit 1; }

# npm ci again whenever the lock file changes (a pull, a new package).
$(FRONTEND_PACKAGES): frontend/package-lock.json | node-version
	$(NPM) ci

##@ Development

.PHONY: frontend-install frontend-dev frontend-build icons
frontend-install: node-version ## Install the frontend's npm packages exactly as locked (npm ci)
	$(NPM) ci

frontend-dev: node-version $(FRONTEND_PACKAGES) ## Run the Vite dev server on port 8080 (VITE_PORT to change; /api/ etc. go to Django)
	DJANGO_PORT=$(PORT) $(NPM) run dev

frontend-build: node-version $(FRONTEND_PACKAGES) ## Build the frontend for production into the Django package's static/frontend
	$(NPM) run build

icons: node-version $(FRONTEND_PACKAGES) ## Build the SVG sprite from frontend/src/icons (WATCH=1 rebuilds on change)
	$(NPM) run $(if $(WATCHING),icons:watch,icons)

##@ Tests and code quality

# `make test` runs the frontend's tests first when this machine's Node.js can run them, and says
# why not otherwise: the Python tests never depend on Node.
test: frontend-test-if-node-allows

.PHONY: frontend-test-if-node-allows
frontend-test-if-node-allows:
	@if problem=$$({ $(NODE_CHECK); } 2>&1); then $(MAKE) --no-print-directory frontend-test; \
	else echo "Skipping the frontend tests. $$problem $(NODE_HINT)"; fi

.PHONY: frontend-test frontend-lint frontend-typecheck
frontend-test: node-version $(FRONTEND_PACKAGES) ## Run the frontend's component tests (Vitest)
	$(NPM) run test

frontend-lint: node-version $(FRONTEND_PACKAGES) ## Check the frontend with ESLint
	$(NPM) run lint

frontend-typecheck: node-version $(FRONTEND_PACKAGES) ## Check the frontend's types with vue-tsc (WATCH=1 keeps watching)
	$(NPM) run $(if $(WATCHING),type-check:watch,type-check)
