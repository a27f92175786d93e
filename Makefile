# Vigie — the two commands a newcomer needs are `make demo` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

# Values from a local .env file, if any, reach every command below.
-include .env
export

.PHONY: install browser demo test lint format serve worker migrate messages bench clean https-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

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

clean:
	rm -rf $(VENV) var/static
