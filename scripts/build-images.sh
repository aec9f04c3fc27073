#!/usr/bin/env bash
# Build the container backend's images locally, for hosts with no image registry.
#
#   scripts/build-images.sh [--force]      # DOCKER_HOST from scripts/start-dockerd.sh
#
# A Debian base from `debootstrap --variant=minbase bookworm` (docker import), then, with
# `docker build --network host`, Debian's packages on it:
#   alert-harness/prometheus:local     prometheus            (ENTRYPOINT /usr/bin/prometheus)
#   alert-harness/alertmanager:local   prometheus-alertmanager
#   alert-harness/redis:local          redis-server
#   alert-harness/postgres:local       postgresql-15, with the upstream postgres image's
#                                      interface (used with --database postgres)
#   alert-harness/api:local            python3, the project's wheel (built here) and the
#                                      target's dependencies from PyPI with pip, at the
#                                      versions of .venv (compose/api/Dockerfile)
# The harness uses these with HARNESS_IMAGES=local, or on its own when the upstream
# images (prom/prometheus, ...) are absent and these are present. Idempotent: an image
# whose inputs have not changed is kept (label harness.inputs); --force rebuilds all.
# Settings: HARNESS_DEBIAN_MIRROR (default: the host's apt source), HARNESS_LOCAL_TAG.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

TAG=${HARNESS_LOCAL_TAG:-local}
BASE_IMAGE=alert-harness/base:bookworm
PYTHON_IMAGE=alert-harness/python:$TAG
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1
if [ -z "${DOCKER_HOST:-}" ] && [ -S /run/harness-docker.sock ]; then
  export DOCKER_HOST=unix:///run/harness-docker.sock
fi

say() { echo "build-images: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v docker >/dev/null || die "no docker command; run scripts/start-dockerd.sh first"
docker info >/dev/null 2>&1 \
  || die "Docker engine not reachable at ${DOCKER_HOST:-the default socket}: $(docker info 2>&1 | tail -n 1)
  start one with: docker_env=\$(scripts/start-dockerd.sh) && eval \"\$docker_env\""

# Proxies of the host, if any, reach the builds too.
build_args=()
for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!var:-}" ] && build_args+=(--build-arg "$var=${!var}")
done

