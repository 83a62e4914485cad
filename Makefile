# Two commands do all the set-up on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := python3-venv libsqlite3-mod-spatialite postgresql postgresql-15-postgis-3 redis-server chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := wsgi

.PHONY: run test bench bench-deps soak lint system-deps venv clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: system-deps venv
	$(PY) -m flask init
	@echo "Create a first admin: $(PY) -m flask users create admin --role admin"
	@echo "Then log in: curl -X POST http://127.0.0.1:5000/api/v1/auth/token -H 'Content-Type: application/json' -d '{\"username\":\"admin\",\"password\":\"...\"}'"
	@echo "API docs: http://127.0.0.1:5000/api/v1/docs  public page: http://127.0.0.1:5000/"
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:5000 wsgi:app

test: system-deps venv
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
	rm -rf $(VENV) var
