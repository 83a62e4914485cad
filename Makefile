# Two commands do all the set-up on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := python3-venv libsqlite3-mod-spatialite postgresql postgresql-15-postgis-3 redis-server chromium chromium-driver fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := wsgi

.PHONY: run demo test bench bench-deps soak lint system-deps venv web-deps clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt requirements-runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Browser libraries the pages load (leaflet, idb, tus-js-client), from the committed lock file.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installing nodejs and npm"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

web-deps: node_modules/.installed

# Without REDIS_URL the embedded default starts its own Redis on a unix socket under var/.
SERVE_REDIS_URL := $(or $(REDIS_URL),unix://$(CURDIR)/var/redis.sock)
SERVE_PROCESSES := $(if $(REDIS_URL),web worker,)
# gunicorn's workers and the webhook worker write their metrics here; /metrics sums them all.
METRICS_DIR := $(CURDIR)/var/metrics

run: system-deps venv web-deps
	$(PY) -m flask init
	@echo "Create a first admin: $(PY) -m flask users create admin --role admin"
	@echo "Then log in: curl -X POST http://127.0.0.1:5000/api/v1/auth/token -H 'Content-Type: application/json' -d '{\"username\":\"admin\",\"password\":\"...\"}'"
	@echo "API docs: http://127.0.0.1:5000/api/v1/docs  public page: http://127.0.0.1:5000/"
	@rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	REDIS_URL=$(SERVE_REDIS_URL) PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR) \
		$(VENV)/bin/honcho start --no-prefix $(SERVE_PROCESSES)

# As `make run`, with a demo month loaded into the database the first time (its accounts and
# passwords are printed then, once); later runs keep what is there and just serve.
demo: system-deps venv web-deps
	$(PY) -m flask init
	$(PY) -m flask demo --if-empty
	@$(MAKE) --no-print-directory run

test: system-deps venv web-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -p no:cacheprovider

# Bench-only tools: wrk (Debian package, with sudo when not root, as system-deps does) and the
# pygeoapi peer in its own venv (bench/.peer-venv, pinned in bench/peer-requirements.txt).
bench-deps: venv
	@command -v wrk >/dev/null 2>&1 || { echo "Installing system packages: wrk"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) -m bench.deps --peer

bench: system-deps venv bench-deps
	$(PY) -m bench.run

# A compressed working day: SOAK_MINUTES=10 make soak for the long run.
SOAK_MINUTES ?= 3
soak: system-deps venv
	$(PY) -m bench.soak --minutes $(SOAK_MINUTES)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var node_modules