image_label() {  # image label -> value ('' when the image or the label is absent)
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
image_size() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%d MB", $1/1e6}'; }

host_mirror() {  # the host's Debian mirror, so debootstrap uses what apt already reaches
  {
    grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n 1 || true
}

build_base() {
  if [ $FORCE = 0 ] && [ -n "$(image_id "$BASE_IMAGE")" ]; then
    say "$BASE_IMAGE present"
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install -y debootstrap"
  local started=$SECONDS rootfs mirror
  rootfs=$(mktemp -d /var/tmp/harness-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "grep -o ' ${rootfs}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l; rm -rf '$rootfs'" EXIT
  mirror=${HARNESS_DEBIAN_MIRROR:-$(host_mirror)}
  say "debootstrap --variant=minbase bookworm ${mirror:-(the default mirror of debootstrap)}"
  # shellcheck disable=SC2086
  debootstrap --variant=minbase bookworm "$rootfs" $mirror >"$rootfs.log" 2>&1 \
    || die "debootstrap failed; last lines of its log:
$(tail -n 20 "$rootfs.log" | sed 's/^/    /')"
  rm -f "$rootfs.log"
  # Container tweaks: no service starts on install, no docs, no recommends.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  printf 'path-exclude /usr/share/%s/*\n' doc man info locale >"$rootfs/etc/dpkg/dpkg.cfg.d/harness-slim"
  printf 'APT::Install-Recommends "0";\nAPT::Install-Suggests "0";\nAcquire::Languages "none";\n' \
    >"$rootfs/etc/apt/apt.conf.d/90harness-slim"
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale}/* "$rootfs"/var/cache/apt/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  say "$BASE_IMAGE built in $((SECONDS - started)) s ($(image_size "$BASE_IMAGE"))"
}

# build IMAGE DOCKERFILE CONTEXT INPUT_HASH [docker build args...]
build() {
  local image=$1 dockerfile=$2 context=$3 hash=$4 started=$SECONDS
  shift 4
  if [ $FORCE = 0 ] && [ "$(image_label "$image" harness.inputs)" = "$hash" ]; then
    say "$image up to date"
    return
  fi
  say "building $image"
  docker build --network host -q -f "$dockerfile" --label "harness.inputs=$hash" \
    ${build_args[@]+"${build_args[@]}"} "$@" -t "$image" "$context" >/dev/null \
    || die "docker build of $image failed (see the output above)"
  say "$image built in $((SECONDS - started)) s ($(image_size "$image"))"
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

total_started=$SECONDS
build_base
base_id=$(image_id "$BASE_IMAGE")
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
for name in prometheus alertmanager redis postgres python; do
  file=compose/images/$name.Dockerfile
  build "alert-harness/$name:$TAG" "$file" "$empty" \
    "$(echo "$base_id" | hash_of - "$file")" --build-arg "BASE=$BASE_IMAGE" &
done
wait_all() { local rc=0; for job in $(jobs -p); do wait "$job" || rc=1; done; return $rc; }
wait_all || die "an image failed to build"

# The API image: inputs are the target's source, the pinned dependencies and its base.
PY=.venv/bin/python
[ -x "$PY" ] || scripts/bootstrap.sh >&2
constraints=$(mktemp)
"$PY" -m pip freeze --exclude-editable 2>/dev/null | grep -v '^-e ' >"$constraints"
api_hash=$(
  {
    image_id "$PYTHON_IMAGE"
    cat "$constraints" pyproject.toml compose/api/Dockerfile compose/api/requirements.txt
    # What the image runs: the target and the modules it imports (the wheel has it all).
    find harness/__init__.py harness/paths.py harness/target -name '*.py' | sort | xargs cat
  } | hash_of -
)
if [ $FORCE = 1 ] || [ "$(image_label "alert-harness/api:$TAG" harness.inputs)" != "$api_hash" ]; then
  context=$ROOT_DIR/build/images/api
  rm -rf "$context"
  mkdir -p "$context/wheels" "$context/compose/api"
  cp compose/api/requirements.txt "$context/compose/api/"
  cp "$constraints" "$context/constraints.txt"
  # The CA bundle the host's pip trusts (PIP_CERT or pip's config), for the image's pip.
  cert=${PIP_CERT:-$("$PY" -m pip config get global.cert 2>/dev/null || true)}
  if [ -n "$cert" ] && [ -f "$cert" ]; then cp "$cert" "$context/pip-cert.pem"; fi
  # The project's wheel is built here; its dependencies are resolved by the image's own
  # pip (bookworm's Python 3.11.2 needs some the host's Python does not), pinned to the
  # versions of .venv by constraints.txt.
  "$PY" -m pip wheel -q --no-deps -w "$context/wheels" . 2> >(grep -v "^WARNING: Location" >&2) \
    || die "building the project's wheel failed"
fi
rm -f "$constraints"
pip_args=()
for var in PIP_INDEX_URL PIP_EXTRA_INDEX_URL; do
  case ${!var:-} in http*) pip_args+=(--build-arg "$var=${!var}") ;; esac
done
if [ -f build/images/api/pip-cert.pem ]; then
  pip_args+=(--build-arg PIP_CERT=/src/pip-cert.pem)
fi
build "alert-harness/api:$TAG" compose/api/Dockerfile "$ROOT_DIR/build/images/api" "$api_hash" \
  --build-arg "BASE=$PYTHON_IMAGE" \
  --build-arg "PIP_OPTIONS=-c /src/constraints.txt --find-links /src/wheels" \
  --build-arg "PROJECT=alert-harness" ${pip_args[@]+"${pip_args[@]}"}
# Build stages of earlier builds, left untagged.
docker image prune -f --filter label=harness.inputs >/dev/null
say "all images ready in $((SECONDS - total_started)) s:"
docker image ls --filter reference='alert-harness/*' --format '  {{.Repository}}:{{.Tag}} {{.Size}}' >&2
