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
# The loaders `make bench` compares text loading with: the last commit before PDF input, and
# the last before the converter readers and the placement of packed rows.
BENCH_TEXT_BASELINE ?= 54080fe,243ac92
# `make test` builds into this scratch file, never into the live warehouse/budget.duckdb.
TEST_WAREHOUSE ?= target/test/budget.duckdb

# dbt: no usage tracking (CI has no network besides package registries).
export DO_NOT_TRACK ?= 1
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= False

# Lint only the folders that exist (a fresh skeleton may not have all of them yet).
PY_DIRS = $(wildcard loaders tests scripts sqlfluff_libs orchestration bi)
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

build: $(STAMP) ## install, land the documents, one dbt build beside the live warehouse, swap it in
	$(PY) -m loaders rebuild --docs "$(BUDGET_DOCS_DIR)" --landed "$(BUDGET_LANDED_PATH)"

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

bench: $(STAMP) ## benchmarks: PDF parsing vs bare extraction, text loading vs the previous loader; 1,000-document corpus: load (+ dbt), rebuilds
	$(PY) scripts/bench_pdf.py --repeat 20 --text-baseline $(BENCH_TEXT_BASELINE)
	$(PY) scripts/bench_load.py --count 1000 --dbt
	$(PY) scripts/bench_rebuild.py --count 1000

clean: ## remove build output: seeds/landed, dbt target/ and logs/, warehouse/*.duckdb
	rm -rf seeds/landed target logs
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.wal

distclean: clean ## clean, and remove $(VENV) too
	rm -rf "$(VENV)"

# ---------------------------------------------------------------------------------------------
# BI: Apache Superset in its own virtualenv (an optional extra, never installed into $(VENV)).
# `make test-bi` starts it on 127.0.0.1 over the warehouse and queries a mart through its API;
# CI runs it after `make test`. See docs/bi.md.
# ---------------------------------------------------------------------------------------------
BI_VENV ?= .venv-superset
BI_REQUIREMENTS = bi/requirements-superset.txt
# Written after a successful install; the venv is made anew only when the requirements change.
BI_STAMP = $(BI_VENV)/.installed

.PHONY: bi-venv test-bi

bi-venv: $(BI_STAMP) ## create $(BI_VENV) with Apache Superset from bi/requirements-superset.txt

$(BI_STAMP): $(BI_REQUIREMENTS)
	rm -rf "$(BI_VENV)"
	@if command -v python3.11 >/dev/null 2>&1; then python3.11 -m venv "$(BI_VENV)"; \
	else python3 -m venv "$(BI_VENV)"; fi
	@echo '*' > "$(BI_VENV)/.gitignore"
	$(BI_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(BI_REQUIREMENTS)
	@touch "$@"

# Where `make test-bi` saves the dashboard's screenshot (docs/img/dashboard.png is the README's).
BUDGET_BI_SCREENSHOT ?= target/bi/dashboard.png
export BUDGET_BI_SCREENSHOT

test-bi: $(STAMP) $(BI_STAMP) ## Superset over the warehouse: SQL Lab, the bi/dashboard/ import, each chart's data, a screenshot (needs chromium, chromium-driver)
	@if [ ! -f "$${BUDGET_WAREHOUSE_PATH:-warehouse/budget.duckdb}" ]; then $(MAKE) build; fi
	BUDGET_SUPERSET_VENV="$(BI_VENV)" $(PY) -m pytest -q -o addopts="-ra" tests/bi

# ---------------------------------------------------------------------------------------------
# Operations: scheduled rebuild, exports, Dagster (docs/operations.md)
# ---------------------------------------------------------------------------------------------
.PHONY: rebuild watch export docs test-orchestration

rebuild: $(STAMP) ## land new/changed documents, dbt build beside the live warehouse, swap it in
	$(PY) -m loaders rebuild

watch: $(STAMP) ## rebuild whenever $(BUDGET_DOCS_DIR) changes (long-running; Ctrl-C stops it)
	$(PY) -m loaders watch

export: $(STAMP) ## marts -> warehouse/exports/: budget_v1_4.duckdb (DuckDB 1.4 format), Parquet, CSV, Excel
	$(PY) -m loaders export

docs: $(STAMP) ## dbt docs site in target/docs, generated against a copy of the live warehouse
	$(PY) -m loaders docs --out target/docs

# The Dagster definitions (orchestration/) need the `orchestration` extra, kept out of $(VENV).
ORCH_VENV ?= .venv-orchestration
ORCH_STAMP = $(ORCH_VENV)/.installed

$(ORCH_STAMP): pyproject.toml
	@if [ ! -x "$(ORCH_VENV)/bin/python" ]; then \
	  if command -v python3.11 >/dev/null 2>&1; then python3.11 -m venv "$(ORCH_VENV)"; \
	  else python3 -m venv "$(ORCH_VENV)"; fi; \
	fi
	@echo '*' > "$(ORCH_VENV)/.gitignore"
	$(ORCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,orchestration]'
	@touch "$@"

test-orchestration: $(ORCH_STAMP) ## dbt parse, then the Dagster definitions test in $(ORCH_VENV)
	$(ORCH_VENV)/bin/dbt parse --quiet $(DBT_FLAGS) --target-path target/dagster
	$(ORCH_VENV)/bin/python -m pytest -q -o addopts=-ra tests/orchestration
	$(ORCH_VENV)/bin/ruff check orchestration
	$(ORCH_VENV)/bin/ruff format --check orchestration
