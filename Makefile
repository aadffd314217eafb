# Kizuna: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench migrate makemigrations messages install install-dev serve demo clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
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
