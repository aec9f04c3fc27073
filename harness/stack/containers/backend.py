"""ContainerStack: the stack as containers on a Docker engine, via testcontainers.

The same pieces, configurations and readiness checks as the local backend, in the same
order (independent pieces side by side):

    redis, dbinit, alertmanager, capture receiver    at once
    dbinit exited 0 + redis ready -> worker, api     (target chain, one thread)
    alertmanager ready            -> prometheus      (monitoring chain, another thread)

The capture receiver stays in this process. Every container is labelled with the run
and its owner (engine.py); ``down()`` removes them all on every way out (and at
interpreter exit), and the next stack's start sweeps those of an owner that died.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import docker
from docker.errors import DockerException

from harness.errors import StackError
from harness.paths import STATE_DIR
from harness.receivers.capture import CaptureReceiver
from harness.stack.containers import engine
from harness.stack.containers.container import ServiceContainer
from harness.stack.containers.images import resolve_images
from harness.stack.containers.plan import (
    SERVICE_NAMES,
    ContainerPlan,
    Network,
    container_name,
    network_mode,
    plan_stack,
)
from harness.stack.lifecycle import StackLifecycle
from harness.stack.local.database import DATABASE, DatabaseOutage
from harness.stack.ports import LOOPBACK, claim_port, free_port, release_port
from harness.stack.rundir import RunDir, sweep
from harness.stack.spec import Endpoints, StackSpec
from harness.stack.wait import WaitCancelled

log = logging.getLogger(__name__)

DISPLAY = {
    "redis": "Redis",
    "worker": "Target worker",
    "api": "Target API",
    "alertmanager": "Alertmanager",
    "prometheus": "Prometheus",
    DATABASE: "The database",
}
READY_TIMEOUT = 60.0  # a cold container start (image layers, Python imports) is slower
DBINIT_TIMEOUT = 90.0
STOP_TIMEOUT = 5.0


class ContainerStack(StackLifecycle):
    """The containers backend. ``with ContainerStack(spec) as stack: stack.endpoints``."""

    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        super().__init__(spec, receiver=receiver)
        self._client: docker.DockerClient | None = None
        self._run: RunDir | None = None
        self._net: Network | None = None
        self._containers: dict[str, ServiceContainer] = {}
        self._dbinit: ServiceContainer | None = None
        self._database: DatabaseOutage | None = None

    @property
    def run_id(self) -> str | None:
        return self._run.path.name if self._run is not None else None

    def _stop(self) -> None:
        """Remove every container of the run (and its network) and clean up."""
        try:
            if self._database is not None and self._database.process is not None:
                self._database.process.stop(STOP_TIMEOUT)
            if self._run is not None and self.spec.keep_run_dir:
                self._save_logs()
            self._remove_containers()
        except StackError as exc:  # never mask the error that brought the stack down
            log.warning("%s", exc)
        finally:
            if self._net is not None:
                for port in self._net.host_ports.values():
                    release_port(port)
            if self._client is not None:
                self._client.close()
            if self._run is not None:
                self._run.close(keep=self.spec.keep_run_dir)

    def _remove_containers(self) -> None:
        handles = [*self._containers.values(), *([self._dbinit] if self._dbinit else [])]
        errors: list[str] = []
        with ThreadPoolExecutor(max(1, len(handles)), thread_name_prefix="stack-down") as pool:
            for future in [pool.submit(h.remove) for h in handles]:
                if (error := future.exception()) is not None:
                    errors.append(str(error))
        # Anything labelled with the run that no handle knew (a start cut short).
        if self._client is not None and self._run is not None:
            labelled = {"label": f"{engine.RUN_LABEL}={self.run_id}"}
            try:
                for container in self._client.containers.list(all=True, filters=labelled):
                    container.remove(force=True, v=True)
                for network in self._client.networks.list(filters=labelled):
                    network.remove()
            except DockerException as exc:
                errors.append(str(exc))
        if errors:
            raise StackError("Could not remove every container:\n  " + "\n  ".join(errors))

    def _save_logs(self) -> None:
        assert self._run is not None
        for name, handle in self._containers.items():
            (self._run.subdir(name) / f"{name}.log").write_text(handle.logs())

    def _start(self) -> Endpoints:
        spec = self.spec
        state_dir = spec.state_dir or STATE_DIR
        client, host = engine.connect()
        self._client = client
        sweep(state_dir)
        engine.sweep_containers(client)
        images = resolve_images(client, host)
        mode = network_mode()
        api_port = claim_port(spec.api_port, what="API port") if spec.api_port else free_port()
        ports = {name: api_port if name == "api" else free_port() for name in SERVICE_NAMES}
        self._net = Network(mode, ports, "")  # so down() releases the ports on any error
        self._run = run = RunDir.create(state_dir, spec.run_label)
        labels = engine.owner_labels(run.path.name)
        net_name = container_name(run.path.name, "net") if mode == "bridge" else None
        self._net = net = Network(mode, ports, run.path.name, net_name)
        if net_name is not None:
            self._create_network(net_name, labels)
        receiver_url = self.receiver.start()
        plans, dbinit = plan_stack(spec, run, images, net, receiver_url)
        self._database = DatabaseOutage(dbinit.env["TARGET_DATABASE_URL"], run)

        def handle(plan: ContainerPlan) -> ServiceContainer:
            return ServiceContainer(plan, container_name(run.path.name, plan.service), labels, net)

        self._containers = {name: handle(plan) for name, plan in plans.items()}
        self._dbinit = handle(dbinit)
        with ThreadPoolExecutor(3, thread_name_prefix="stack-up") as pool:
            futures = [
                pool.submit(self._up_target),
                pool.submit(self._up_monitoring),
                pool.submit(self._launch, self._containers["redis"]),
            ]
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for future in done:
                    if (error := future.exception()) is not None:
                        raise error
            except BaseException:
                self._cancel.set()  # the other chains stop waiting at once
                raise
        return Endpoints(
            api=net.url("api"),
            worker_metrics=net.url("worker") + "/metrics",
            prometheus=net.url("prometheus"),
            alertmanager=net.url("alertmanager"),
            receiver=receiver_url,
            redis=f"redis://{LOOPBACK}:{ports['redis']}/0",
            run_dir=run.path,
        )

    def _create_network(self, name: str, labels: dict[str, str]) -> None:
        assert self._client is not None
        try:
            self._client.networks.create(name, driver="bridge", labels=labels)
        except DockerException as exc:
            raise StackError(f"Cannot create the Docker network {name}: {exc}") from None

    def _up_target(self) -> None:
        assert self._dbinit is not None
        self._launch(self._dbinit)
        code = self._dbinit.wait_exit(DBINIT_TIMEOUT, self._cancel)
        if code != 0:
            raise StackError(
                "Database init (python -m harness.target.dbinit in its container) failed with "
                f"exit code {code}.\n{self._dbinit.describe_log()}"
            )
        self._wait_ready("redis")
        with ThreadPoolExecutor(2, thread_name_prefix="stack-target") as pool:
            for future in [pool.submit(self._launch_service, n) for n in ("worker", "api")]:
                future.result()
        self._wait_ready("worker")
        self._wait_ready("api")

    def _up_monitoring(self) -> None:
        self._launch_service("alertmanager")
        self._wait_ready("alertmanager")  # before Prometheus: its notifier does not retry
        self._launch_service("prometheus")
        self._wait_ready("prometheus")

    def _launch(self, handle: ServiceContainer) -> None:
        with self._lock:
            if self._cancel.is_set():
                raise WaitCancelled(f"Not starting {handle.name}: the stack is shutting down.")
        handle.start()

    def _launch_service(self, name: str) -> None:
        self._launch(self._containers[name])

    def _wait_ready(self, name: str) -> None:
        self._containers[name].wait_ready(DISPLAY[name], READY_TIMEOUT, self._cancel)

    def _alertmanager_as_prometheus_sees_it(self) -> str:
        assert self._net is not None
        return f"http://{self._net.internal('alertmanager')}"

    # -- fault hooks -------------------------------------------------------------------
    def service_names(self) -> tuple[str, ...]:
        return (*SERVICE_NAMES, DATABASE)

    def pids(self) -> dict[str, int]:
        """Host pid of the init process of every running container."""
        pids = {name: h.pid() for name, h in self._containers.items() if h.started}
        return {name: pid for name, pid in pids.items() if pid is not None}

    def container_ids(self) -> dict[str, str]:
        return {name: h.container.id or "" for name, h in self._containers.items() if h.started}

    def pause(self, service: str) -> None:
        """docker pause: the cgroup freezer stops every process (like SIGSTOP)."""
        self._running(service).pause()

    def resume(self, service: str) -> None:
        self._running(service).resume()

    def kill(self, service: str) -> None:
        """SIGKILL the container: a crash. ``start_service`` brings it back."""
        self._running(service).kill(STOP_TIMEOUT)

    def stop_service(self, service: str) -> None:
        """docker stop (SIGTERM, then SIGKILL). "database": take the outage on (the lock
        helper runs on the host: the SQLite file is the run directory's, shared)."""
        if service == DATABASE:
            outage = self._outage()
            process = outage.new_process()
            with self._lock:
                if self._cancel.is_set():
                    raise WaitCancelled("Not starting the outage: the stack is shutting down.")
                process.start()
                assert self._run is not None
                self._run.record(process)
            outage.wait_down(self._cancel)
            return
        self._running(service).stop(STOP_TIMEOUT)

    def start_service(self, service: str) -> None:
        """Start a stopped or killed container again (same ports) and wait until ready.
        "database": end the outage."""
        if service == DATABASE:
            self._outage().end(STOP_TIMEOUT)
            return
        handle = self._service(service)
        if handle.running():
            raise StackError(f"{DISPLAY[service]} is already running ({handle.name}).")
        with self._lock:
            if self._cancel.is_set():
                raise WaitCancelled(f"Not starting {service}: the stack is shutting down.")
            handle.start_again()
        self._wait_ready(service)

    def log_text(self, service: str, max_bytes: int = 1_000_000) -> str:
        """The end of a container's output, every run of it (``docker logs``)."""
        return self._service(service).logs(max_bytes)

    def _outage(self) -> DatabaseOutage:
        if self._endpoints is None or self._database is None:
            raise StackError("The stack is not up.")
        return self._database

    def _service(self, name: str) -> ServiceContainer:
        if self._endpoints is None:
            raise StackError("The stack is not up.")
        if name not in self._containers:
            raise StackError(
                f"Unknown service {name!r}; the container stack has: "
                f"{', '.join(self.service_names())}."
            )
        return self._containers[name]

    def _running(self, name: str) -> ServiceContainer:
        handle = self._service(name)
        if not handle.running():
            raise StackError(f"{DISPLAY[name]} is not running ({handle.name}).")
        return handle
