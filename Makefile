# The two commands that matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test translations translations-update chromium kannel report-tools deploy-tools bench-tools bench-webhook migrate seed lint format ci clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations report-tools

install-test: $(VENV)/.installed-test translations chromium kannel deploy-tools report-tools

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d feedback/translations >/dev/null

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null; \
	fi

# `flask report monthly` lays its PDF out with WeasyPrint, which needs Debian's Pango and
# HarfBuzz, and Noto's Arabic fonts to shape Arabic; the tests count and look at its pages
# with poppler's pdfinfo and pdftoppm.
report-tools:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! ldconfig -p | grep -q libharfbuzz-subset \
	  || [ ! -d /usr/share/fonts/truetype/noto ] || ! command -v pdftoppm >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core poppler-utils >/dev/null; \
	fi

# The Kannel end-to-end test runs Debian's Kannel and its fake SMS centre.
kannel:
	@if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq kannel kannel-extras >/dev/null; \
	fi

# The deployment tests run deploy/ with Debian's nginx (`nginx -t`, then serving on loopback
# ports) and systemd-analyze (verify, security); neither needs nginx or systemd running.
# Where apt starts services, it starts Debian's own nginx too: `systemctl disable --now nginx`.
deploy-tools:
	@if [ ! -x /usr/sbin/nginx ] || ! command -v systemd-analyze >/dev/null || ! command -v openssl >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx systemd openssl >/dev/null; \
	fi

# bench/webhook.py loads gunicorn with Debian's wrk.
bench-tools:
	@if ! command -v wrk >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

# The webhook under load against its baselines (bench/README.md); PostgreSQL too when
# BENCH_DATABASE_URL names a scratch database, e.g. postgresql+psycopg://postgres@127.0.0.1/feedback_bench
bench-webhook: install bench-tools
	$(BIN)/python bench/webhook.py $(BENCH_ARGS)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

# The web server and the SMS worker together; Ctrl-C stops both.
run: seed
	trap 'kill 0' INT TERM EXIT; \
	$(FLASK) sms-worker --interval 2 & \
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-test lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Every bench in bench/, then their headline figures in one table. On SQLite unless
# BENCH_DATABASE_URL names a scratch PostgreSQL database (emptied!), which adds bench/scale.py
# at 1,000,000 tickets there; a few minutes on SQLite, some more on PostgreSQL.
bench: $(VENV)/.installed-test translations
	$(BIN)/python bench/run_all.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache .hypothesis

# After changing page text: refresh the catalogue, then translate the new entries in the .po file.
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o feedback/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i feedback/translations/messages.pot -d feedback/translations
