# Thin aliases; the README shows the commands they run.
VENV := .venv
PYTHON := $(VENV)/bin/python
VENDOR := static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve proxy test lint migrations-check seed bench bench-imports bench-embeds messages screenshots

$(VENV)/.installed: requirements.lock
	test -x $(PYTHON) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# htmx, plotly.js's basic bundle and us-atlas's outlines (which the server draws the map from)
# come from the npm registry at set-up; nothing loads from a CDN.
$(VENDOR)/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install the front-end files"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/plotly.js-basic-dist-min/plotly-basic.min.js \
		node_modules/us-atlas/counties-albers-10m.json $(VENDOR)/
	touch $@

# Translations are compiled from the committed .po files; the .mo binaries are not committed.
MESSAGES := $(wildcard locale/*/LC_MESSAGES/django.po)
COMPILED_MESSAGES := $(MESSAGES:.po=.mo)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed $(VENDOR)/.installed $(COMPILED_MESSAGES)

seed: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_seed

# The development server, with a worker beside it that runs imports (Django's tasks framework).
run: seed
	$(PYTHON) manage.py db_worker --verbosity 0 & trap 'kill $$!' EXIT; \
		$(PYTHON) manage.py runserver $(HOST):$(PORT)

# Production-style serving: set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL first
# (REDIS_URL for a shared cache). WEB_CONCURRENCY sets gunicorn's worker count.
serve: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	DB_STATEMENT_TIMEOUT=$${DB_STATEMENT_TIMEOUT:-5s} \
		$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} \
		--timeout 30 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# The production stack on this machine: gunicorn on 127.0.0.1:8001 behind nginx's cache on
# 127.0.0.1:8080 (deploy/nginx.conf; needs Debian's nginx). Same environment as `serve`.
proxy: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	DB_STATEMENT_TIMEOUT=$${DB_STATEMENT_TIMEOUT:-5s} TRUSTED_PROXY_COUNT=1 \
		$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:8001 --workers $${WEB_CONCURRENCY:-2} \
		--timeout 30 --forwarded-allow-ips 127.0.0.1 & \
		gunicorn=$$!; $(PYTHON) manage.py db_worker --verbosity 0 & worker=$$!; \
		trap 'kill $$gunicorn $$worker' EXIT; APP_ADDRESS=127.0.0.1:8001 scripts/run-proxy

test: install
	$(PYTHON) -m pytest

# Load test of the production stack on this machine (not part of the tests); see bench/run.py.
bench: install
	$(PYTHON) bench/run.py
	$(PYTHON) bench/embeds.py

# The embeds' weight in Chromium, cold, through nginx; see bench/embeds.py.
bench-embeds: install
	$(PYTHON) bench/embeds.py

# Import speed on PostgreSQL (900,000 figures recorded; 50,000 imported; ICE's sheet); see
# bench/imports.py.
bench-imports: install
	$(PYTHON) bench/imports.py

# Pictures of the reader site for docs/screenshots/, from the app running on $(HOST):$(PORT).
screenshots: install
	$(PYTHON) scripts/screenshots.py --url http://$(HOST):$(PORT)

# After changing user-facing text: update the .po files (needs GNU gettext), translate, commit.
messages: install
	$(PYTHON) manage.py makemessages -l es --no-location --ignore=.venv --ignore=node_modules \
		--ignore=staticfiles --ignore=bench --ignore=tests

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

migrations-check: install
	$(PYTHON) manage.py makemigrations --check --dry-run
