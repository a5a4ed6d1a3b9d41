# Development tasks for the cloudnet.nic collection. Needs GNU make and Python >= 3.11 (PYTHON=..., default python3);
# the version matrix also needs Python 3.12 and 3.13 (tools/pythons.py finds them on PATH or in pyenv).
#
#   make demo          run the example playbook against the bundled emulator (both clouds)
#   make test          the release gate, about 20 minutes from a fresh clone (tools/matrix.py plan test, two lanes):
#                      ansible-core 2.21 (the newest, Python 3.13): ansible-test sanity (compile on every Python
#                      3.9-3.13), unit tests with coverage, integration tests, ansible-test units and integration;
#                      ansible-core 2.16 (the oldest): unit tests, ansible-test integration; lint; the docsite;
#                      galaxy-importer on the built tarball
#   make test-matrix   what does not fit in make test: sanity on 2.16-2.20 (2.19: compile and import on 3.9-3.13),
#                      the integration tests on 2.16, every suite on 2.17, 2.18, 2.19 and 2.20
#   make test-2.X      every suite on one ansible-core minor version (2.16 ... 2.21), in .venv-2.X
#   make sanity        ansible-test sanity on 2.19, offline, no ignore file; compile/import on every Python 3.9-3.13
#   make sanity-quick  the same on the venv's Python only
#   make lint          ansible-lint (project, every module's EXAMPLES, every playbook in README.md and docs/*.md),
#                      antsibull-docs and antsibull-changelog lint
#   make importer      galaxy-importer (what Galaxy and Automation Hub run on upload) on the built tarball, 0 warnings
#   make docsite       build the docsite with antsibull-docs and Sphinx into .build/docsite (fails on any warning)
#   make unit          unit tests with coverage of plugins/ (fails under 90%, COVERAGE_MIN=...)
#   make integration   integration tests against the emulator (pytest)
#   make ansible-test-units, make ansible-test-integration   the same through ansible-test from a collection path
#   make docs          regenerate docs/error-codes.md, docs/reliability.md and the docsite's RST pages
#   make build         ansible-galaxy collection build into .build/dist
#   make bench         benchmarks against the emulator (about 15 min); writes benchmarks/results.md (not part of make test)
#   make ee            build the execution environment image EE_IMAGE on EE_BASE_IMAGE (default: made with debootstrap)
#   make test-ee       run docs/awx.md's job template in that image (ansible-runner --process-isolation, podman)
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
# The version matrix (tools/matrix.py, standard library only): it makes .venv through `make setup` and the other
# legs' .venv-2.X itself, side by side.
MATRIX := $(PYTHON) tools/matrix.py
COLLECTIONS_PATH := $(CURDIR)/.build/collections
COLLECTION_LINK := .build/collections/ansible_collections/cloudnet/nic
COVERAGE_MIN ?= 90
PYTEST_ARGS ?=
SANITY_ARGS ?=
# make ee / make test-ee (tools/ee.py): the image to build and test, and its base. The default base is made here from
# Debian packages (no registry needed); a standard one, e.g. EE_BASE_IMAGE=quay.io/ansible/awx-ee:24.6.1, is pulled.
EE_BASE_IMAGE ?= localhost/cloudnet-nic-ee-base:bookworm
EE_IMAGE ?= localhost/cloudnet-nic-ee:latest

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_PATH)
export PIP_NO_INPUT := 1
# pip's download and wheel cache stays in the project (git-ignored), never in the user's home.
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip

.PHONY: help setup demo test test-matrix sanity sanity-quick lint docsite importer docs unit integration ansible-test-units \
	ansible-test-integration build bench ee test-ee clean distclean

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

# Run them all, so one report shows every failure (tools/matrix.py prints each suite's time); exit non-zero if any failed.
test: $(COLLECTION_LINK)
	$(MATRIX) plan test

test-matrix: $(COLLECTION_LINK)
	$(MATRIX) plan matrix

test-2.%: $(COLLECTION_LINK)
	$(MATRIX) run sanity-2.$* unit-2.$* integration-2.$* ansible-test-units-2.$* ansible-test-integration-2.$*

sanity: setup
	$(VENV_PYTHON) tools/run_ansible_test.py sanity $(SANITY_ARGS)

sanity-quick: setup
	$(VENV_PYTHON) tools/run_ansible_test.py sanity --python $$($(VENV_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(SANITY_ARGS)

lint: setup
	$(VENV_PYTHON) tools/lint.py

importer: setup
	$(VENV_PYTHON) tools/importer.py

docsite: setup
	$(VENV_PYTHON) tools/docsite.py build

docs: setup
	$(VENV_PYTHON) tools/error_codes_doc.py
	$(VENV_PYTHON) tools/reliability_doc.py
	$(VENV_PYTHON) tools/docsite.py rst

unit: setup
	@test -d tests/unit || { echo "error: tests/unit does not exist: no unit tests to run" >&2; exit 1; }
	$(VENV_PYTHON) -m pytest tests/unit --cov=plugins --cov-report=term-missing --cov-fail-under=$(COVERAGE_MIN) $(PYTEST_ARGS)

integration: setup
	$(VENV_PYTHON) -m pytest tests/integration $(PYTEST_ARGS)

ansible-test-units: setup
	$(VENV_PYTHON) tools/run_ansible_test.py units

ansible-test-integration: setup
	$(VENV_PYTHON) tools/run_ansible_test.py integration

build: setup
	$(VENV)/bin/ansible-galaxy collection build --force --output-path .build/dist

bench: setup
	$(VENV_PYTHON) benchmarks/run.py

# Installs podman, runc and debootstrap with apt-get when missing; caches in .cache/ee, work files in .build/ee.
ee: build
	$(VENV_PYTHON) tools/ee.py build --base-image '$(EE_BASE_IMAGE)' --tag '$(EE_IMAGE)'

test-ee: ee
	$(VENV_PYTHON) tools/ee.py test --tag '$(EE_IMAGE)' $(PYTEST_ARGS)

clean:
	rm -rf .build tests/output .pytest_cache htmlcov .coverage .coverage.* coverage.xml
	find . -path './.venv*' -prune -o -path ./.cache -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .venv-2.* .cache
