"""What the container backend runs: each container's image, command line, environment,
mounts and readiness check, with the configuration files written into the run directory.

The files are the local backend's: prometheus.yml rendered from the same template,
the spec's rules, and the Alertmanager configuration with RECEIVER_URL_TOKEN replaced.
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

from harness.durations import format_duration
from harness.errors import ConfigError, StackError
from harness.stack.alertmanager_config import default_alertmanager_config
from harness.stack.containers.images import Images
from harness.stack.ports import LOOPBACK
from harness.stack.prometheus_config import ScrapeJob, render_prometheus_config
from harness.stack.rundir import RunDir
from harness.stack.spec import RECEIVER_URL_TOKEN, StackSpec
from harness.stack.wait import HttpWait, RedisPingWait, WaitStrategy

SERVICE_NAMES = ("redis", "worker", "api", "alertmanager", "prometheus")
INNER_PORTS = {"redis": 6379, "worker": 8001, "api": 8000, "alertmanager": 9093, "prometheus": 9090}
NETWORK_MODES = ("host", "bridge")
DATA_DIR = "/harness-data"  # tmpfs of Prometheus and Alertmanager
HOST_GATEWAY = "host.docker.internal"


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


def plan_stack(
    spec: StackSpec, run: RunDir, images: Images, net: Network, receiver_url: str
) -> tuple[dict[str, ContainerPlan], ContainerPlan]:
    """Write every configuration file; return the services by name, and dbinit."""
    target_dir = run.subdir("target")
    env = target_env(spec, target_dir, net)
    target_volumes = [(str(target_dir), str(target_dir), "rw")]
    services = [
        _redis(images, net),
        _python(images, net, "worker", env, target_volumes),
        _python(images, net, "api", env, target_volumes),
        _alertmanager(spec, run, images, net, receiver_url),
        _prometheus(spec, run, images, net),
    ]
    dbinit = ContainerPlan(
        "dbinit", images.of("dbinit"), ["harness.target.dbinit"], env, target_volumes
    )
    return {plan.service: plan for plan in services}, dbinit


def target_env(spec: StackSpec, target_dir: Path, net: Network) -> dict[str, str]:
    """Environment of dbinit, the worker and the API; spec.target_env on top."""
    env = {
        "TARGET_DATABASE_URL": f"sqlite:///{target_dir / 'target.db'}",
        "TARGET_REDIS_URL": f"redis://{net.internal('redis')}/0",
        "TARGET_FAULT_TOKEN": spec.fault_token,
        "TARGET_TIME_SCALE": repr(float(spec.time_scale)),
        "TARGET_QUEUE_COLLECT_INTERVAL": repr(float(spec.intervals.queue_collect)),
        "TARGET_WORKER_CONTROL_URL": f"http://{net.internal('worker')}",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(spec.target_env)
    return env


def _redis(images: Images, net: Network) -> ContainerPlan:
    host, port = net.listen("redis")
    command = ["redis-server", "--port", str(port), "--bind", host]
    command += ["--save", "", "--appendonly", "no", "--dir", "/tmp"]  # no persistence
    if net.mode == "bridge":
        command += ["--protected-mode", "no"]  # reached from other containers, no password
    ready = RedisPingWait(LOOPBACK, net.host_ports["redis"])
    return ContainerPlan("redis", images.of("redis"), command, ready=ready)


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
    sub = run.subdir("alertmanager")
    url = net.receiver_url(receiver_url)
    if spec.alertmanager_yaml is None:
        text = default_alertmanager_config(url, time_scale=spec.time_scale)
    else:
        text = spec.alertmanager_yaml.replace(RECEIVER_URL_TOKEN, url)
    config = sub / "alertmanager.yml"
    config.write_text(text)
    host, port = net.listen("alertmanager")
    command = [
        f"--config.file={config}",
        f"--storage.path={DATA_DIR}",
        f"--web.listen-address={host}:{port}",
        "--cluster.listen-address=",  # clustering off: no ~10 s gossip settle (TIMING.md)
    ]
    return ContainerPlan(
        "alertmanager",
        images.of("alertmanager"),
        command,
        volumes=[(str(sub), str(sub), "ro")],
        tmpfs=[DATA_DIR],
        ready=HttpWait(f"{net.url('alertmanager')}/-/ready"),
    )


def _prometheus(spec: StackSpec, run: RunDir, images: Images, net: Network) -> ContainerPlan:
    sub = run.subdir("prometheus")
    rules_dir = run.subdir("prometheus/rules")
    rule_paths = []
    for name, text in spec.rule_files:
        if not name or Path(name).name != name or name in (".", ".."):
            raise ConfigError(f"Rule file name {name!r} must be a plain file name.")
        path = rules_dir / name
        if path.exists():
            raise ConfigError(f"Two rule files are both named {name!r}.")
        path.write_text(text)
        rule_paths.append(path)
    config = sub / "prometheus.yml"
    config.write_text(
        render_prometheus_config(
            spec.intervals,
            jobs=[
                ScrapeJob("api", net.internal("api")),
                ScrapeJob("worker", net.internal("worker")),
            ],
            alertmanager=net.internal("alertmanager"),
            rule_files=rule_paths,
        )
    )
    host, port = net.listen("prometheus")
    command = [
        f"--config.file={config}",
        f"--storage.tsdb.path={DATA_DIR}",
        f"--web.listen-address={host}:{port}",
        f"--rules.alert.resend-delay={format_duration(spec.intervals.resend_delay)}",
        "--web.enable-lifecycle",
    ]
    return ContainerPlan(
        "prometheus",
        images.of("prometheus"),
        command,
        volumes=[(str(sub), str(sub), "ro")],
        tmpfs=[DATA_DIR],
        ready=HttpWait(f"{net.url('prometheus')}/-/ready"),
    )
