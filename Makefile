# Budget warehouse: the commands a person, a scheduler and CI run. GNU make.
# Needs only python3.11 (or a python3 that is 3.11) and make; everything else is installed into
# $(VENV) from pyproject.toml. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
PY = $(VENV)/bin/python
DBT = $(VENV)/bin/dbt
DBT_FLAGS = --project-dir . --profiles-dir .
# Written after a successful install; re-install only when pyproject.toml changes.
STAMP = $(VENV)/.installed

# Inputs and outputs (each can be overridden from the environment or the command line).
BUDGET_DOCS_DIR ?= data/documents
BUDGET_LANDED_PATH ?= seeds/landed
export BUDGET_LANDED_PATH
# `make test` builds into this scratch file, never into the live warehouse/budget.duckdb.
TEST_WAREHOUSE ?= target/test/budget.duckdb

# dbt: no usage tracking (CI has no network besides package registries).
export DO_NOT_TRACK ?= 1
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= False

# Lint only the folders that exist (a fresh skeleton may not have all of them yet).
PY_DIRS = $(wildcard loaders tests scripts sqlfluff_libs)
SQL_DIRS = $(wildcard models macros tests/dbt)

.PHONY: help venv install load dbt-build build test pytest dbt-test lint fmt clean distclean bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

venv: $(STAMP) ## create $(VENV) and install the project with its dev extras
install: $(STAMP) ## same as venv

$(STAMP): pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  if command -v python3.11 >/dev/null 2>&1; then python3.11 -m venv "$(VENV)"; \
	  else python3 -m venv "$(VENV)"; fi; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch "$@"

load: $(STAMP) ## parse the documents in $(BUDGET_DOCS_DIR) into Parquet under $(BUDGET_LANDED_PATH)
	$(PY) -m loaders load "$(BUDGET_DOCS_DIR)" --out "$(BUDGET_LANDED_PATH)"

dbt-build: $(STAMP) ## dbt seed + run + test into the warehouse (BUDGET_WAREHOUSE_PATH)
	$(DBT) build $(DBT_FLAGS)

build: $(STAMP) ## install, load, dbt-build: the README's first command
	$(MAKE) load
	$(MAKE) dbt-build

test: $(STAMP) ## pytest, then load + dbt build into a scratch warehouse, then lint
	$(MAKE) pytest
	$(MAKE) dbt-test
	$(MAKE) lint

pytest: $(STAMP) ## the Python test suite only
	$(PY) -m pytest -q

dbt-test: $(STAMP) ## load, then dbt build (models + all dbt tests) into $(TEST_WAREHOUSE)
	$(MAKE) load
	@mkdir -p "$(dir $(TEST_WAREHOUSE))"
	@rm -f "$(TEST_WAREHOUSE)" "$(TEST_WAREHOUSE).wal"
	BUDGET_WAREHOUSE_PATH="$(TEST_WAREHOUSE)" $(DBT) build $(DBT_FLAGS)

lint: $(STAMP) ## ruff check + ruff format --check (Python), sqlfluff lint (SQL)
	$(if $(PY_DIRS),$(VENV)/bin/ruff check $(PY_DIRS))
	$(if $(PY_DIRS),$(VENV)/bin/ruff format --check $(PY_DIRS))
	$(if $(SQL_DIRS),$(VENV)/bin/sqlfluff lint $(SQL_DIRS))

fmt: $(STAMP) ## rewrite Python and SQL in the house style
	$(if $(PY_DIRS),$(VENV)/bin/ruff check --fix $(PY_DIRS))
	$(if $(PY_DIRS),$(VENV)/bin/ruff format $(PY_DIRS))
	$(if $(SQL_DIRS),$(VENV)/bin/sqlfluff fix $(SQL_DIRS))

bench: $(STAMP) ## time the loaders (scripts/bench_load.py)
	$(PY) scripts/bench_load.py

clean: ## remove build output: seeds/landed, dbt target/ and logs/, warehouse/*.duckdb
	rm -rf seeds/landed target logs
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.wal

distclean: clean ## clean, and remove $(VENV) too
	rm -rf "$(VENV)"
