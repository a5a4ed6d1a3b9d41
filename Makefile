# Development tasks for the cloudnet.nic collection. Needs GNU make and Python >= 3.11 (PYTHON=..., default python3).
#
#   make demo          run the example playbook against the bundled emulator (both clouds)
#   make test          sanity + unit + integration; runs all three, fails if any failed
#   make sanity        ansible-test sanity, offline, no ignore file; compile/import on every Python 3.9-3.13 found
#   make sanity-quick  the same on the venv's Python only
#   make unit          unit tests with coverage of plugins/ (fails under 90%, COVERAGE_MIN=...)
#   make integration   integration tests against the emulator
#   make build         ansible-galaxy collection build into .build/dist
#   make bench         benchmarks against the emulator; writes benchmarks/results.md (not part of make test)
#   make clean         remove generated files (keeps .venv and ansible-test's cache; `make distclean` removes them)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
REQUIREMENT_FILES := tests/requirements.txt tests/constraints.txt requirements.txt
COLLECTIONS_PATH := $(CURDIR)/.build/collections
COLLECTION_LINK := .build/collections/ansible_collections/cloudnet/nic
COVERAGE_MIN ?= 90
PYTEST_ARGS ?=
SANITY_ARGS ?=

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_PATH)
export PIP_NO_INPUT := 1

.PHONY: help setup demo test sanity sanity-quick unit integration build bench clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The virtual environment, with tests/requirements.txt installed; reinstalled when a requirement file changes.
setup: $(INSTALLED) $(COLLECTION_LINK)

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Python >= 3.11 is needed to create $(VENV), but '$(PYTHON)' is: $$($(PYTHON) --version 2>/dev/null || echo 'not found')." >&2; \
	  echo "       Install Python 3.11+ and run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install the python3-venv package." >&2; exit 1; }

$(INSTALLED): $(REQUIREMENT_FILES) | $(VENV_PYTHON)
	@echo "Installing tests/requirements.txt into $(VENV)"
	@start=$$(date +%s); \
	$(VENV_PYTHON) -m pip install --disable-pip-version-check --quiet -r tests/requirements.txt; \
	echo "Installed in $$(( $$(date +%s) - start )) s"
	@touch $@

$(COLLECTION_LINK):
	@mkdir -p $(@D)
	@ln -sfn ../../../.. $@

demo: setup
	$(VENV_PYTHON) tools/demo.py

# Run all three, so one report shows every failure; exit non-zero if any failed.
test: setup
	@failed=""; \
	for suite in sanity unit integration; do \
	  echo "===== make $$suite ====="; \
	  $(MAKE) --no-print-directory $$suite || failed="$$failed $$suite"; \
	done; \
	if [ -n "$$failed" ]; then echo "===== FAILED:$$failed =====" >&2; exit 1; fi; \
	echo "===== sanity, unit and integration passed ====="

sanity: setup
	$(VENV_PYTHON) tools/sanity.py $(SANITY_ARGS)

sanity-quick: setup
	$(VENV_PYTHON) tools/sanity.py --python $$($(VENV_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(SANITY_ARGS)

unit: setup
	@test -d tests/unit || { echo "error: tests/unit does not exist: no unit tests to run" >&2; exit 1; }
	$(VENV_PYTHON) -m pytest tests/unit --cov=plugins --cov-report=term-missing --cov-fail-under=$(COVERAGE_MIN) $(PYTEST_ARGS)

# pytest exits 5 when it collects no test: not a failure while tests/integration is empty.
integration: setup
	@rc=0; $(VENV_PYTHON) -m pytest tests/integration $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "integration: no tests collected"; rc=0; fi; \
	exit $$rc

build: setup
	$(VENV)/bin/ansible-galaxy collection build --force --output-path .build/dist

bench: setup
	$(VENV_PYTHON) benchmarks/run.py

clean:
	rm -rf .build tests/output .pytest_cache htmlcov .coverage .coverage.* coverage.xml
	find . -path ./$(VENV) -prune -o -path ./.cache -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .cache
