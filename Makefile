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

.PHONY: serve test lint venv system-deps-serve system-deps-test clean examples bench

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

serve: $(STAMP) system-deps-serve
	$(BIN)/chemins serve

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) system-deps-test lint
	$(BIN)/python -m pytest

examples: $(STAMP) system-deps-test
	$(BIN)/python -m exports.examples docs/examples

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
