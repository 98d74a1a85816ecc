# Thin aliases; the README shows the commands they run.
VENV := .venv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrations-check seed

$(VENV)/.installed: requirements.lock
	test -x $(PYTHON) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

seed: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_seed

run: seed
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

test: install
	$(PYTHON) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	$(PYTHON) manage.py makemigrations --check --dry-run
