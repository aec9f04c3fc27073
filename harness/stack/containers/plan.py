"""What the container backend runs: each container's image, command line, environment,
mounts and readiness check, with the configuration files written into the run directory.

The files and flags are written by the functions the local backend uses
(prometheus_config.py, alertmanager_config.py, services.py); only addresses differ.
The run directory is mounted at its own path, so paths inside the files hold in and out
of the containers; configuration directories are mounted read-only, the target's
directory (its SQLite database) read-write, and Prometheus's and Alertmanager's data
live in a tmpfs.

Networking (HARNESS_CONTAINER_NETWORK):
  host    (default) every container on the host's network, each program listening on
          127.0.0.1:<free port> passed as a flag: the same addresses as the local stack.
  bridge  a network of the run's own; programs listen on 0.0.0.0:<usual port> and reach
          each other by container name; each port is published on 127.0.0.1:<free port>
          for the harness; Alertmanager reaches the capture receiver on the host as
          host.docker.internal (host-gateway). The receiver must be reachable there:
          Docker Desktop forwards it to the host's loopback; on Linux it must listen on
          the bridge's gateway, and the engine needs a default bridge (the one
          scripts/start-dockerd.sh starts has none: it is host networking only).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness.errors import StackError
from harness.stack.alertmanager_config import alertmanager_flags, write_alertmanager_config
from harness.stack.containers.images import Images
from harness.stack.ports import LOOPBACK
from harness.stack.postgres import DATABASE, SUPERUSER, PostgresAccess
from harness.stack.postgres_server import SETTINGS
from harness.stack.prometheus_config import prometheus_flags, write_prometheus_config
from harness.stack.rundir import RunDir
from harness.stack.services import target_env
from harness.stack.spec import StackSpec
from harness.stack.wait import HttpWait, RedisPingWait, WaitStrategy

READY_TIMEOUT = 60.0  # a cold container start (image layers, Python imports) is slower
POLL_INTERVAL = 0.05
INNER_PORTS = {
    "redis": 6379,
    "worker": 8001,
    "api": 8000,
    "alertmanager": 9093,
    "prometheus": 9090,
    "postgres": 5432,
}
NETWORK_MODES = ("host", "bridge")
DATA_DIR = "/harness-data"  # tmpfs of Prometheus and Alertmanager
HOST_GATEWAY = "host.docker.internal"
PG_DATA_DIR = "/var/lib/postgresql/data"  # a tmpfs; the cluster in pgdata/ below it


def network_mode(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    mode = env.get("HARNESS_CONTAINER_NETWORK", "host").strip().lower() or "host"
    if mode not in NETWORK_MODES:
        raise StackError(
            f"HARNESS_CONTAINER_NETWORK={mode!r} is not one of {', '.join(NETWORK_MODES)}."
        )
    return mode


def container_name(run_id: str, service: str) -> str:
    """A valid, unique Docker name: harness-<run id>-<service>."""
    safe = re.sub(r"[^a-zA-Z0-9_.-]+", "-", run_id).strip("-.") or "run"
    return f"harness-{safe}-{service}"


@dataclass(frozen=True)
class Network:
    """How containers and the harness address each service."""

    mode: str  # host | bridge
    host_ports: dict[str, int]  # the harness reaches service S at 127.0.0.1:host_ports[S]
    run_id: str
    name: str | None = None  # bridge: the run's Docker network

    def listen(self, service: str) -> tuple[str, int]:
        """Address the program binds inside its container."""
        if self.mode == "host":
            return LOOPBACK, self.host_ports[service]
        return "0.0.0.0", INNER_PORTS[service]

    def internal(self, service: str) -> str:
        """host:port at which the other containers reach the service."""
        if self.mode == "host":
            return f"{LOOPBACK}:{self.host_ports[service]}"
        return f"{container_name(self.run_id, service)}:{INNER_PORTS[service]}"

    def url(self, service: str) -> str:
        """Base URL at which the harness reaches the service."""
        return f"http://{LOOPBACK}:{self.host_ports[service]}"

    def receiver_url(self, url: str) -> str:
        """The capture receiver's URL as Alertmanager's container sees it."""
        if self.mode == "host":
            return url.rstrip("/")
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"{HOST_GATEWAY}:{parts.port}")).rstrip("/")

    def create_kwargs(self, service: str) -> dict[str, object]:
        """Networking arguments of docker's container create."""
        if self.mode == "host":
            return {"network_mode": "host"}
        kwargs: dict[str, object] = {"network": self.name}
        if service == "alertmanager":
            kwargs["extra_hosts"] = {HOST_GATEWAY: "host-gateway"}
        return kwargs

    def published(self, service: str) -> dict[str, tuple[str, int]]:
        """Port bindings: container port -> (127.0.0.1, host port); none on host network."""
        if self.mode == "host" or service not in self.host_ports:
            return {}
        return {f"{INNER_PORTS[service]}/tcp": (LOOPBACK, self.host_ports[service])}


@dataclass
class ContainerPlan:
    """One container's recipe."""

    service: str
    image: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    volumes: list[tuple[str, str, str]] = field(default_factory=list)  # host, inside, mode
    tmpfs: list[str] = field(default_factory=list)
    ready: WaitStrategy | None = None  # None: a one-shot container (its exit code counts)
    # Run as the host's user (files in the mounted run directory stay the harness's own);
    # False: the image's own user (PostgreSQL, whose data is in a tmpfs).
    as_host_user: bool = True


