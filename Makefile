# Kizuna: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); files stay together so module fixtures start once.
PYTEST_ARGS ?= -n auto --dist loadfile --durations=15

.PHONY: run test bench lock migrate makemigrations messages install install-dev serve demo clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Dependencies come from the lock files (exact versions with their hashes), Kizuna itself from
# the work tree; a changed lock reinstalls. `make lock` re-resolves them after pyproject.toml
# changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) -m app.cli migrate

run: install
	$(PY) -m app.cli migrate
	$(PY) -m app.cli setup
	$(PY) -m app.cli serve --host $(HOST) --port $(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench

# Resolve pyproject.toml's dependencies into the lock files, for every platform (the Docker image
# installs requirements.lock too). The dev lock is held to the runtime one's versions.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: install-dev
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -c requirements.lock -o requirements-dev.lock

makemigrations: install
	$(VENV)/bin/tortoise makemigrations

# Re-extract every msgid (app/, views/, schema/, templates; see babel.cfg) and merge it into the
# ja and en catalogs; then translate the new empty entries. tests/views/test_i18n.py fails until
# every msgid is translated in both.
POT := app/locale/messages.pot
messages: install-dev
	$(VENV)/bin/pybabel extract -F babel.cfg -o $(POT) --no-location --sort-output --project=Kizuna --version=0.1.0 .
	for lang in ja en; do \
	  if [ -f app/locale/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(VENV)/bin/pybabel update -i $(POT) -d app/locale -l $$lang --no-fuzzy-matching --ignore-obsolete; \
	  else \
	    $(VENV)/bin/pybabel init -i $(POT) -d app/locale -l $$lang; \
	  fi; \
	done

clean:
	rm -rf $(VENV) var
