"""The Docker engine: where it is, a client for it, the labels the harness puts on every
container, and the sweep of containers a killed run left behind.

Every container of a run carries ``harness.run=<run id>``, ``harness.owner-pid``,
``harness.owner-start`` (the owner's start time, so a reused pid is not mistaken for it)
and ``harness.owner-host``. ``sweep_containers`` removes those whose owner, on this
host, is gone. The Ryuk reaper is never used: a host with no registry cannot pull it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import docker
import psutil
from docker.errors import DockerException

from harness.errors import StackError
from harness.process_start import is_same_process, start_ticks

log = logging.getLogger(__name__)

# The socket scripts/start-dockerd.sh serves; used when DOCKER_HOST is not set.
HARNESS_SOCKET = Path("/run/harness-docker.sock")
DEFAULT_SOCKET = Path("/var/run/docker.sock")
START_HINT = 'start one: docker_env=$(scripts/start-dockerd.sh) && eval "$docker_env"'

RUN_LABEL = "harness.run"
SERVICE_LABEL = "harness.service"
OWNER_PID_LABEL = "harness.owner-pid"
OWNER_START_LABEL = "harness.owner-start"
OWNER_HOST_LABEL = "harness.owner-host"


def docker_host() -> str:
    """DOCKER_HOST, else the harness's own engine if its socket exists, else Docker's."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host
    if HARNESS_SOCKET.is_socket():
        return f"unix://{HARNESS_SOCKET}"
    return f"unix://{DEFAULT_SOCKET}"


def disable_ryuk() -> None:
    """testcontainers must not start its reaper (it would be pulled from a registry)."""
    os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"
    from testcontainers.core.config import testcontainers_config

    testcontainers_config.ryuk_disabled = True


def connect(timeout: float = 30.0) -> tuple[docker.DockerClient, str]:
    """A client for the engine, checked with a ping; StackError saying why if unreachable.

    Also points testcontainers at the same engine (it reads DOCKER_HOST).
    """
    host = docker_host()
    disable_ryuk()
    os.environ["DOCKER_HOST"] = host
    try:
        client = docker.DockerClient(base_url=host, timeout=int(timeout))
        client.ping()
    except DockerException as exc:
        raise StackError(
            f"Docker engine not reachable at {host}: {unreachable_reason(exc)}", hint=START_HINT
        ) from None
    return client, host


def unreachable_reason(exc: BaseException) -> str:
    """The useful part of a docker-py connection error: the OS error at its root."""
    for cause in _chain(exc):
        if isinstance(cause, FileNotFoundError):
            return "no socket there (No such file or directory)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing is listening)"
        if isinstance(cause, PermissionError):
            return "permission denied (run as root or join the docker group)"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and exceptions carried in their args."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [a for a in current.args if isinstance(a, BaseException)]
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


def owner_labels(run_id: str) -> dict[str, str]:
    me = psutil.Process()
    return {
        RUN_LABEL: run_id,
        OWNER_PID_LABEL: str(me.pid),
        OWNER_START_LABEL: str(start_ticks(me.pid)),
        OWNER_HOST_LABEL: socket.gethostname(),
    }


def owner_alive(labels: dict[str, str]) -> bool:
    """True if the labelled owner still runs (same pid and start time) on this host, or if
    it cannot be told (another host's, or labels unreadable): such containers are kept."""
    if labels.get(OWNER_HOST_LABEL) != socket.gethostname():
        return True
    try:
        pid = int(labels[OWNER_PID_LABEL])
    except (KeyError, ValueError):
        return True
    started = labels.get(OWNER_START_LABEL, "")
    # Clock ticks since boot (harness.process_start); an older harness wrote a float: the
    # pid alone is then all that can be told.
    return is_same_process(pid, int(started) if started.isdigit() else None)


def sweep_containers(client: docker.DockerClient) -> list[str]:
    """Remove every harness container (and bridge network) whose owner process is dead;
    the containers' names."""
    removed: list[str] = []
    for container in client.containers.list(all=True, filters={"label": OWNER_PID_LABEL}):
        if owner_alive(container.labels):
            continue
        try:
            container.remove(force=True, v=True)
        except DockerException as exc:
            log.warning("could not remove leftover container %s: %s", container.name, exc)
            continue
        log.warning(
            "removed leftover container %s of run %s (its owner is gone)",
            container.name,
            container.labels.get(RUN_LABEL),
        )
        removed.append(container.name)
    for network in client.networks.list(filters={"label": OWNER_PID_LABEL}):
        if not owner_alive(network.attrs.get("Labels") or {}):
            try:
                network.remove()
            except DockerException as exc:
                log.warning("could not remove leftover network %s: %s", network.name, exc)
    return removed
