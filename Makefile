# Đôn đốc — the two commands: `make run` and `make test` (both start from a fresh machine).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
# The address people use: printed at start and used for the links in e-mail.
export SITE_URL ?= http://$(HOST)

.PHONY: install install-test system-deps messages run test lint bench bench-pages bench-inspection clean audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements/base.txt
	touch $@

$(VENV)/.test: requirements/test.txt $(VENV)/.base
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

## install: the virtualenv with the locked dependencies and the system packages
install: system-deps $(VENV)/.base messages

install-test: install $(VENV)/.test
	bash scripts/system-deps.sh test

system-deps:
	bash scripts/system-deps.sh run

## messages: compile the vi locale (the .mo files are build output, not committed)
messages: $(VENV)/.base
	$(MANAGE) compilemessages --ignore=$(VENV) -v0

## run: migrate, load the province and the demo users, serve on 127.0.0.1:8000
run: install
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) load_agencies
	$(MANAGE) load_calendar
	$(MANAGE) load_demo
	$(MANAGE) load_demo_directive
	$(MANAGE) load_demo_inspection
	$(MANAGE) generate_occurrences
	@echo "Đôn đốc is starting on $(SITE_URL)/ — sign in with a demo user above."
	@echo "The deadline sweep runs beside it every 300 s (mail goes to this console)."
	$(MANAGE) sweep --loop --interval 300 & sweep=$$!; \
	trap 'kill $$sweep 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST)

## test: the whole suite (DATABASE_URL picks SQLite by default or PostgreSQL) in parallel, one
## module per worker (a module's shared data stays on it; tests/conftest.py orders them), with
## coverage ([tool.coverage.*] in pyproject.toml; below the floor the run fails);
## `make test COVERAGE=` runs without it (CI measures it once, on SQLite)
test: COVERAGE = --cov --cov-report=term
test: install-test
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=15 $(COVERAGE)

lint: $(VENV)/.test typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy over core/ and the services and selectors ([tool.mypy] in pyproject.toml)
.PHONY: typecheck
typecheck: $(VENV)/.test
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache
	find . -name '*.mo' -path '*/locale/*' -delete

## audit: known vulnerabilities in the locked dependencies (requirements/*.txt), by pip-audit in
## a virtualenv of its own. It asks PyPI's vulnerability data (or OSV's: AUDIT_ARGS="-s osv", with
## --osv-url for a mirror) on the internet: run it on a connected machine (deploy/README.md,
## "Dependency audit"). It fails on a finding and on any dependency it could not audit; a
## documented exception is passed as AUDIT_ARGS="--ignore-vuln GHSA-…".
PIP_AUDIT_VERSION ?= 2.10.1
AUDIT_ARGS ?=
audit:
	test -x var/audit/bin/pip-audit || { $(PYTHON) -m venv var/audit && \
	  var/audit/bin/pip install -q "pip-audit==$(PIP_AUDIT_VERSION)"; }
	var/audit/bin/pip-audit --disable-pip --no-deps --strict --progress-spinner off --desc on \
	  -r requirements/base.txt -r requirements/test.txt $(AUDIT_ARGS) || { \
	  echo "make audit: a known vulnerability, or a dependency that could not be audited (no"; \
	  echo "vulnerability data reachable?). See deploy/README.md, Dependency audit."; exit 1; }

## bench: print the benchmark figures recorded in the README
bench: $(VENV)/.test
	$(BIN)/python bench/agencies.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/importer.py

## bench-pages: the inbox, the province landing, the extension requests and a folded search at
## 200,000 assignments on PostgreSQL (and 2,000, for the query counts), beside a minimal view;
## a throw-away PostgreSQL unless BENCH_DATABASE_URL names a database to wipe and reuse
bench-pages: $(VENV)/.test
ifdef BENCH_DATABASE_URL
	$(BIN)/python bench/pages.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)
else
	bash bench/with-postgres.sh $(BIN)/python bench/pages.py $(BENCH_ARGS)
endif

## bench-inspection: the conduct screen at 0 and 60 criteria filled, saving a finding and the
## organiser's overview of 500 inspections and 3,000 recommendations, each beside its floor;
## a throw-away PostgreSQL unless BENCH_DATABASE_URL names a database to wipe
bench-inspection: $(VENV)/.test
ifdef BENCH_DATABASE_URL
	$(BIN)/python bench/inspection.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)
else
	bash bench/with-postgres.sh $(BIN)/python bench/inspection.py $(BENCH_ARGS)
endif
