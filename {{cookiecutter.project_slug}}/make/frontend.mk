# The Vue frontend (frontend/) runs on this machine, LOCAL=1 or not: its dev server on port 8080
# proxies to Django on port 8000, whether runserver or the django container answers there.
NPM ?= npm --prefix frontend
FRONTEND_PACKAGES = frontend/node_modules/.package-lock.json
WATCHING = $(filter 1 yes true,$(WATCH))

# npm ci again whenever the lock file changes (a pull, a new package).
$(FRONTEND_PACKAGES): frontend/package-lock.json
	$(NPM) ci

##@ Development

.PHONY: frontend-install frontend-dev frontend-build icons
frontend-install: ## Install the frontend's npm packages exactly as locked (npm ci)
	$(NPM) ci

frontend-dev: $(FRONTEND_PACKAGES) ## Run the Vite dev server on port 8080 (hot reload; /api/ etc. go to Django)
	$(NPM) run dev

frontend-build: $(FRONTEND_PACKAGES) ## Build the frontend for production into the Django package's static/frontend
	$(NPM) run build

icons: $(FRONTEND_PACKAGES) ## Build the SVG sprite from frontend/src/icons (WATCH=1 rebuilds on change)
	$(NPM) run $(if $(WATCHING),icons:watch,icons)

##@ Tests and code quality

# `make test` runs the frontend's tests first, then the Python ones.
test: frontend-test

.PHONY: frontend-test frontend-lint frontend-typecheck
frontend-test: $(FRONTEND_PACKAGES) ## Run the frontend's component tests (Vitest)
	$(NPM) run test

frontend-lint: $(FRONTEND_PACKAGES) ## Check the frontend with ESLint
	$(NPM) run lint

frontend-typecheck: $(FRONTEND_PACKAGES) ## Check the frontend's types with vue-tsc (WATCH=1 keeps watching)
	$(NPM) run $(if $(WATCHING),type-check:watch,type-check)
