# Development tasks for the cloudnet.nic collection. Needs GNU make and Python >= 3.11 (PYTHON=..., default python3).
#
#   make demo          run the example playbook against the bundled emulator (both clouds)
#   make test          sanity + lint + unit + integration + test-2.16; runs them all, fails if any failed
#   make sanity        ansible-test sanity, offline, no ignore file; compile/import on every Python 3.9-3.13 found
#   make sanity-quick  the same on the venv's Python only
#   make lint          ansible-lint (project and every module's EXAMPLES), antsibull-docs and antsibull-changelog lint
#   make unit          unit tests with coverage of plugins/ (fails under 90%, COVERAGE_MIN=...)
#   make integration   integration tests against the emulator
#   make test-2.16     unit and integration tests on ansible-core 2.16 (meta/runtime.yml's oldest), in .venv-2.16
#   make build         ansible-galaxy collection build into .build/dist
#   make bench         benchmarks against the emulator (about 15 min); writes benchmarks/results.md (not part of make test)
#   make clean         remove generated files (keeps the venvs and the caches; `make distclean` removes them)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
REQUIREMENT_FILES := tests/requirements.txt tests/constraints.txt requirements.txt
# The second leg of `make test`: ansible-core 2.16, the oldest version meta/runtime.yml accepts.
VENV_2_16 := .venv-2.16
VENV_2_16_PYTHON := $(VENV_2_16)/bin/python
INSTALLED_2_16 := $(VENV_2_16)/.installed
REQUIREMENT_FILES_2_16 := tests/requirements-2.16.txt tests/constraints-2.16.txt requirements.txt
COLLECTIONS_PATH := $(CURDIR)/.build/collections
COLLECTION_LINK := .build/collections/ansible_collections/cloudnet/nic
COVERAGE_MIN ?= 90
PYTEST_ARGS ?=
SANITY_ARGS ?=

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_PATH)
export PIP_NO_INPUT := 1
# pip's download and wheel cache stays in the project (git-ignored), never in the user's home.
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip

.PHONY: help setup setup-2.16 demo test sanity sanity-quick lint unit integration test-2.16 build bench clean distclean

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

# ansible-core 2.16 supports Python 3.10-3.12 on the controller.
setup-2.16: $(INSTALLED_2_16) $(COLLECTION_LINK)

$(VENV_2_16_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null || { \
	  echo "error: ansible-core 2.16 needs Python 3.10-3.12 to create $(VENV_2_16), but '$(PYTHON)' is: $$($(PYTHON) --version 2>/dev/null || echo 'not found')." >&2; \
	  echo "       Run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 1; }
	@echo "Creating $(VENV_2_16) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"
	@$(PYTHON) -m venv $(VENV_2_16) || { rm -rf $(VENV_2_16); echo "error: '$(PYTHON) -m venv' failed." >&2; exit 1; }

$(INSTALLED_2_16): $(REQUIREMENT_FILES_2_16) | $(VENV_2_16_PYTHON)
	@echo "Installing tests/requirements-2.16.txt into $(VENV_2_16)"
	@start=$$(date +%s); \
	$(VENV_2_16_PYTHON) -m pip install --disable-pip-version-check --quiet -r tests/requirements-2.16.txt; \
	echo "Installed in $$(( $$(date +%s) - start )) s"
	@touch $@

$(COLLECTION_LINK):
	@mkdir -p $(@D)
	@ln -sfn ../../../.. $@

demo: setup
	$(VENV_PYTHON) tools/demo.py

# Run them all, so one report shows every failure; exit non-zero if any failed.
TEST_SUITES := sanity lint unit integration test-2.16
test: setup
	@failed=""; \
	for suite in $(TEST_SUITES); do \
	  echo "===== make $$suite ====="; \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$suite || failed="$$failed $$suite"; \
	  echo "===== make $$suite: $$(( $$(date +%s) - start )) s ====="; \
	done; \
	if [ -n "$$failed" ]; then echo "===== FAILED:$$failed =====" >&2; exit 1; fi; \
	echo "===== passed: $(TEST_SUITES) ====="

sanity: setup
	$(VENV_PYTHON) tools/sanity.py $(SANITY_ARGS)

sanity-quick: setup
	$(VENV_PYTHON) tools/sanity.py --python $$($(VENV_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(SANITY_ARGS)

lint: setup
	$(VENV_PYTHON) tools/lint.py

unit: setup
	@test -d tests/unit || { echo "error: tests/unit does not exist: no unit tests to run" >&2; exit 1; }
	$(VENV_PYTHON) -m pytest tests/unit --cov=plugins --cov-report=term-missing --cov-fail-under=$(COVERAGE_MIN) $(PYTEST_ARGS)

# pytest exits 5 when it collects no test: not a failure while tests/integration is empty.
integration: setup
	@rc=0; $(VENV_PYTHON) -m pytest tests/integration $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "integration: no tests collected"; rc=0; fi; \
	exit $$rc

# The unit and integration tests again, on ansible-core 2.16 (unit coverage is measured once, by `make unit`).
test-2.16: setup-2.16
	@echo "ansible-core $$($(VENV_2_16_PYTHON) -c 'import ansible.release; print(ansible.release.__version__)') on Python $$($(VENV_2_16_PYTHON) -c 'import platform; print(platform.python_version())')"
	@failed=""; \
	$(VENV_2_16_PYTHON) -m pytest tests/unit $(PYTEST_ARGS) || failed="$$failed unit"; \
	$(VENV_2_16_PYTHON) -m pytest tests/integration $(PYTEST_ARGS) || failed="$$failed integration"; \
	if [ -n "$$failed" ]; then echo "test-2.16: FAILED:$$failed" >&2; exit 1; fi

build: setup
	$(VENV)/bin/ansible-galaxy collection build --force --output-path .build/dist

bench: setup
	$(VENV_PYTHON) benchmarks/run.py

clean:
	rm -rf .build tests/output .pytest_cache htmlcov .coverage .coverage.* coverage.xml
	find . -path ./$(VENV) -prune -o -path ./$(VENV_2_16) -prune -o -path ./.cache -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(VENV_2_16) .cache
