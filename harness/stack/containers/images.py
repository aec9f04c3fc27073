"""Which image each service runs, and a clear error when one is not on the engine.

Defaults are the upstream images users know, at the versions the harness's timing was
measured with, and the project's API image (compose/api/Dockerfile). On a host with no
registry, scripts/build-images.sh builds equivalent local images from Debian packages.

Environment (read when a stack starts, never at import):
  HARNESS_IMAGES            auto (default): per service, the upstream image if the engine
                            has it, else the local one if it has that; upstream; local
  HARNESS_IMAGE_PROMETHEUS, HARNESS_IMAGE_ALERTMANAGER, HARNESS_IMAGE_REDIS,
  HARNESS_IMAGE_API, HARNESS_IMAGE_POSTGRES
                            one service's image, whatever HARNESS_IMAGES says

PostgreSQL (``--database postgres`` only, resolved only then): ``postgres:15`` upstream,
``alert-harness/postgres:local`` built from Debian's postgresql-15 with the upstream
image's interface (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA; command
``postgres <flags>``). Where no registry is reachable (as on the CI machine) auto finds
no upstream image and takes the local one.

Both kinds take the same command lines: the Prometheus and Alertmanager images have
their binary as entrypoint (flags only are passed), Redis runs ``redis-server <flags>``
and the API image ``python3 -m <module> <args>``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import docker
from docker.errors import DockerException, ImageNotFound

from harness.errors import StackError

IMAGE_SERVICES = ("prometheus", "alertmanager", "redis", "api")
POSTGRES = "postgres"  # an image only with --database postgres
UPSTREAM = {
    "prometheus": "prom/prometheus:v2.42.0",
    "alertmanager": "prom/alertmanager:v0.25.0",
    "redis": "redis:7.0",
    "api": "alert-harness-api:latest",
    POSTGRES: "postgres:15",
}
LOCAL = {name: f"alert-harness/{name}:local" for name in (*IMAGE_SERVICES, POSTGRES)}
MODES = ("auto", "upstream", "local")
BUILD_SCRIPT = "scripts/build-images.sh"
_HOW_TO_GET = {
    "api": "build it: docker build -f compose/api/Dockerfile -t alert-harness-api .",
}


@dataclass(frozen=True)
class Images:
    prometheus: str
    alertmanager: str
    redis: str
    api: str
    postgres: str = ""  # resolved only for a stack with --database postgres

    def of(self, service: str) -> str:
        """The image of a service; the worker and dbinit run the API image."""
        return str(getattr(self, "api" if service in ("worker", "dbinit") else service))


def env_var(service: str) -> str:
    return f"HARNESS_IMAGE_{service.upper()}"


def resolve_images(
    client: docker.DockerClient,
    engine: str,
    environ: Mapping[str, str] | None = None,
    *,
    postgres: bool = False,
) -> Images:
    """The image of every service (PostgreSQL's too with ``postgres``), each checked
    present on the engine.

    StackError naming every missing image and how to get it (the build script, a pull).
    """
    env = os.environ if environ is None else environ
    mode = env.get("HARNESS_IMAGES", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise StackError(
            f"HARNESS_IMAGES={mode!r} is not one of {', '.join(MODES)}.",
            hint="auto picks, per service, the upstream image if present, else the local one",
        )
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for service in (*IMAGE_SERVICES, *((POSTGRES,) if postgres else ())):
        override = env.get(env_var(service), "").strip()
        if override:
            candidates = [override]
        elif mode == "auto":
            candidates = [UPSTREAM[service], LOCAL[service]]
        else:
            candidates = [(UPSTREAM if mode == "upstream" else LOCAL)[service]]
        found = next((c for c in candidates if has_image(client, c, engine)), None)
        if found is None:
            missing.append(_missing_line(service, candidates[0], bool(override), mode))
        else:
            chosen[service] = found
    if missing:
        raise StackError(
            f"Image(s) missing on the Docker engine at {engine}:\n" + "\n".join(missing),
            hint=f"{BUILD_SCRIPT} builds every local image (alert-harness/*:local) with no "
            "registry; HARNESS_IMAGES=local then selects them",
        )
    return Images(**chosen)


def has_image(client: docker.DockerClient, name: str, engine: str) -> bool:
    try:
        client.images.get(name)
    except ImageNotFound:
        return False
    except DockerException as exc:
        raise StackError(f"Cannot look up image {name} on the engine at {engine}: {exc}") from None
    return True


def _missing_line(service: str, image: str, override: bool, mode: str) -> str:
    if override:
        how = f"set by {env_var(service)}; pull or build it"
    elif image == LOCAL[service]:
        how = f"build it with {BUILD_SCRIPT}"
    else:
        how = _HOW_TO_GET.get(service, f"docker pull {image}")
        if mode == "auto":
            how += f", or build {LOCAL[service]} with {BUILD_SCRIPT}"
    return f"  {service}: {image} ({how})"
