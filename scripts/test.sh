#!/usr/bin/env bash
# The test suite, as CI runs it: the Docker engine and local images the containers
# backend needs, then pytest over tests/ and scenarios/. Extra arguments go to pytest.
#
# The whole suite (no arguments) runs as two pytest processes side by side: tests/ in
# the foreground, and the alert scenarios (scenarios/, one at a time, each on a stack of
# its own) in the background. Both mostly wait on scrapes and evaluations, so the 2-core
# CI machine carries two stacks at once (what `--parallel 2` does to the scenarios
# alone), and the scenarios cost no wall time of their own. Separate processes, so that
# no test's monkeypatch, chdir or environment reaches a scenario's stack. The scenarios'
# output is shown when tests/ has ended. With arguments: one pytest, scenario items two
# at a time.
#
# Then the fidelity check over the scenarios' own recording: for every scenario that
# ran, the offline evaluation of its rules equals its live ALERTS within one evaluation
# interval.
#
# HARNESS_NO_DOCKER=1 runs everything but the `containers` tests (said loudly, never
# silently): for a machine where a Docker engine cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

reports="reports/test-$(date -u +%Y%m%d-%H%M%S)-$$"
whole_suite=$(( $# == 0 ))  # no arguments of the user's: tests/ and scenarios/ side by side
pytest=(.venv/bin/python -m pytest)
scenarios_pid=""
docker_started=0

# Every exit path: the background scenarios stop (their stacks with them), then Docker.
cleanup() {
  if [ -n "$scenarios_pid" ]; then
    kill -TERM "$scenarios_pid" 2>/dev/null || true
    wait "$scenarios_pid" 2>/dev/null || true
  fi
  if [ "$docker_started" = 1 ]; then
    scripts/stop-dockerd.sh >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# tests/ and scenarios/ side by side; $@ only selects by mark (HARNESS_NO_DOCKER).
run_whole_suite() {
  local log="$reports.scenarios.log" tests_status=0 scenarios_status=0
  mkdir -p "$(dirname "$log")"
  "${pytest[@]}" -p no:cacheprovider --report-dir "$reports" "$@" scenarios \
    >"$log" 2>&1 &
  scenarios_pid=$!
  "${pytest[@]}" --durations 25 "$@" tests || tests_status=$?
  echo "test: tests/ ended (exit $tests_status); the alert scenarios, run beside it:" >&2
  wait "$scenarios_pid" || scenarios_status=$?
  scenarios_pid=""
  cat "$log"
  return $(( tests_status ? tests_status : scenarios_status ))  # the first failure wins
}

run_pytest() {
  local status=0
  if [ "$whole_suite" = 1 ]; then
    run_whole_suite "$@" || status=$?
  else
    "${pytest[@]}" --parallel 2 --report-dir "$reports" "$@" || status=$?
  fi
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
docker_started=1
scripts/build-images.sh
run_pytest "$@"