def plan_stack(
    spec: StackSpec,
    run: RunDir,
    images: Images,
    net: Network,
    receiver_url: str,
    postgres: PostgresAccess | None = None,
) -> tuple[dict[str, ContainerPlan], ContainerPlan]:
    """Write every configuration file; return the services by name, and dbinit.
    ``postgres``: how to reach the stack's PostgreSQL, whose container is planned too."""
    target_dir = run.subdir("target")
    env = container_target_env(spec, target_dir, net, postgres)
    target_volumes = [(str(target_dir), str(target_dir), "rw")]
    services = [
        *([_postgres(images, net, postgres)] if postgres is not None else []),
        _redis(images, net),
        _python(images, net, "worker", env, target_volumes),
        _python(images, net, "api", env, target_volumes),
        _alertmanager(spec, run, images, net, receiver_url),
        _prometheus(spec, run, images, net),
    ]
    for plan in services:
        assert plan.ready is not None
        plan.ready.with_timeout(READY_TIMEOUT).with_poll_interval(POLL_INTERVAL)
    dbinit = ContainerPlan(
        "dbinit", images.of("dbinit"), ["harness.target.dbinit"], env, target_volumes
    )
    return {plan.service: plan for plan in services}, dbinit


def container_target_env(
    spec: StackSpec, target_dir: Path, net: Network, postgres: PostgresAccess | None = None
) -> dict[str, str]:
    """Environment of dbinit, the worker and the API (the image brings the rest)."""
    database: Path | str = target_dir / "target.db"
    if postgres is not None:
        host, port = net.internal("postgres").rsplit(":", 1)
        database = postgres.url(host, int(port))
    return target_env(
        spec,
        database=database,
        redis=net.internal("redis"),
        worker=net.internal("worker"),
        monitoring={name: net.internal(name) for name in ("prometheus", "alertmanager")},
    )


def _redis(images: Images, net: Network) -> ContainerPlan:
    host, port = net.listen("redis")
    command = ["redis-server", "--port", str(port), "--bind", host]
    command += ["--save", "", "--appendonly", "no", "--dir", "/tmp"]  # no persistence
    if net.mode == "bridge":
        command += ["--protected-mode", "no"]  # reached from other containers, no password
    ready = RedisPingWait(LOOPBACK, net.host_ports["redis"])
    return ContainerPlan("redis", images.of("redis"), command, ready=ready)


def _postgres(images: Images, net: Network, access: PostgresAccess) -> ContainerPlan:
    """The upstream image's interface (the local image has it too); data in a tmpfs."""
    host, port = net.listen("postgres")
    command = ["postgres", "-p", str(port), "-c", f"listen_addresses={host}"]
    command += ["-c", "unix_socket_directories=/tmp"]  # exists in either image
    for name, value in SETTINGS.items():
        if name not in ("listen_addresses", "unix_socket_permissions"):
            command += ["-c", f"{name}={value}"]
    env = {
        "POSTGRES_USER": SUPERUSER,
        "POSTGRES_PASSWORD": access.password,
        "POSTGRES_DB": DATABASE,
        "PGDATA": f"{PG_DATA_DIR}/pgdata",
    }
    ready = access.ready(READY_TIMEOUT)
    return ContainerPlan(
        "postgres", images.of("postgres"), command, env, tmpfs=[PG_DATA_DIR], ready=ready,
        as_host_user=False,
    )


# Parameter lists shaped like local/plan.py's: containers and local processes plan differently.
def _python(
    images: Images,
    net: Network,
    name: str,
    env: dict[str, str],
    volumes: list[tuple[str, str, str]],
) -> ContainerPlan:
    host, port = net.listen(name)
    command = [f"harness.target.{name}", "--host", host, "--port", str(port)]
    ready = HttpWait(f"{net.url(name)}/metrics")
    return ContainerPlan(name, images.of(name), command, dict(env), list(volumes), ready=ready)


def _alertmanager(
    spec: StackSpec, run: RunDir, images: Images, net: Network, receiver_url: str
) -> ContainerPlan:
    config = write_alertmanager_config(
        spec, run.subdir("alertmanager"), net.receiver_url(receiver_url)
    )
    listen = "{}:{}".format(*net.listen("alertmanager"))
    command = alertmanager_flags(config, storage=DATA_DIR, listen=listen)
    return _monitoring("alertmanager", images, net, command, config.parent)


def _prometheus(spec: StackSpec, run: RunDir, images: Images, net: Network) -> ContainerPlan:
    config = write_prometheus_config(
        spec,
        run,
        api=net.internal("api"),
        worker=net.internal("worker"),
        alertmanager=net.internal("alertmanager"),
    )
    listen = "{}:{}".format(*net.listen("prometheus"))
    command = prometheus_flags(spec, config, storage=DATA_DIR, listen=listen)
    return _monitoring("prometheus", images, net, command, config.parent)


def _monitoring(
    name: str, images: Images, net: Network, command: list[str], config_dir: Path
) -> ContainerPlan:
    """Prometheus or Alertmanager: configuration mounted read-only, data in a tmpfs."""
    return ContainerPlan(
        name,
        images.of(name),
        command,
        volumes=[(str(config_dir), str(config_dir), "ro")],
        tmpfs=[DATA_DIR],
        ready=HttpWait(f"{net.url(name)}/-/ready"),
    )
