#!/usr/bin/env bash
# A Docker engine of the harness's own, for `--backend containers` and `pytest -m containers`.
#
#   docker_env=$(scripts/start-dockerd.sh) && eval "$docker_env"   # sets DOCKER_HOST
#
# Installs docker.io and debootstrap with apt-get when missing, then starts dockerd on its
# own socket, data root and exec root, with no bridge and no iptables rules: every
# container runs with host networking and all traffic stays on 127.0.0.1. Idempotent: an
# engine already answering on the socket is reused. Progress goes to stderr; stdout is
# only the `export DOCKER_HOST=...` line. If the engine cannot start, exits 1 with the
# reason and the tail of dockerd's log (never a silent skip).
#
# Settings (environment): HARNESS_DOCKER_SOCK (/run/harness-docker.sock),
# HARNESS_DOCKER_ROOT (/var/lib/harness-docker), HARNESS_DOCKER_EXEC_ROOT
# (/run/harness-docker), HARNESS_DOCKER_STORAGE_DRIVER (auto: overlay2 where the data
# root's filesystem supports it, else vfs, which works anywhere but copies the whole image
# for every container: 4-6 s per container instead of 0.1 s), HARNESS_DOCKER_START_TIMEOUT
# (60 s). scripts/stop-dockerd.sh stops it.
set -euo pipefail

SOCK=${HARNESS_DOCKER_SOCK:-/run/harness-docker.sock}
ROOT=${HARNESS_DOCKER_ROOT:-/var/lib/harness-docker}
EXEC_ROOT=${HARNESS_DOCKER_EXEC_ROOT:-/run/harness-docker}
DRIVER=${HARNESS_DOCKER_STORAGE_DRIVER:-auto}
TIMEOUT=${HARNESS_DOCKER_START_TIMEOUT:-60}
PIDFILE=$EXEC_ROOT/dockerd.pid
LOG=$ROOT/dockerd.log
export DOCKER_HOST=unix://$SOCK

say() { echo "start-dockerd: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

log_reason() {  # dockerd's error lines, else the end of its log
  local errors
  errors=$(grep -E 'level=(error|fatal)|^failed|Error' "$LOG" 2>/dev/null | tail -n 8 || true)
  printf '%s\n' "${errors:-$(tail -n 15 "$LOG" 2>/dev/null)}" | sed 's/^/    /'
}

unmount_leftovers() {  # what a dockerd that died starting left mounted
  grep -oE " ($ROOT|$EXEC_ROOT)(/[^ ]*)?" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null && engine_answers; then
  say "reusing the engine at $DOCKER_HOST"
  echo "export DOCKER_HOST=$DOCKER_HOST"
  exit 0
fi

need_apt=()
command -v dockerd >/dev/null || need_apt+=(docker.io)
command -v docker >/dev/null || need_apt+=(docker.io)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed"
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null \
    || die "apt-get install ${need_apt[*]} failed"
fi
command -v dockerd >/dev/null || die "dockerd is not on PATH after installing docker.io"
[ "$(id -u)" -eq 0 ] || die "dockerd must run as root (run this script as root or with sudo)"

start_engine() {  # start_engine DRIVER: start dockerd in the background; sets started_pid
  say "starting dockerd (storage driver $1, data root $ROOT, socket $SOCK)"
  # setsid: the engine outlives this script's shell; its log says why it stopped, if it does.
  setsid dockerd \
    --host "unix://$SOCK" \
    --data-root "$ROOT" \
    --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" \
    --storage-driver "$1" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    </dev/null >>"$LOG" 2>&1 &
  started_pid=$!
}

started_pid=
fallback=
# A dockerd of ours that is running but not answering yet: wait for it instead of a second.
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  say "dockerd (pid $(cat "$PIDFILE")) is running; waiting for it to answer"
else
  mkdir -p "$ROOT" "$EXEC_ROOT" "$(dirname "$SOCK")"
  rm -f "$SOCK" "$PIDFILE"
  if [ "$DRIVER" = auto ]; then
    # overlay2 needs the overlay module and a data root on ext4 or xfs (not on overlay);
    # should it fail anyway, vfs is tried next.
    fstype=$(stat -f -c %T "$ROOT" 2>/dev/null || echo unknown)
    if grep -qw overlay /proc/filesystems && [[ $fstype =~ ^(ext2/ext3|xfs)$ ]]; then
      DRIVER=overlay2 fallback=vfs
    else
      DRIVER=vfs
    fi
  fi
  start_engine "$DRIVER"
fi

deadline=$((SECONDS + TIMEOUT))
until engine_answers; do
  if [ -n "$started_pid" ] && ! kill -0 "$started_pid" 2>/dev/null; then
    if [ -n "$fallback" ]; then
      say "dockerd with $DRIVER exited; trying $fallback (see $LOG)"
      DRIVER=$fallback fallback=
      rm -f "$SOCK" "$PIDFILE"
      unmount_leftovers
      start_engine "$DRIVER"
      continue
    fi
    unmount_leftovers
    die "dockerd exited while starting (full log: $LOG):
$(log_reason)"
  fi
  if [ $SECONDS -ge $deadline ]; then
    reason=$(docker info 2>&1 | tail -n 3 | sed 's/^/    /')
    die "the engine at $DOCKER_HOST did not answer within ${TIMEOUT} s:
$reason
  from its log ($LOG):
$(log_reason)"
  fi
  sleep 0.5
done
say "engine ready: $(docker info --format 'server {{.ServerVersion}}, storage driver {{.Driver}}' 2>/dev/null || echo up)"
echo "export DOCKER_HOST=$DOCKER_HOST"
