"""What the local backend runs: each service's command line, environment, files and
readiness check, written into the run directory before anything starts. A ``Service``
is the recipe and its current run: the fault hooks' handle (``lifecycle.ServiceHandle``)."""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.paths import PROJECT_DIR
from harness.stack.alertmanager_config import alertmanager_flags, write_alertmanager_config
from harness.stack.ports import LOOPBACK
from harness.stack.postgres import POSTGRES, PostgresCluster, postgres_bindir
from harness.stack.process import ManagedProcess
from harness.stack.prometheus_config import prometheus_flags, write_prometheus_config
from harness.stack.rundir import RunDir
from harness.stack.services import target_env
from harness.stack.spec import StackSpec
from harness.stack.wait import HttpWait, RedisPingWait, WaitStrategy

# Command prefix of each target program (``--host``/``--port`` are appended for the
# servers). Tests point these at stand-ins.
TARGET_COMMANDS: dict[str, list[str]] = {
    name: [sys.executable, "-m", f"harness.target.{name}"] for name in ("dbinit", "worker", "api")
}
READY_TIMEOUT = 20.0  # seconds; Python targets import a lot on a cold cache
POLL_INTERVAL = 0.025
Ports = dict[str, int]  # service -> loopback port


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

    def poll(self) -> int | None:
        return self.process.poll() if self.process is not None else None

    def describe_log(self, lines: int = 20) -> str:
        return self.process.describe_log(lines) if self.process is not None else ""

    def running(self) -> bool:
        return self.process is not None and self.process.is_running()

    def pid(self) -> int | None:
        """Pid (= process group id) while it runs."""
        return self.process.pid if self.process is not None and self.running() else None

    def pause(self) -> None:
        """SIGSTOP the process group (it stops answering, scrapes fail)."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def kill(self, timeout: float) -> None:
        """SIGKILL the process group and wait until it is gone."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.finish(time.monotonic() + timeout)

    def stop(self, timeout: float) -> None:
        if self.process is not None:
            self.process.stop(timeout)

    def logs(self, max_bytes: int = 1_000_000) -> str:
        return self.process.logs(max_bytes) if self.process is not None else ""

    def _signal(self, sig: int) -> None:
        if self.process is not None:
            self.process.signal(sig)


def local_target_env(
    spec: StackSpec, run: RunDir, ports: Ports, database_url: str | None = None
) -> dict[str, str]:
    """Environment of dbinit, the worker and the API: ours, the target's on top.
    ``database_url``: the stack's PostgreSQL; None: the run directory's SQLite file."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), env.get("PYTHONPATH")) if p)
    redis, worker = (f"{LOOPBACK}:{ports[name]}" for name in ("redis", "worker"))
    database = database_url or run.path / "target.db"
    monitoring = {name: f"{LOOPBACK}:{ports[name]}" for name in ("prometheus", "alertmanager")}
    logs = {name: run.path / name / f"{name}.log" for name in ("api", "worker")}  # _python_target
    env.update(
        target_env(
            spec, database=database, redis=redis, worker=worker, monitoring=monitoring, logs=logs
        )
    )
    return env


def dbinit_process(
    spec: StackSpec, run: RunDir, ports: Ports, database_url: str | None = None
) -> ManagedProcess:
    sub = run.subdir("dbinit")
    return ManagedProcess(
        "dbinit",
        list(TARGET_COMMANDS["dbinit"]),
        log_path=sub / "dbinit.log",
        env=local_target_env(spec, run, ports, database_url),
        cwd=sub,
    )


def plan_services(
    spec: StackSpec,
    run: RunDir,
    ports: Ports,
    binaries: dict[str, str],
    receiver_url: str,
    database_url: str | None = None,
) -> dict[str, Service]:
    """Write every config file into the run directory; return the services by name."""
    env = local_target_env(spec, run, ports, database_url)
    services = [
        _redis(run, ports, binaries["redis-server"]),
        *(_python_target(name, run, ports, env) for name in ("worker", "api")),
        _alertmanager(spec, run, ports, binaries["alertmanager"], receiver_url),
        _prometheus(spec, run, ports, binaries["prometheus"]),
    ]
    for service in services:
        service.ready.with_timeout(READY_TIMEOUT).with_poll_interval(POLL_INTERVAL)
    return {service.name: service for service in services}


def postgres_service(cluster: PostgresCluster, run: RunDir) -> Service:
    """The stack's PostgreSQL (postgres_server.py and the server, one process group);
    its log in the run directory even when the cluster is elsewhere."""
    argv = cluster.server_argv(postgres_bindir())
    log = run.subdir(POSTGRES) / "postgres.log"
    return Service(POSTGRES, argv, log, cluster.base, cluster.ready())


def _listen(ports: Ports, name: str) -> str:
    return f"{LOOPBACK}:{ports[name]}"


def _redis(run: RunDir, ports: Ports, binary: str) -> Service:
    sub = run.subdir("redis")
    argv = [binary, "--port", str(ports["redis"]), "--bind", LOOPBACK]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(sub)]  # no persistence
    return Service("redis", argv, sub / "redis.log", sub, RedisPingWait(LOOPBACK, ports["redis"]))


def _python_target(name: str, run: RunDir, ports: Ports, env: dict[str, str]) -> Service:
    sub = run.subdir(name)
    argv = [*TARGET_COMMANDS[name], "--host", LOOPBACK, "--port", str(ports[name])]
    ready = HttpWait(f"http://{_listen(ports, name)}/metrics")
    return Service(name, argv, sub / f"{name}.log", sub, ready, env)


def _alertmanager(
    spec: StackSpec, run: RunDir, ports: Ports, binary: str, receiver_url: str
) -> Service:
    sub = run.subdir("alertmanager")
    config = write_alertmanager_config(spec, sub, receiver_url)
    listen = _listen(ports, "alertmanager")
    storage = run.subdir("alertmanager/data")
    argv = [binary, *alertmanager_flags(config, storage=storage, listen=listen)]
    ready = HttpWait(f"http://{listen}/-/ready")
    return Service("alertmanager", argv, sub / "alertmanager.log", sub, ready)


def _prometheus(spec: StackSpec, run: RunDir, ports: Ports, binary: str) -> Service:
    config = write_prometheus_config(
        spec,
        run,
        api=_listen(ports, "api"),
        worker=_listen(ports, "worker"),
        alertmanager=_listen(ports, "alertmanager"),
    )
    listen = _listen(ports, "prometheus")
    storage = run.subdir("prometheus/data")
    argv = [binary, *prometheus_flags(spec, config, storage=storage, listen=listen)]
    ready = HttpWait(f"http://{listen}/-/ready")
    return Service("prometheus", argv, config.parent / "prometheus.log", config.parent, ready)
