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

.PHONY: setup run test demo-data bench clean docs

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

$(DEMO_LANDING)/.generated-$(DEMO_SCALE): | $(STAMP)
	rm -rf $(DEMO_LANDING)
	$(BIN)/kscore generate --scale $(DEMO_SCALE) --start $(DEMO_START) --landing $(DEMO_LANDING)
	touch $@

demo-data: $(DEMO_LANDING)/.generated-$(DEMO_SCALE)

# a second `make run` recomputes days it published before: published snapshots change only by an explicit
# backfill (spec 01), so it says so
REPUBLISH := $(if $(wildcard $(WAREHOUSE)),--backfill,)

# a cold start for the first as_of_date, then one daily increment per day
run: $(STAMP) demo-data
	$(BIN)/kscore run --from $(DEMO_FIRST) --landing $(DEMO_LANDING) --warehouse $(WAREHOUSE) $(REPUBLISH)
	d=$$(date -d "$(DEMO_FIRST) + 1 day" +%F); \
	while [[ "$$d" < "$(DEMO_LAST)" || "$$d" == "$(DEMO_LAST)" ]]; do \
	  $(BIN)/kscore run --from $$d --landing $(DEMO_LANDING) --warehouse $(WAREHOUSE) $(REPUBLISH) > /dev/null || exit 1; \
	  echo "published as_of_date $$d"; \
	  d=$$(date -d "$$d + 1 day" +%F); \
	done
	$(BIN)/python -m kscore.summary $(WAREHOUSE)
	$(BIN)/kscore runs --warehouse $(WAREHOUSE) | head -5

test: $(STAMP)
	$(BIN)/python -m pytest -q tests/python

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py --scale small
	$(BIN)/python benchmarks/bench_run.py --scale small

docs: $(STAMP)
	$(BIN)/dbt docs generate

clean:
	rm -rf warehouse target logs data
