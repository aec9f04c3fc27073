#!/usr/bin/env bash
# The test suite, as CI runs it: the Docker engine and local images the containers
# backend needs, then pytest over tests/ and scenarios/. Extra arguments go to pytest.
#
# Scenario items run two at a time (`--parallel 2`, each on a stack of its own): they
# mostly wait on scrapes and evaluations, so two fit the 2-core CI machine.
#
# Then the fidelity check over the run's own recording: for every scenario that ran, the
# offline evaluation of its rules equals its live ALERTS within one evaluation interval.
#
# HARNESS_NO_DOCKER=1 runs everything but the `containers` tests (said loudly, never
# silently): for a machine where a Docker engine cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

reports="reports/test-$(date -u +%Y%m%d-%H%M%S)-$$"

run_pytest() {
  local status=0
  .venv/bin/python -m pytest --parallel 2 --report-dir "$reports" "$@" || status=$?
  # The scenarios' recordings, if any ran (a selection of unit tests records nothing).
  if compgen -G "$reports/*/scenarios/*/recording" >/dev/null; then
    echo "test: fidelity of the suite's recording (offline == live ALERTS)" >&2
    .venv/bin/python -m harness.offline.fidelity "$reports"/*/ || status=$((status ? status : 1))
  fi
  return "$status"
}

if [ "${HARNESS_NO_DOCKER:-0}" = 1 ]; then
  echo "test: HARNESS_NO_DOCKER=1: the containers tests are NOT run" >&2
  run_pytest -m "not containers" "$@"
  exit
fi

# With set -e, an assignment of its own so a failed start stops here with its reason.
docker_env=$(scripts/start-dockerd.sh)
eval "$docker_env"
trap 'scripts/stop-dockerd.sh >/dev/null 2>&1 || true' EXIT
scripts/build-images.sh
run_pytest "$@"
