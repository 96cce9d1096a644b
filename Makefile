# Almelo Programmamonitor — the two commands: `make run` and `make test`. Both set themselves up from a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
LOCAL  := $(CURDIR)/.local
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)

# Airflow runs from a project-local home with a SQLite metadata DB (`airflow dags test` runs tasks in-process).
export AIRFLOW_HOME                    := $(LOCAL)/airflow
export AIRFLOW__CORE__DAGS_FOLDER      := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES    := False
export AIRFLOW__CORE__PARALLELISM      := 2
export AIRFLOW__CORE__DEFAULT_TIMEZONE := Europe/Amsterdam
export AIRFLOW__LOGGING__COLORED_CONSOLE_LOG := False
export DBT_SEND_ANONYMOUS_USAGE_STATS  := false
export GX_ANALYTICS_ENABLED            := False
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False

RUN_DATE ?= $(shell date +%F)
# One night as the scheduler runs it: every source DAG, then the transform (in production it starts on their Assets).
NIGHTLY_DAGS := source_cbs source_uwv source_kennispunt source_werkplein source_handmatig programmamonitor_transform

.PHONY: help install run test test-e2e bench lint stop clean

help:
	@echo "make run    run the nightly pipeline once through Airflow, then print a summary"
	@echo "make test   the test suite against a real PostgreSQL, on two workers (all but the end-to-end chains)"
	@echo "make test-e2e  the end-to-end chains: a night through airflow dags test; Airflow's scheduler, API server and workers as separate processes"
	@echo "make bench  the benchmarks (ingest, XLSX reader, validation, refresh, dbt, DAG import): a table + bench/results.json"
	@echo "make stop   stop the embedded PostgreSQL;  make clean  remove .local/ (its data) and the venv"

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@echo "==> installing into $(VENV) (exact pins from requirements.lock)"
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 not found (install python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@mkdir -p $(LOCAL)
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -c requirements.lock -e '.[dev]'; } \
	  > $(LOCAL)/install.log 2>&1 || { tail -30 $(LOCAL)/install.log; echo "error: install failed (log: .local/install.log)"; exit 1; }
	@rm -f $(VENV)/.installed-*; touch $@

run: install
	@mkdir -p $(LOCAL)
	@if [ -n "$${WAREHOUSE_URL:-}" ]; then url="$$WAREHOUSE_URL"; echo "==> warehouse: WAREHOUSE_URL"; \
	  else echo "==> warehouse: embedded PostgreSQL under .local/pg"; \
	       url="$$($(BIN)/python -m ingestion.dev.embedded_pg url programmamonitor)"; fi; \
	export WAREHOUSE_URL="$$url"; \
	echo "==> airflow metadata DB (SQLite in .local/airflow)"; \
	$(BIN)/airflow db migrate > $(LOCAL)/airflow-db-migrate.log 2>&1 \
	  || { tail -20 $(LOCAL)/airflow-db-migrate.log; echo "error: airflow db migrate failed (log: .local/airflow-db-migrate.log)"; exit 1; }; \
	echo "==> dbt manifest (the transform DAG's tasks per model)"; \
	$(BIN)/python -m ingestion manifest > $(LOCAL)/dbt-manifest.log 2>&1 \
	  || { tail -20 $(LOCAL)/dbt-manifest.log; echo "error: dbt parse failed (log: .local/dbt-manifest.log)"; exit 1; }; \
	$(BIN)/airflow pools set cbs_api 2 "Concurrent calls to the CBS OData API" > /dev/null 2>&1; \
	for dag in $(NIGHTLY_DAGS); do \
	  echo "==> DAG $$dag for $(RUN_DATE) (full log: .local/last-run-$$dag.log)"; \
	  if ! $(BIN)/airflow dags test $$dag $(RUN_DATE) 2>&1 \
	       | $(BIN)/python -m ingestion.operator.progress $(LOCAL)/last-run-$$dag.log; then \
	    echo "error: $$dag failed; the published marts are unchanged (full log: .local/last-run-$$dag.log)"; exit 1; fi; \
	done; \
	$(BIN)/python -m ingestion summary

# Tests start the embedded PostgreSQL when they need it (no TEST_WAREHOUSE_URL); one they started is stopped again,
# on success and on failure. PYTEST_ARGS: e.g. `make test PYTEST_ARGS='-k marts'`.
PYTEST_WORKERS ?= 2
define run_pytest
	@running=0; test -n "$${TEST_WAREHOUSE_URL:-}" || ! $(BIN)/python -m ingestion.dev.embedded_pg status >/dev/null 2>&1 \
	  || running=1; \
	status=0; $(BIN)/pytest $(1) $(PYTEST_ARGS) || status=$$?; \
	if [ -z "$${TEST_WAREHOUSE_URL:-}" ] && [ $$running = 0 ]; then $(BIN)/python -m ingestion.dev.embedded_pg stop || true; fi; \
	exit $$status
endef

test: install
	@$(BIN)/ruff check .
	$(call run_pytest,-m "not e2e" -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test-e2e: install
	$(call run_pytest,-m e2e -rP)

# Not part of `make test`: minutes of load on the machine. WAREHOUSE_URL's server or the embedded PostgreSQL.
bench: install
	@$(BIN)/python -m bench $(BENCH_ARGS)

stop:
	@test -x $(BIN)/python && $(BIN)/python -m ingestion.dev.embedded_pg stop || true

clean: stop
	rm -rf $(LOCAL) $(VENV) dbt_project/target dbt_project/logs
