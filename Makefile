# NSC Casework. `make run` for the demo, `make test` for the whole test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The local demo runs without the second factor unless MFA=on; production refuses this.
MFA ?= off
DEMO_ENV := CASEWORK_ENV=demo CASEWORK_MFA_DISABLED=$(if $(filter on,$(MFA)),0,1)

.PHONY: run test chromium clamav assets install install-dev migrate seed lint typecheck hooks hooks-check lock bench bench-matching bench-search bench-reports bench-insights bench-load bench-audit bench-mywork clean check-deploy prod-check backup restore

$(VENV)/.base-installed: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=25'
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=25'
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

casework/static/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build
	touch $@

assets: casework/static/vendor/.built

migrate: install assets
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

seed: install-dev migrate
	$(DEMO_ENV) $(PY) manage.py seed_demo

run: seed
	@$(DEMO_ENV) $(PY) manage.py demo_sign_in_help
	@echo "Starting the background worker and the site on http://$(HOST):$(PORT) (Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(DEMO_ENV) $(PY) manage.py db_worker --interval 2 >var/worker.log 2>&1 & \
	  $(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Two workers by default (pytest-xdist); PYTEST_ARGS="-n 0 -k something" for a quick, focused run.
PYTEST_ARGS ?= -n auto
# The browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium chromium-driver" >&2; exit 1; \
	  fi; }

# The upload tests start their own clamd (Debian's clamav-daemon) with a signature of their own.
clamav:
	@test -x /usr/sbin/clamd || command -v clamd >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing ClamAV (clamd) for the upload tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clamav-daemon >/dev/null; \
	  else \
	    echo "The upload tests need clamd at /usr/sbin/clamd: sudo apt-get install clamav-daemon" >&2; exit 1; \
	  fi; }

test: install-dev assets chromium clamav
	CASEWORK_ENV=test $(PY) -m pytest $(PYTEST_ARGS)

# Backups: the database, the documents and a manifest, never the keys (README: Keys and backups).
# Production: run with the service's environment (DATABASE_URL and the keys). BACKUP_DIR defaults to var/backups.
backup: install
	$(PY) manage.py backup $(if $(BACKUP_DIR),--output $(BACKUP_DIR))

# make restore BACKUP=var/backups/casework-backup-... [REPLACE=1]; stop the site and the worker first.
restore: install
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=path/to/casework-backup-..." >&2; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(filter 1,$(REPLACE)),--replace)

lint: install-dev typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports  # the apps stack in layers (pyproject: [tool.importlinter])

# mypy with django-stubs over every app in full, tests and migrations apart
# (pyproject: [tool.mypy]; docs/conventions.md, Tooling).
typecheck: install-dev
	CASEWORK_ENV=test $(VENV)/bin/mypy

# The git pre-commit hook (.pre-commit-config.yaml: ruff, ruff format, djlint, detect-secrets),
# run from .venv: nothing is downloaded. hooks-check runs every hook over every file, as CI does.
hooks: install-dev
	$(VENV)/bin/pre-commit install

hooks-check: install-dev
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

# The report signing certificate is played by a stand-in made afresh (scripts/make_signing_certificate.py).
check-deploy: install
	$(PY) scripts/make_signing_certificate.py var/check-deploy-signing >/dev/null
	CASEWORK_REPORT_SIGNING_KEY=var/check-deploy-signing/signing-key.pem \
	  CASEWORK_REPORT_SIGNING_CERT=var/check-deploy-signing/signing-cert.pem \
	  CASEWORK_ENV=production DEBUG=0 SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" \
	  AUDIT_HMAC_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=casework.example.nhs.uk \
	  FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	  BLIND_INDEX_KEY="$$(head -c 48 /dev/urandom | base64)" CLAMAV_SOCKET=/run/clamav/clamd.ctl \
	  CASEWORK_RESEARCH_KEY="$$(head -c 48 /dev/urandom | base64)" \
	  DATABASE_URL=sqlite:///var/check-deploy.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The production configuration as the README tells an operator to start it (PostgreSQL, collectstatic,
# check --deploy, gunicorn behind a simulated TLS proxy), crawled as every member of the test cast.
# PROD_CHECK_DB (casework_prodcheck) and PROD_CHECK_PORT (8200, and the next one) choose where.
prod-check: install-dev assets
	bash scripts/prod-check.sh

# Benchmarks run in their own virtualenv, so the peers they compare against (recordlinkage,
# Splink) never enter the service's environment.
BENCH_VENV := .venv-bench
# The service's lock too: the matching engine reads identifiers with casework.core.identifiers
# (Django, phonenumbers). bench.txt is compiled with base.txt as constraints, so the pins agree.
$(BENCH_VENV)/.installed: requirements/base.txt requirements/bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=25'
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
	  -r requirements/base.txt -r requirements/bench.txt
	touch $@

bench-matching: $(BENCH_VENV)/.installed
	nice -n 19 $(BENCH_VENV)/bin/python benchmarks/matching/run.py $(BENCH_ARGS)

bench-search: install-dev
	nice -n 19 $(PY) benchmarks/search/run.py $(BENCH_ARGS)

# A ~30-page clinic report: render_pdf, render_docx, sign_pdf against plain WeasyPrint on the same body.
bench-reports: install-dev
	nice -n 19 $(PY) benchmarks/reports/run.py $(BENCH_ARGS)

# The service dashboards at national scale (10,000 cases) beside a bare signed-in page; queries counted.
bench-insights: install-dev
	nice -n 19 $(PY) benchmarks/insights/run.py $(BENCH_ARGS)

# National scale on PostgreSQL: every main page of every role at 1, 10 and 20 users beside the floor
# (benchmarks/load/run.sh; docs/benchmarks/load.md). BENCH_LOAD_SCALE=0.1 for a quick look.
bench-load: install-dev assets
	nice -n 10 benchmarks/load/run.sh

# Audit appends with 1, 8 and 32 writers (one chain head before, partitions after) and verify_audit over
# a bulk-seeded log, on PostgreSQL in its own database (DATABASE_URL, default casework_bench_audit).
bench-audit: install-dev
	nice -n 19 $(PY) benchmarks/audit/run.py $(BENCH_ARGS)

# My work's risk sections at 2,000 cases on PostgreSQL: the whole timeline, assessing each request
# (ADR 0026) and kept risks (ADR 0027) side by side (BENCH_MYWORK_URL, default casework_bench_mywork).
BENCH_MYWORK_URL ?= postgres://postgres@127.0.0.1:5432/casework_bench_mywork
bench-mywork: install-dev
	psql "$(dir $(BENCH_MYWORK_URL))postgres" -qAtc "CREATE DATABASE $(notdir $(BENCH_MYWORK_URL))" 2>/dev/null || true
	DATABASE_URL=$(BENCH_MYWORK_URL) nice -n 19 $(PY) benchmarks/mywork/run.py $(BENCH_ARGS)

bench: bench-matching bench-search bench-reports bench-insights bench-audit bench-mywork

lock: $(VENV)/.dev-installed
	$(PY) -m pip install --quiet uv
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 base.in -o base.txt
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 dev.in -o dev.txt
	cd requirements && ../$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 bench.in -o bench.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) node_modules casework/static/vendor staticfiles var/casework.sqlite3*
