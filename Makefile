# Vigie — the two commands a newcomer needs are `make demo` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
# sslyze lives in its own environment: it pins cryptography below what Vigie runs with.
TLS_VENV := .venv-tls
TLS_STAMP := $(TLS_VENV)/.installed
# locust (and its gevent) for the load run live in their own environment too.
LOAD_VENV := .venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed
# Where `make sbom` writes the CycloneDX document.
SBOM ?= dist/sbom.cdx.json

# Values from a local .env file, if any, reach every command below.
-include .env
export

.PHONY: help install browser demo test lint format serve worker migrate messages bench \
	bench-quick load clean https-check tls-check audit sbom

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(TLS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(TLS_VENV)
	$(TLS_VENV)/bin/pip install --quiet --upgrade "pip>=25.1"
	$(TLS_VENV)/bin/pip install --quiet --group tls-check
	touch $(TLS_STAMP)

$(LOAD_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet --upgrade "pip>=25.1"
	$(LOAD_VENV)/bin/pip install --quiet --group load
	touch $(LOAD_STAMP)

help:  ## this list
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/\1\t\2/p' Makefile | expand -t 14

install: $(STAMP)  ## create .venv, install, compile translations
	$(MANAGE) compilemessages --ignore "$(VENV)/*" -v 0

migrate: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) createcachetable

demo: migrate  ## the whole product on SQLite with demo data and the worker, at http://127.0.0.1:8000
	$(MANAGE) load_demo
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) run_demo

# The browser tests drive Debian's Chromium, installed from apt (never a browser download).
# Without root it says what to run, and the browser tests skip unless VIGIE_REQUIRE_BROWSER is set.
browser:  ## Debian's chromium for the browser tests, when missing
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && \
		{ apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; }; } || \
		echo "chromium is missing: sudo apt-get install chromium (the browser tests need it)"

test: install browser  ## the test suite, on the database DATABASE_URL names (SQLite otherwise)
	VIGIE_ENV=test $(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: install  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy vigie bench conftest.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmarks need the PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL) of
# the machine for the feed and the fan-out; see docs/benchmarks.md.
bench: install $(LOAD_STAMP)  ## every benchmark of bench/: a table of figures and targets, JSON in VIGIE_DATA_DIR/bench/
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

bench-quick: install $(LOAD_STAMP)  ## the same with small sizes, to check the benchmarks run (figures not meaningful)
	BENCH_QUICK=1 $(BIN)/python bench/run_all.py $(BENCH_ARGS)

load: install $(LOAD_STAMP)  ## 200 neighbours reading and writing for 60 s against `make serve` (locust; PostgreSQL, Redis)
	$(BIN)/python bench/load_run.py $(LOAD_ARGS)

serve: install  ## production server (granian); HTTPS with VIGIE_TLS_CERT and VIGIE_TLS_KEY
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) serve

worker: install  ## the task worker alone
	$(MANAGE) run_worker

messages: install  ## refresh the translation catalogues after changing strings
	$(MANAGE) makemessages -l fr --no-location --ignore "$(VENV)/*" --ignore "var/*"
	msgattrib --no-obsolete -o vigie/locale/fr/LC_MESSAGES/django.po vigie/locale/fr/LC_MESSAGES/django.po
	@echo "Translate what is new or fuzzy: msgattrib --untranslated / --only-fuzzy, then scripts/set_translations.py"
	$(MANAGE) compilemessages --ignore "$(VENV)/*" -v 0

https-check: migrate  ## serve over HTTPS with a self-signed certificate and fetch /healthz
	$(BIN)/python .ci/https_check.py

tls-check: install $(TLS_STAMP)  ## serve over HTTPS with production settings and check its TLS with sslyze
	$(TLS_VENV)/bin/python .ci/tls_check.py

audit: install  ## known vulnerabilities in the installed dependencies (pip-audit); any fails
	$(BIN)/python .ci/audit_dependencies.py

sbom: install  ## CycloneDX SBOM of Vigie and its runtime dependencies, into dist/sbom.cdx.json
	$(BIN)/python .ci/sbom.py $(SBOM)

clean:
	rm -rf $(VENV) $(TLS_VENV) $(LOAD_VENV) var/static
