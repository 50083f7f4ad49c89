# Developer and CI entry points. `make test` from a fresh clone sets everything up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
VENV_BIN := $(VENV)/bin
# Stamp files: the venv is (re)installed only when pyproject.toml changes, node_modules only
# when package.json / package-lock.json change. Both live inside the folder they describe, so
# deleting the folder also forces a reinstall.
VENV_STAMP := $(VENV)/.notary-installed.stamp
# npm rewrites node_modules/.package-lock.json on every install: it is npm's own stamp.
NPM_STAMP := node_modules/.package-lock.json

.PHONY: venv node_modules artifacts-check compile demo test test-deep lint

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(VENV_BIN)/python || $(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/python -m pip install -e '.[dev]'
	touch $@

node_modules: $(NPM_STAMP)

# Not `npm ci`: it insists that package-lock.json lists every optional platform package of
# @foundry-rs/anvil (darwin, win32, linux-arm64), and the npm registry reachable from our
# machines serves only the linux-amd64 one, so the lock cannot list them and `npm ci` fails
# with "Missing: @foundry-rs/anvil-darwin-amd64@ from lock file". `npm install --no-save`
# installs exactly the locked versions and never rewrites package.json or package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	touch $@

# Fast: compares hashes only, needs no compiler.
artifacts-check: venv
	$(VENV_BIN)/python scripts/compile_contracts.py --check

compile: venv node_modules
	$(VENV_BIN)/python scripts/compile_contracts.py

demo: venv node_modules artifacts-check
	$(VENV_BIN)/notary demo

lint: venv
	$(VENV_BIN)/ruff check src tests scripts
	$(VENV_BIN)/mypy

test: venv node_modules artifacts-check
	$(VENV_BIN)/python scripts/components.py
	$(VENV_BIN)/ruff check src tests scripts
	$(VENV_BIN)/mypy
	$(VENV_BIN)/pytest -q

# The deep tier: long fault runs, fuzzing, big batches (not in CI's time budget).
test-deep: venv node_modules artifacts-check
	$(VENV_BIN)/pytest -q -m deep
