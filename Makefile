# Linli: the two commands are `make run` and `make test`. Both install what they need first and are
# quick when nothing changed (stamp files record what is installed).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Two test processes on the two cores (pytest-xdist; its default scheduling keeps pytest-django's order, so
# the transactional tests that flush the reference data run last on each worker); PYTEST_WORKERS= runs in one.
PYTEST_WORKERS ?= -n 2
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PO_FILES := $(wildcard linli/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
DATA_KEY := var/data.key

.PHONY: install run test lint browser-deps mqtt-deps format clean bench cluster-test help
.DEFAULT_GOAL := help

help:
	@echo "make run    install, migrate, load the demo street, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run the test suite (PYTEST_ARGS=... to pass options;"
	@echo "            PYTEST_ARGS='-m \"not slow\"' skips the tests that start processes)"
	@echo "make lint   ruff, mypy on the domain layer, import-linter contracts (boundaries), manage.py check,"
	@echo "            makemigrations --check"
	@echo "make bench  run the benchmarks under bench/"
	@echo "make cluster-test  PostgreSQL primary + standby, PgBouncer, 3 app servers behind nginx, Redis, 2 workers;"
	@echo "            kills things and prints the counts (bench/cluster_test.py; installs its Debian packages as root)"

$(PY_STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  || { echo "Linli needs Python 3.11 or newer: make PYTHON=python3.11 ..."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

%.mo: %.po $(PY_STAMP)
	$(PY) manage.py compile_translations

$(DATA_KEY): | $(PY_STAMP)
	$(PY) manage.py create_data_key

install: $(PY_STAMP) $(NODE_STAMP) $(MO_FILES)

# migrate and demo --if-empty are no-ops when there is nothing to do; serve prints the demo logins.
run: install $(DATA_KEY)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty --no-logins
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Chromium for the browser tests comes from Debian's packages (never a downloaded browser build).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "Chromium could not be installed: browser tests will be skipped."; \
	  else echo "No /usr/bin/chromium and no root: browser tests will be skipped."; fi; \
	fi

# Mosquitto for the MQTT ingest's tests (they start their own broker on a free port) and `make run`'s live
# demo data, from Debian's packages.
mqtt-deps:
	@if [ ! -x /usr/sbin/mosquitto ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Mosquitto for the MQTT tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null) \
	      || echo "Mosquitto could not be installed: the MQTT tests will be skipped."; \
	  else echo "No /usr/sbin/mosquitto and no root: the MQTT tests will be skipped."; fi; \
	fi

test: install browser-deps mqtt-deps
	$(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy linli
	$(BIN)/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) bench/run.py

cluster-test: install $(DATA_KEY)
	$(PY) bench/cluster_test.py

clean:
	rm -rf $(VENV) node_modules staticfiles
