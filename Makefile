# Two commands do everything: `make demo` and `make test`.
# The first run creates .venv and installs the pinned stack; later runs reuse it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DATA ?=
export PYTHONPATH := $(CURDIR)
export SODA_CORE_TELEMETRY_ENABLED := false
# spark-submit (from pyspark) and airflow resolve to the venv, also for processes Airflow starts.
export PATH := $(CURDIR)/$(BIN):$(PATH)
CLI := $(BIN)/python -m include.cli

.PHONY: demo test install warehouse-up warehouse-stop warehouse-reset load run repair summary rotation clean up down

$(INSTALLED): requirements.txt constraints.txt
	@echo "==> creating $(VENV) and installing the pinned stack (first run only, ~1 min)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -c constraints.txt
	@touch $(INSTALLED)

install: $(INSTALLED)

## The main job: warehouse up, sources loaded, every pipeline run through Airflow, summary.
demo: $(INSTALLED)
	@$(CLI) demo $(if $(DATA),--data $(DATA))

## The tests, on a real PostgreSQL, real Airflow runs and a real Spark session.
test: $(INSTALLED)
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

warehouse-up: $(INSTALLED)
	@$(CLI) warehouse up
warehouse-stop: $(INSTALLED)
	@$(CLI) warehouse stop
warehouse-reset: $(INSTALLED)
	@$(CLI) warehouse reset

## make load DATA=dir | DUMP=data.dump | (nothing: generated sources)
load: $(INSTALLED)
	@$(CLI) load $(if $(DATA),--data $(DATA)) $(if $(DUMP),--dump $(DUMP))

## make run PIPELINE=players FROM=1996 TO=2000 [METHOD=full]
run: $(INSTALLED)
	@test -n "$(PIPELINE)" -a -n "$(FROM)" || { echo "error: give PIPELINE=<name> FROM=<period>, e.g. make run PIPELINE=players FROM=1996 TO=2000" >&2; exit 2; }
	@$(CLI) run $(PIPELINE) --from $(FROM) $(if $(TO),--to $(TO)) $(if $(METHOD),--method $(METHOD))

## make repair PIPELINE=web_activity FROM=2023-01-05: late events for a day -> rebuild it and every later day
repair: $(INSTALLED)
	@test -n "$(PIPELINE)" -a -n "$(FROM)" || { echo "error: give PIPELINE=web_activity FROM=<late day>, e.g. make repair PIPELINE=web_activity FROM=2023-01-05" >&2; exit 2; }
	@$(CLI) repair $(PIPELINE) --from $(FROM)

## make rotation [WEEKS=8]: who is on call now and the coming shifts
rotation: $(INSTALLED)
	@$(BIN)/python -m include.oncall --weeks $(or $(WEEKS),8)

summary: $(INSTALLED)
	@$(CLI) summary

clean: down
	@test ! -x $(BIN)/python || $(CLI) warehouse stop
	rm -rf .state

## The Airflow UI without Docker: api-server, scheduler, dag-processor, triggerer (see include/local_stack.py).
up: $(INSTALLED)
	@$(BIN)/python -m include.local_stack up
down:
	@test -x $(BIN)/python && $(BIN)/python -m include.local_stack down || true
