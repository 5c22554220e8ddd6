# plantracker — the two commands a newcomer needs: `make run` and `make test`.
# Everything installs into .venv from requirements.lock; system services
# (redis-server for tests; Chromium, chromedriver and a CJK font for the console's
# browser tests) come from Debian packages when missing.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_PASSWORD ?= plantracker-demo
PLAN   ?= seeds/daxing-2025/plan.txt
export DJANGO_SETTINGS_MODULE ?= plantracker.settings.local
# Links in e-mails, digests and notifications point at the server `make run` starts.
export PLANTRACKER_SITE_URL ?= http://$(HOST):$(PORT)
# `make run`'s demo date inside the plan year (local settings only; plantracker/clock.py).
DEMO_TODAY ?= 2025-09-15

NODE_DIR := .ci/node

.PHONY: help install deps-system deps-node run serve migrate seed test test-fast lint format lock bench fuzz clean messages var

help:
	@echo "make run    install, migrate, import the 2025 plan, demo accounts, serve + worker/beat"
	@echo "make test   the whole suite on throw-away PostgreSQL + Redis"
	@echo "make test-fast  the inner loop: the suite minus slow tests (docs/testing.md)"
	@echo "make bench  city-scale benchmark (see README, Performance)"
	@echo "make fuzz   a longer schemathesis run against the API schema (SECURITY.md)"
	@echo "make lint   ruff check + format check"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	@touch $@

install: $(VENV)/.installed

deps-system:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server (Debian package)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null; }
	@# Console browser tests: Debian's Chromium + chromedriver, and a CJK font for the charts.
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	   && fc-list :lang=zh family 2>/dev/null | grep -q .; } || { \
	  echo "installing chromium, chromium-driver, fonts-wqy-zenhei (Debian packages)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver fonts-wqy-zenhei fontconfig) >/dev/null; }

# tests/api/test_generated_clients.py: openapi-typescript, openapi-fetch and tsc, pinned in
# .ci/node/package-lock.json and installed there (never globally). Node from Debian if missing.
$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "installing nodejs, npm (Debian packages)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/dev/null; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --silent
	@touch $@

deps-node: $(NODE_DIR)/node_modules/.installed

# Phony: a var/ left by `make test` (screenshots) must not skip the broker folders.
var:
	@mkdir -p var/celery-broker var/celery-processed var/celery-control var/media

migrate: install var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py import_plan --if-changed $(PLAN)
	$(PY) manage.py seed_demo --password $(DEMO_PASSWORD)

run: seed
	@echo ""
	@echo "plantracker: http://$(HOST):$(PORT)/admin/  API: http://$(HOST):$(PORT)/api/v1/  docs: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "logins (password $(DEMO_PASSWORD)): admin, supervisor, leader, lead.<dept code>, staff.<dept code>"
	@echo "worker + beat on the embedded filesystem broker (var/celery-broker); Ctrl-C stops both"
	@export PLANTRACKER_TODAY=$${PLANTRACKER_TODAY-$(DEMO_TODAY)}; \
	$(VENV)/bin/celery -A plantracker worker --beat -l info --concurrency 1 \
	    --schedule var/celerybeat-schedule > var/celery.log 2>&1 & \
	  CELERY_PID=$$!; trap "kill $$CELERY_PID 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# Python's default: compiled modules (and pytest's rewritten test modules) cached in
# __pycache__, which this machine's environment turns off (PYTHONDONTWRITEBYTECODE=1);
# recompiling them cost ~7 s of every run.
test test-fast bench fuzz: export PYTHONDONTWRITEBYTECODE =

test: install deps-system deps-node
	DJANGO_SETTINGS_MODULE=plantracker.settings.test $(PY) .ci/services.py -- $(PY) -m pytest $(PYTEST_ARGS)

# The inner loop (docs/testing.md): the same services, minus the tests marked slow (browser,
# fuzz, fault injection, real worker, single tests over ~5 s), whose files are not even
# collected; without the hypothesis/schemathesis plugins, which only tests/fuzz needs.
# PYTEST_ARGS narrows further, e.g. PYTEST_ARGS="tests/api -x".
# Two pytest-xdist workers (one per core; each has its own test database and Redis
# database): one pytest process and its PostgreSQL backend take turns on one core.
FAST_ARGS ?= -m "not slow" -p no:cacheprovider -p no:hypothesispytest -p no:schemathesis \
  -n 2 --dist worksteal
test-fast: install deps-system
	DJANGO_SETTINGS_MODULE=plantracker.settings.test $(PY) .ci/services.py -- \
	  $(PY) -m pytest $(FAST_ARGS) $(PYTEST_ARGS)

# City-scale benchmark (README "Performance", bench/README.md): ~6–8 min, not part of
# `make test`. wrk (Debian) drives the throughput runs; BENCH_ARGS go to bench/run.py.
bench: install deps-system
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing wrk (Debian package)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; }
	$(PY) .ci/services.py -- $(PY) bench/run.py $(BENCH_ARGS)

# A longer schemathesis run over the served OpenAPI schema (tests/fuzz, SECURITY.md):
# FUZZ_EXAMPLES fresh cases per operation, role and positive/negative mode (100: ~12 min;
# `make test` runs the same tests with 15 fixed ones).
FUZZ_EXAMPLES ?= 100
fuzz: install deps-system
	DJANGO_SETTINGS_MODULE=plantracker.settings.test PLANTRACKER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  PLANTRACKER_FUZZ_FRESH=1 $(PY) .ci/services.py -- $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Refresh the English catalogue of our Chinese UI strings; fill empty msgstr, then commit
# both .po and .mo (tests/api/test_i18n.py fails while a string has no translation).
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=seeds --ignore=tests --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

# Re-resolve the pins from pyproject.toml's ranges (needs the package registry).
lock:
	rm -rf /tmp/plantracker-lock && $(PYTHON) -m venv /tmp/plantracker-lock
	/tmp/plantracker-lock/bin/pip install -q '.[dev]'
	/tmp/plantracker-lock/bin/pip freeze --exclude plantracker > requirements.lock

clean:
	rm -rf var .pytest_cache
