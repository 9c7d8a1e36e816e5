# actionapp: `make run` sets everything up and serves the app; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PORT ?= 5000
# The address links point to: the port `make run` serves on (its demo action's address too).
DEV_PUBLIC_URL = ACTIONAPP_PUBLIC_URL=$${ACTIONAPP_PUBLIC_URL:-http://127.0.0.1:$(PORT)}
FLASK := $(BIN)/flask --app actionapp
TRANSLATIONS := actionapp/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

# Debian packages: what the app needs to run, and what the tests need besides.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fonts-dejavu-core fonts-liberation \
	fonts-noto-color-emoji fonts-noto-core
TEST_PACKAGES := $(RUN_PACKAGES) chromium qpdf poppler-utils default-jre-headless

.PHONY: run test test-pg lint bench setup setup-test db organiser flask translations \
	extract-messages \
	system-packages system-packages-test clean

# The web server and, beside it, the outbox worker that delivers email (README, "Email").
# Ctrl-C stops both: the worker gets SIGTERM and finishes the message it is sending.
# Links in emails and PDFs point to this port (ACTIONAPP_PUBLIC_URL, when set, wins).
run: setup system-packages db
	@echo "actionapp is serving at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it and its mail worker)"
	@echo "Organisers sign in at http://127.0.0.1:$(PORT)/auth/sign-in and work at /organise/."
	@echo "Create the first organiser with: make organiser EMAIL=you@example.org ROLE=admin"
	@export ACTIONAPP_ENV=$${ACTIONAPP_ENV:-development}; \
	export $(DEV_PUBLIC_URL); \
	$(FLASK) outbox work & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup-test system-packages-test translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole suite against PostgreSQL (ACTIONAPP_TEST_DATABASE_URL must be set).
test-pg: setup-test system-packages-test translations
	@test -n "$$ACTIONAPP_TEST_DATABASE_URL" || { echo "Set ACTIONAPP_TEST_DATABASE_URL"; exit 2; }
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

bench: setup-test system-packages-test translations
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

setup: $(STAMPS)/runtime translations

setup-test: $(STAMPS)/test

$(STAMPS)/runtime: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 or newer is needed: install python3 and python3-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "actionapp needs Python 3.11 or newer"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/test: $(STAMPS)/runtime pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

translations: $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(STAMPS)/runtime
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS) -l $* 2>&1 | grep -v '^compiling' || true
	@test -f $@

# For developers: collect new interface strings into the catalogues.
extract-messages: setup
	$(BIN)/pybabel extract -F $(TRANSLATIONS)/babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

# Create an organiser on the instance `make run` uses (the password is asked twice, or read
# from standard input: two lines).
organiser: setup db
	@test -n "$(EMAIL)" || { echo "Usage: make organiser EMAIL=you@example.org ROLE=admin|editor|viewer"; exit 2; }
	ACTIONAPP_ENV=$${ACTIONAPP_ENV:-development} $(FLASK) organisers create '$(EMAIL)' --role '$(or $(ROLE),viewer)'

# Any `flask --app actionapp ...` command of README on that instance: make flask ARGS="organisers list"
flask: setup
	ACTIONAPP_ENV=$${ACTIONAPP_ENV:-development} $(FLASK) $(ARGS)

db: setup
	ACTIONAPP_ENV=$${ACTIONAPP_ENV:-development} $(FLASK) db upgrade
	ACTIONAPP_ENV=$${ACTIONAPP_ENV:-development} $(DEV_PUBLIC_URL) $(FLASK) seed-demo

system-packages:
	@bash .ci/system-packages $(RUN_PACKAGES)

system-packages-test:
	@bash .ci/system-packages $(TEST_PACKAGES)

clean:
	rm -rf $(VENV) $(STAMPS) .pytest_cache .ruff_cache
