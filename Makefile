# DRIFT: `make run` serves the demo, `make test` runs the suite. Both install first.
# Django 6 needs Python 3.12+; the first of these that runs is used (override: PYTHON=...).
PYTHON ?= $(shell for p in python3.12 python3.13 $(HOME)/.pyenv/versions/3.12*/bin/python3 \
	$(HOME)/.pyenv/versions/3.13*/bin/python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint worker bench

# The demo and the tests sign in with local tokens; production uses Clerk.
run test: export LOCAL_AUTH_ENABLED ?= true

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "DRIFT needs Python 3.12 or newer (python3.12)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@rm -rf build
	@touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo
	@echo "API docs: http://$(HOST):$(PORT)/docs  (ReDoc: /redoc, schema: /api/schema/)"
	@echo "Admin:    http://$(HOST):$(PORT)/admin/"
	@echo
	$(VENV)/bin/daphne --bind $(HOST) --port $(PORT) drift.asgi:application

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: install $(CHROMIUM)
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# Matching quality on the dev set; HTTP throughput and memory of the production setup
# over three runs, and WebSocket fan-out per channel layer, both through nginx (needs
# PostgreSQL and Redis; installs wrk and nginx when missing). BENCH_ARGS: e.g. --json.
NGINX ?= /usr/sbin/nginx
WRK ?= /usr/bin/wrk
$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx
$(WRK):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

bench: install $(NGINX) $(WRK)
	$(PY) bench/matching.py ../shared/bench/matching-dev.json
	$(PY) bench/matching.py ../shared/bench/matching-dev.json --no-summary
	$(PY) bench/serving.py --runs 3 $(BENCH_ARGS)
	$(PY) bench/fanout.py $(BENCH_ARGS)

worker: install
	$(VENV)/bin/celery -A drift worker --loglevel INFO
