# Chemins — the two commands of the README:
#   make serve   set up everything, then run Chemins on the built-in demo project
#   make test    set up everything, then run the linters and the whole test suite
# Both work on a fresh Debian machine with Python 3.11: they create .venv, install the
# project, and install the system packages that are missing (as root, with apt-get).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Debian package → a command that proves it is installed.
SERVE_PACKAGES := graphviz:dot
TEST_PACKAGES := graphviz:dot libreoffice-writer-nogui:soffice libreoffice-calc-nogui:localc \
	chromium:chromium fonts-dejavu-core:fc-list poppler-utils:pdftoppm
# Packages of the scale-out tests (PostgreSQL started on 127.0.0.1 by the tests): installed
# when root; otherwise one line says so and those tests are skipped with the reason.
SCALE_PACKAGES := postgresql:pg_ctlcluster redis-server:redis-server

.PHONY: serve test lint venv system-deps-serve system-deps-test system-deps-scale clean examples \
	bench bench-scale translations translations-update screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(STAMP)

# Installs what is missing when we are root; otherwise says what to install and stops.
define ensure_packages
	@missing=""; for pair in $(1); do pkg=$${pair%%:*}; cmd=$${pair##*:}; \
	  if [ "$$cmd" = localc ]; then dpkg -s "$$pkg" >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	  else command -v "$$cmd" >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installation des paquets système :$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Paquets système manquants :$$missing"; \
	    echo "Installez-les avec : sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-deps-serve:
	$(call ensure_packages,$(SERVE_PACKAGES))

system-deps-test:
	$(call ensure_packages,$(TEST_PACKAGES))

# Like ensure_packages, but what cannot be installed is reported in one line, not fatal.
system-deps-scale:
	@missing=""; for pair in $(SCALE_PACKAGES); do pkg=$${pair%%:*}; cmd=$${pair##*:}; \
	  command -v "$$cmd" >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installation des paquets système des tests de montée en charge :$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null \
	  || echo "Installation impossible de$$missing : les tests qui en ont besoin seront ignorés."; \
	else \
	  echo "Pas root : paquets$$missing absents, tests PostgreSQL/Redis ignorés (sudo apt-get install$$missing)."; \
	fi

serve: $(STAMP) system-deps-serve translations
	$(BIN)/chemins serve

# The pages' translations: the .po files are committed, the .mo files they compile to are
# built here (never committed). translations-update is for developers: it extracts the
# texts of the code and templates into messages.pot, merges it into every .po and gives
# the French catalogue (French is the source language) its plural forms.
TRANSLATIONS := app/translations
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F $(TRANSLATIONS)/babel.cfg -k lazy_gettext \
	  -k lazy_ngettext:1,2 --project=Chemins --sort-by-file \
	  -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
	  --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python -m app.i18n_plurals $(TRANSLATIONS)/fr/LC_MESSAGES/messages.po

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) system-deps-test system-deps-scale lint translations
	$(BIN)/python -m pytest

# Load benchmark of the live workshops (minutes; CI does not run it): figures printed and
# kept in build/bench/*.json, chart written to docs/performance-live.png.
bench: $(STAMP) system-deps-test
	mkdir -p build/bench
	$(BIN)/python benchmarks/live_load.py vote --server both --phones 100 500 1000 2000 5000 \
	  --json build/bench/live_vote.json
	$(BIN)/python benchmarks/live_load.py brainstorm --server chemins --phones 2000 \
	  --json build/bench/live_brainstorm.json
	$(BIN)/python benchmarks/phone_apply.py --json build/bench/phone_apply.json
	$(BIN)/python benchmarks/plot_latency.py build/bench/live_vote.json docs/performance-live.png

# Scale-out benchmark (an hour or so; CI does not run it): 1, 2 and 4 processes behind a
# private nginx, on PostgreSQL and Redis started for it; figures in build/bench/scale_out.json.
bench-scale: $(STAMP) system-deps-scale
	$(call ensure_packages,nginx:nginx)
	mkdir -p build/bench
	$(BIN)/python benchmarks/scale_out.py --processes 1 2 4 --phones 100 500 1000 2000 5000 \
	  --json build/bench/scale_out.json

examples: $(STAMP) system-deps-test
	$(BIN)/python -m exports.examples docs/examples

# The README's screenshots are those the end-to-end browser test takes.
screenshots: $(STAMP) system-deps-test translations
	CHEMINS_README_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_e2e_workshop.py \
	  -k whole_workshop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
