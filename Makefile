# Concord: two commands. `make run` sets up and serves; `make test` sets up and passes the tests.
SHELL := /bin/bash
# Django 6 needs Python >= 3.12: take python3.12 from PATH, else pyenv's, else fail plainly.
PYTHON_BOOT ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do $$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run prod test lint setup browser demo migrate otp format prod-check clean diagrams

$(VENV)/.installed: pyproject.toml
	@py='$(PYTHON_BOOT)'; \
	if [ -z "$$py" ]; then echo "Concord needs Python 3.12 (Django 6.0); none found on PATH or under ~/.pyenv/versions" >&2; exit 1; fi; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py sync_schedules

run: demo
	$(PY) manage.py collectstatic --noinput -v0
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py print_demo_logins
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Production mode on this machine (docs/deployment.md): uvicorn with WEB_CONCURRENCY ASGI processes
# on one port, a celery worker and one celery beat, on PostgreSQL and Redis, DEBUG off, whitenoise
# serving the collected static files. concord/prod.py creates the database if missing, migrates,
# collects static files, syncs the schedules, starts the processes and stops them all on
# SIGTERM/Ctrl-C. Plain http here, so SSL redirect and Secure cookies are off explicitly; behind
# HTTPS leave both at their production default (true).
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/concord_prod
PROD_REDIS_URL ?= redis://127.0.0.1:6379/5
WEB_CONCURRENCY ?= 2
CELERY_CONCURRENCY ?= 2
prod: setup
	DATABASE_URL=$${DATABASE_URL:-$(PROD_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(PROD_REDIS_URL)} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-$(HOST),localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
	  SECURE_COOKIES=$${SECURE_COOKIES:-false} \
	  $(PY) -m concord.prod --host $(HOST) --port $(PORT) \
	    --web-workers $(WEB_CONCURRENCY) --worker-concurrency $(CELERY_CONCURRENCY)

otp: setup
	@$(PY) manage.py demo_otp $(USER_NAME)

browser:
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

test: setup browser
	@bash tests/run.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

prod-check: setup
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=concord.example.org \
	  FIELD_ENCRYPTION_KEYS=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	  $(PY) manage.py check --deploy --fail-level WARNING

# State diagrams of every app's state machines (django-fsm-2 graph_transitions), as DOT text,
# and as SVG where Graphviz's `dot` is installed (apt-get install graphviz).
diagrams: setup
	@mkdir -p docs/state-diagrams
	@for app in coordination work agreements cases referrals returns reporting notifications; do \
	  out=docs/state-diagrams/$$app.dot; \
	  $(PY) manage.py graph_transitions $$app > $$out; \
	  if grep -q -- '->' $$out; then echo "$$out"; \
	    if command -v dot >/dev/null; then dot -Tsvg $$out -o docs/state-diagrams/$$app.svg; fi; \
	  else rm -f $$out; fi; \
	done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
