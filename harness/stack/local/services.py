"""What the local backend runs: each service's command line, environment, files and
readiness check, written into the run directory before anything starts."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness.durations import format_duration
from harness.errors import ConfigError
from harness.paths import PROJECT_DIR
from harness.stack.alertmanager_config import default_alertmanager_config
from harness.stack.ports import LOOPBACK
from harness.stack.process import ManagedProcess
from harness.stack.prometheus_config import ScrapeJob, render_prometheus_config
from harness.stack.rundir import RunDir
from harness.stack.spec import RECEIVER_URL_TOKEN, StackSpec
from harness.stack.wait import HttpWait, RedisPingWait, WaitStrategy

# Start order matters only for Alertmanager before Prometheus (the notifier does not retry).
SERVICE_NAMES = ("redis", "worker", "api", "alertmanager", "prometheus")
# Command prefix of each target program (``--host``/``--port`` are appended for the
# servers). Tests point these at stand-ins.
TARGET_COMMANDS: dict[str, list[str]] = {
    name: [sys.executable, "-m", f"harness.target.{name}"] for name in ("dbinit", "worker", "api")
}
READY_TIMEOUT = 20.0  # seconds; Python targets import a lot on a cold cache
POLL_INTERVAL = 0.025


@dataclass(frozen=True)
class Ports:
    redis: int
    worker: int
    api: int
    alertmanager: int
    prometheus: int

    def url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{getattr(self, name)}"


@dataclass
class Service:
    """A service's recipe; ``process`` is its current (or last) run."""

    name: str
    argv: list[str]
    log_path: Path
    cwd: Path
    ready: WaitStrategy
    env: dict[str, str] | None = None
    process: ManagedProcess | None = field(default=None, repr=False)

    def new_process(self) -> ManagedProcess:
        self.process = ManagedProcess(
            self.name, self.argv, log_path=self.log_path, env=self.env, cwd=self.cwd
        )
        return self.process


def target_env(spec: StackSpec, run: RunDir, ports: Ports) -> dict[str, str]:
    """Environment of dbinit, the worker and the API: ours, then spec.target_env on top."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(
        TARGET_DATABASE_URL=f"sqlite:///{run.path / 'target.db'}",
        TARGET_REDIS_URL=f"redis://{LOOPBACK}:{ports.redis}/0",
        TARGET_FAULT_TOKEN=spec.fault_token,
        TARGET_TIME_SCALE=repr(float(spec.time_scale)),
        TARGET_QUEUE_COLLECT_INTERVAL=repr(float(spec.intervals.queue_collect)),
        TARGET_WORKER_CONTROL_URL=ports.url("worker"),
    )
    env.update(spec.target_env)
    return env


def dbinit_process(spec: StackSpec, run: RunDir, ports: Ports) -> ManagedProcess:
    sub = run.subdir("dbinit")
    return ManagedProcess(
        "dbinit",
        list(TARGET_COMMANDS["dbinit"]),
        log_path=sub / "dbinit.log",
        env=target_env(spec, run, ports),
        cwd=sub,
    )


def plan_services(
    spec: StackSpec, run: RunDir, ports: Ports, binaries: dict[str, str], receiver_url: str
) -> dict[str, Service]:
    """Write every config file into the run directory; return the services by name."""
    env = target_env(spec, run, ports)
    services = [
        _redis(run, ports, binaries["redis-server"]),
        *(_python_target(name, run, ports, env) for name in ("worker", "api")),
        _alertmanager(spec, run, ports, binaries["alertmanager"], receiver_url),
        _prometheus(spec, run, ports, binaries["prometheus"]),
    ]
    for service in services:
        service.ready.with_timeout(READY_TIMEOUT).with_poll_interval(POLL_INTERVAL)
    return {service.name: service for service in services}


def _redis(run: RunDir, ports: Ports, binary: str) -> Service:
    sub = run.subdir("redis")
    argv = [binary, "--port", str(ports.redis), "--bind", LOOPBACK]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(sub)]  # no persistence
    return Service("redis", argv, sub / "redis.log", sub, RedisPingWait(LOOPBACK, ports.redis))


def _python_target(name: str, run: RunDir, ports: Ports, env: dict[str, str]) -> Service:
    sub = run.subdir(name)
    port = getattr(ports, name)
    argv = [*TARGET_COMMANDS[name], "--host", LOOPBACK, "--port", str(port)]
    return Service(
        name, argv, sub / f"{name}.log", sub, HttpWait(f"{ports.url(name)}/metrics"), env
    )


def _alertmanager(
    spec: StackSpec, run: RunDir, ports: Ports, binary: str, receiver_url: str
) -> Service:
    sub = run.subdir("alertmanager")
    receiver_url = receiver_url.rstrip("/")
    if spec.alertmanager_yaml is None:
        text = default_alertmanager_config(receiver_url, time_scale=spec.time_scale)
    else:
        text = spec.alertmanager_yaml.replace(RECEIVER_URL_TOKEN, receiver_url)
    config = sub / "alertmanager.yml"
    config.write_text(text)
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.path={run.subdir('alertmanager/data')}",
        f"--web.listen-address={LOOPBACK}:{ports.alertmanager}",
        "--cluster.listen-address=",  # clustering off: no ~10 s gossip settle (TIMING.md)
    ]
    return Service(
        "alertmanager",
        argv,
        sub / "alertmanager.log",
        sub,
        HttpWait(f"{ports.url('alertmanager')}/-/ready"),
    )


def _prometheus(spec: StackSpec, run: RunDir, ports: Ports, binary: str) -> Service:
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
                ScrapeJob("api", f"{LOOPBACK}:{ports.api}"),
                ScrapeJob("worker", f"{LOOPBACK}:{ports.worker}"),
            ],
            alertmanager=f"{LOOPBACK}:{ports.alertmanager}",
            rule_files=rule_paths,
        )
    )
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={run.subdir('prometheus/data')}",
        f"--web.listen-address={LOOPBACK}:{ports.prometheus}",
        f"--rules.alert.resend-delay={format_duration(spec.intervals.resend_delay)}",
        "--web.enable-lifecycle",
    ]
    return Service(
        "prometheus",
        argv,
        sub / "prometheus.log",
        sub,
        HttpWait(f"{ports.url('prometheus')}/-/ready"),
    )
