##@ Tests and code quality

# Screenshots of the browser checks; a CI job keeps this folder as its artefact.
E2E_ARTIFACTS ?= var/e2e

# The trap stops the stack on every way out: success, a failed check, a failed start, Ctrl-C.
.PHONY: e2e
e2e:{% if feature("vue") %} frontend-build{% endif %} ## Start the production shape on this host, check it over HTTP and in headless Chromium, stop it
	@trap 'deploy/host.sh down' EXIT; trap 'exit 130' INT TERM; \
	deploy/host.sh up && \
	E2E_BASE_URL=http://127.0.0.1:$(HOST_HTTP_PORT) E2E_ARTIFACTS=$(E2E_ARTIFACTS) \
	    $${HOST_VENV:-.venv}/bin/python -m pytest tests/e2e $(ARGS)
