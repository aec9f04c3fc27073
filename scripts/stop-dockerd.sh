#!/usr/bin/env bash
# Stop the engine scripts/start-dockerd.sh started (same settings), after removing every
# container the harness labelled. `--purge` also deletes its data root (images included).
set -euo pipefail

SOCK=${HARNESS_DOCKER_SOCK:-/run/harness-docker.sock}
ROOT=${HARNESS_DOCKER_ROOT:-/var/lib/harness-docker}
EXEC_ROOT=${HARNESS_DOCKER_EXEC_ROOT:-/run/harness-docker}
PIDFILE=$EXEC_ROOT/dockerd.pid
export DOCKER_HOST=unix://$SOCK

say() { echo "stop-dockerd: $*" >&2; }

if [ ! -f "$PIDFILE" ] || ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  say "no engine of ours is running"
else
  pid=$(cat "$PIDFILE")
  leftovers=$(docker ps -aq --filter label=harness.run 2>/dev/null || true)
  if [ -n "$leftovers" ]; then
    say "removing harness containers: $(echo "$leftovers" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    docker rm -f $leftovers >/dev/null || true
  fi
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "dockerd did not stop within 30 s; killing it"
    kill -KILL "$pid" || true
  fi
  rm -f "$SOCK" "$PIDFILE"
  # dockerd leaves its default network namespace mounted under the exec root.
  grep -o " $EXEC_ROOT/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
fi
if [ "${1:-}" = "--purge" ]; then
  say "deleting $ROOT"
  # vfs layers may hold mount points of a killed engine; unmount before deleting.
  grep -o " ${ROOT}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$ROOT"
fi
