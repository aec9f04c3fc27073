# Targets document themselves: `make help`.
.DEFAULT_GOAL := help
PY := .venv/bin/python
K ?= 60
# The flagship scenarios `make demo` runs: a quiet baseline, then one fault per kind of alert.
FLAGSHIP := scenarios/baseline.yaml scenarios/high-error-rate.yaml scenarios/high-latency.yaml \
	scenarios/worker-stalled-stuck.yaml scenarios/intervention-creation-failing.yaml

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

bootstrap: ## Install what is missing (Debian packages, .venv): idempotent
	@scripts/bootstrap.sh

demo: bootstrap ## Main job: local stack, flagship scenarios at time scale K, report in reports/
	$(PY) -m harness.cli.main run $(FLAGSHIP) --time-scale $(K)

test: bootstrap ## The test suite (what CI runs): Docker engine + images, then pytest
	@scripts/test.sh

test-local: bootstrap ## The test suite without the containers tests (no Docker engine)
	@HARNESS_NO_DOCKER=1 scripts/test.sh

lint: bootstrap ## ruff and mypy
	.venv/bin/ruff check harness tests locustfiles benchmarks
	.venv/bin/mypy

up: bootstrap ## The stack for manual work, until Ctrl-C
	$(PY) -m harness.cli.main up --time-scale $(K)

bench: bootstrap ## Benchmarks: figures to benchmarks/results/
	$(PY) -m benchmarks

.PHONY: help bootstrap demo test test-local lint up bench
