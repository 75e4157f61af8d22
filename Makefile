# The two commands of a fresh machine: `make run` and `make test` (README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)

# the demo: `small` (120 days from 2023-01-01) and its last 14 as_of_dates
DEMO_SCALE ?= small
DEMO_START ?= 2023-01-01
DEMO_LANDING ?= data/landing
DEMO_FIRST ?= 2023-04-18
DEMO_LAST ?= 2023-05-01
WAREHOUSE ?= warehouse/kscore.duckdb

.PHONY: setup run test lint lint-python fmt demo-data bench bench-scale bench-engines clean docs spark-setup chromium-setup java

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# the DuckDB 1.x reader the tests open the published file with (BI tools bundle 1.x; spec 06): pinned in
# requirements-duckdb1.txt, in a venv of its own (it cannot share one with duckdb 2.x)
DUCKDB1_VENV := .venv-duckdb1
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed
$(DUCKDB1_STAMP): requirements-duckdb1.txt
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-duckdb1.txt
	touch $(DUCKDB1_STAMP)

$(DEMO_LANDING)/.generated-$(DEMO_SCALE): | $(STAMP)
	rm -rf $(DEMO_LANDING)
	$(BIN)/kscore generate --scale $(DEMO_SCALE) --start $(DEMO_START) --landing $(DEMO_LANDING)
	touch $@

demo-data: $(DEMO_LANDING)/.generated-$(DEMO_SCALE)

# a second `make run` recomputes days it published before: published snapshots change only by an explicit
# backfill (spec 01), so it says so; and it rebuilds the incremental models from the landed files
# (--full-refresh), so a warehouse/ left by an older version of the models is rebuilt, not refused
REPUBLISH := $(if $(wildcard $(WAREHOUSE)),--backfill --full-refresh,)

# the demo's range in one build (spec 07: a range is one dbt invocation), then one daily increment (what
# the 06:00 schedule does)
DEMO_RANGE_LAST := $(shell date -d "$(DEMO_LAST) - 1 day" +%F)
# 快质造 (spec 09 §4.1): the demo's first weekly check is the first Monday at least 35 days after its first
# landed day, so that every state and transition occurs in its data (the seed's default is 2023-07-17)
KUAIZHIZAO_FIRST_CHECK ?= $(shell d=$$(date -d "$(DEMO_START) + 35 days" +%F); \
	date -d "$$d + $$(( (8 - $$(date -d $$d +%u)) % 7 )) days" +%F)
DEMO_VARS := --var kuaizhizao_first_check_date=$(KUAIZHIZAO_FIRST_CHECK)
run: $(STAMP) demo-data
	$(BIN)/kscore run --from $(DEMO_FIRST) --to $(DEMO_RANGE_LAST) --landing $(DEMO_LANDING) --warehouse $(WAREHOUSE) $(REPUBLISH) $(DEMO_VARS)
	$(BIN)/kscore run --from $(DEMO_LAST) --landing $(DEMO_LANDING) --warehouse $(WAREHOUSE) $(REPUBLISH) $(DEMO_VARS)
	$(BIN)/python -m kscore.summary $(WAREHOUSE)
	$(BIN)/kscore runs --warehouse $(WAREHOUSE) | head -5
	$(BIN)/python -m kscore.report $(WAREHOUSE)

# (defined before `test`: make expands a rule's prerequisites when it reads the rule)
# Apache Spark (issue 12, docs/spark.md): dbt-spark and pyspark into .venv, Java from Debian when missing
SPARK_STAMP := $(VENV)/.spark-installed
$(SPARK_STAMP): requirements-spark.txt $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $(SPARK_STAMP)

# not fatal: without Java the Spark equality test fails and says so (it never skips)
java:
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends openjdk-17-jre-headless) || echo "make: Java could not be installed \
	  (apt-get install openjdk-17-jre-headless failed); tests/python/test_spark_equality.py will fail" >&2

spark-setup: $(SPARK_STAMP) java

# two workers (the machines have 2 cores; dbt's per-node Python and DuckDB overlap); a test file stays on one
# worker, so its module fixtures (the builds it shares) are built once
test: $(STAMP) $(SPARK_STAMP) java $(DUCKDB1_STAMP) chromium-setup lint-python
	KSCORE_DUCKDB1_VENV=$(CURDIR)/$(DUCKDB1_VENV) $(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15 tests/python


# headless Chromium for tests/python/test_shop_report.py (the shop page must render; docs/report.md):
# Debian's chromium when no Chromium is on PATH (apt needs root, as for spark-setup's Java)
chromium-setup:
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Lint (issue 11, point 5): ruff for Python (ruff.toml; `make test` runs it first), yamllint for the
# dbt YAML (.yamllint) and sqlfluff for the models (.sqlfluff: dbt templater, DuckDB dialect). sqlfluff's
# dbt templater cannot share .venv (no release resolves with its click pin): it has .venv-lint, made
# from requirements-lint.txt. The templater opens a scratch build file, never the warehouse's. CI
# (.ci/run) runs `make lint` after `make test`; `make fmt` applies ruff's and sqlfluff's fixes.
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed
$(LINT_STAMP): requirements-lint.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-lint.txt
	touch $(LINT_STAMP)

LINT_TARGET := $(or $(DBT_TARGET_PATH),target)
SQLFLUFF := mkdir -p $(LINT_TARGET) && KSCORE_BUILD_DB=$(LINT_TARGET)/lint_scratch.duckdb $(LINT_VENV)/bin/sqlfluff
SQLFLUFF_PROCESSES ?= 2

lint-python: $(STAMP)
	$(BIN)/ruff check .

lint: lint-python $(LINT_STAMP)
	$(LINT_VENV)/bin/yamllint -c .yamllint models seeds dbt_project.yml
	$(SQLFLUFF) lint models --processes $(SQLFLUFF_PROCESSES)

fmt: $(STAMP) $(LINT_STAMP)
	$(BIN)/ruff check --fix .
	$(SQLFLUFF) fix models --processes $(SQLFLUFF_PROCESSES)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py --scale small
	$(BIN)/python benchmarks/bench_run.py --scale small

# the scale benchmark (issue 15): S, the backfill of every as_of_date in one run, one increment
SCALE ?= small
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --scale $(SCALE)

# the same run on DuckDB and on Spark, and the ratio (issue 12, docs/spark.md): make bench-engines SCALE=small
bench-engines: $(STAMP) spark-setup
	$(BIN)/python benchmarks/bench_engines.py --scale $(SCALE)

# dbt docs: every model and column described, with the platform's Chinese terms. The catalog (column types,
# row counts) is read from the build file `make run` leaves beside the published file; before the first run
# it is read from an empty scratch file in target/, so the site has every description but no column types
BUILD_DB := $(dir $(WAREHOUSE))$(basename $(notdir $(WAREHOUSE)))_build.duckdb
DOCS_TARGET := $(or $(DBT_TARGET_PATH),target)
docs: $(STAMP)
	@if [ -f "$(BUILD_DB)" ]; then \
	  KSCORE_BUILD_DB="$(BUILD_DB)" $(BIN)/dbt docs generate --static; \
	else \
	  echo "docs: no build file $(BUILD_DB) yet (\`make run\` makes it): descriptions only, no column types"; \
	  mkdir -p $(DOCS_TARGET) && KSCORE_BUILD_DB=$(DOCS_TARGET)/docs_scratch.duckdb $(BIN)/dbt docs generate --static; \
	fi
	@echo "docs: open $(DOCS_TARGET)/static_index.html in a browser (offline), or $(BIN)/dbt docs serve"

clean:
	rm -rf warehouse target logs data
