"""LocalStack: the stack as child processes on loopback ports, one run directory.

Start order (independent pieces side by side, TIMING.md's order where it matters):

    redis, dbinit, alertmanager, capture receiver    at once
    dbinit done + redis ready   -> worker, api       (target chain, one thread)
    alertmanager ready          -> prometheus        (monitoring chain, another thread)

A start that fails, or is interrupted, stops everything it started before the error
propagates. ``down()`` is idempotent and also runs at interpreter exit.

Besides the processes, ``service_names()`` lists "database": a pseudo-service whose
``stop_service`` takes a database outage on and ``start_service`` ends it (database.py).
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from harness.errors import StackError
from harness.paths import STATE_DIR
from harness.receivers.capture import CaptureReceiver
from harness.stack.binaries import require_binaries
from harness.stack.lifecycle import StackLifecycle
from harness.stack.local.database import DATABASE, DatabaseOutage
from harness.stack.local.services import (
    POLL_INTERVAL,
    SERVICE_NAMES,
    Ports,
    Service,
    dbinit_process,
    plan_services,
    target_env,
)
from harness.stack.ports import LOOPBACK, claim_port, free_port, release_port
from harness.stack.process import ManagedProcess
from harness.stack.rundir import RunDir, sweep
from harness.stack.spec import Endpoints, StackSpec
from harness.stack.wait import WaitCancelled

DISPLAY = {
    "redis": "Redis",
    "worker": "Target worker",
    "api": "Target API",
    "alertmanager": "Alertmanager",
    "prometheus": "Prometheus",
}
DBINIT_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


class LocalStack(StackLifecycle):
    """The local backend. ``with LocalStack(spec) as stack: stack.endpoints``."""

    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        super().__init__(spec, receiver=receiver)
        self._run: RunDir | None = None
        self._ports: Ports | None = None
        self._services: dict[str, Service] = {}
        self._dbinit: ManagedProcess | None = None
        self._database: DatabaseOutage | None = None

    @property
    def run_dir(self) -> RunDir | None:
        return self._run

    def _stop(self) -> None:
        """Stop every child (group-wide, terminate -> wait -> kill) and clean up."""
        processes = [s.process for s in reversed(self._services.values()) if s.process]
        if self._dbinit is not None:
            processes.append(self._dbinit)
        if self._database is not None and self._database.process is not None:
            processes.insert(0, self._database.process)  # the outage ends first
        try:
            for process in processes:
                process.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT
            for process in processes:
                process.finish(deadline)
        finally:
            if self._ports is not None:
                for name in SERVICE_NAMES:
                    release_port(getattr(self._ports, name))
            if self._run is not None:
                self._run.close(keep=self.spec.keep_run_dir)

    def _start(self) -> Endpoints:
        spec = self.spec
        state_dir = spec.state_dir or STATE_DIR
        sweep(state_dir)
        binaries = require_binaries()
        api_port = claim_port(spec.api_port, what="API port") if spec.api_port else free_port()
        ports = Ports(
            redis=free_port(),
            worker=free_port(),
            api=api_port,
            alertmanager=free_port(),
            prometheus=free_port(),
        )
        self._ports = ports
        self._run = run = RunDir.create(state_dir, spec.run_label)
        receiver_url = self.receiver.start()
        self._services = plan_services(spec, run, ports, binaries, receiver_url)
        self._dbinit = dbinit_process(spec, run, ports)
        self._database = DatabaseOutage(target_env(spec, run, ports)["TARGET_DATABASE_URL"], run)

        self._launch(self._dbinit)
        self._launch_service("redis")
        self._launch_service("alertmanager")
        with ThreadPoolExecutor(2, thread_name_prefix="stack-up") as pool:
            futures = [pool.submit(self._up_target), pool.submit(self._up_monitoring)]
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for future in done:
                    if (error := future.exception()) is not None:
                        raise error
            except BaseException:
                self._cancel.set()  # the other chain stops waiting at once
                raise
        return Endpoints(
            api=ports.url("api"),
            worker_metrics=ports.url("worker") + "/metrics",
            prometheus=ports.url("prometheus"),
            alertmanager=ports.url("alertmanager"),
            receiver=receiver_url,
            redis=f"redis://{LOOPBACK}:{ports.redis}/0",
            run_dir=run.path,
        )

    def _up_target(self) -> None:
        assert self._dbinit is not None
        code = _wait_exit(self._dbinit, DBINIT_TIMEOUT, self._cancel)
        if code != 0:
            raise StackError(
                f"Database init (python -m harness.target.dbinit) failed with exit code {code}."
                f"\n{self._dbinit.describe_log()}"
            )
        self._wait_ready("redis")
        self._launch_service("worker")
        self._launch_service("api")
        self._wait_ready("worker")
        self._wait_ready("api")

    def _up_monitoring(self) -> None:
        self._wait_ready("alertmanager")  # before Prometheus: its notifier does not retry
        self._launch_service("prometheus")
        self._wait_ready("prometheus")

    def _launch(self, process: ManagedProcess) -> None:
        with self._lock:
            if self._cancel.is_set():
                raise WaitCancelled(f"Not starting {process.name}: the stack is shutting down.")
            process.start()
            assert self._run is not None
            self._run.record(process)

    def _launch_service(self, name: str) -> None:
        self._launch(self._services[name].new_process())

    def _wait_ready(self, name: str) -> None:
        service = self._services[name]
        service.ready.wait(DISPLAY[name], process=service.process, cancel=self._cancel)

    # -- fault hooks -------------------------------------------------------------------
    def service_names(self) -> tuple[str, ...]:
        return (*SERVICE_NAMES, DATABASE)

    def pids(self) -> dict[str, int]:
        """Pid (= process group id) of every running service."""
        return {
            name: s.process.pid
            for name, s in self._services.items()
            if s.process is not None and s.process.is_running()
        }

    def pause(self, service: str) -> None:
        """SIGSTOP the service's process group (it stops answering, scrapes fail)."""
        self._running(service).signal(signal.SIGSTOP)

    def resume(self, service: str) -> None:
        """SIGCONT the service's process group."""
        self._running(service).signal(signal.SIGCONT)

    def kill(self, service: str) -> None:
        """SIGKILL the service's process group: a crash. ``start_service`` brings it back."""
        process = self._running(service)
        process.signal(signal.SIGKILL)
        process.finish(time.monotonic() + STOP_TIMEOUT)

    def stop_service(self, service: str) -> None:
        """Stop the service gracefully (terminate -> wait -> kill).

        "database": take the outage on; returns once every statement that touches a table
        blocks (and then fails, see database.py)."""
        if service == DATABASE:
            outage = self._outage()
            self._launch(outage.new_process())
            outage.wait_down(self._cancel)
            return
        self._running(service).stop(STOP_TIMEOUT)

    def start_service(self, service: str) -> None:
        """Start a stopped or killed service again, on the same port, and wait until ready.

        "database": end the outage."""
        if service == DATABASE:
            self._outage().end(STOP_TIMEOUT)
            return
        existing = self._service(service).process
        if existing is not None and existing.is_running():
            raise StackError(f"{DISPLAY[service]} is already running (pid {existing.pid}).")
        self._launch_service(service)
        self._wait_ready(service)

    def log_text(self, service: str, max_bytes: int = 1_000_000) -> str:
        """The end of a service's log (configs and logs live in the run directory)."""
        process = self._service(service).process
        if process is None or not process.log_path.exists():
            return ""
        with open(process.log_path, "rb") as log:
            log.seek(0, 2)
            log.seek(max(0, log.tell() - max_bytes))
            return log.read().decode("utf-8", "replace")

    def _outage(self) -> DatabaseOutage:
        if self._endpoints is None or self._database is None:
            raise StackError("The stack is not up.")
        return self._database

    def _service(self, name: str) -> Service:
        if self._endpoints is None:
            raise StackError("The stack is not up.")
        if name == DATABASE:
            raise StackError(
                "The database is not a process of the stack: stop_service('database') takes "
                "it down and start_service('database') brings it back."
            )
        if name not in self._services:
            raise StackError(
                f"Unknown service {name!r}; the local stack has: {', '.join(SERVICE_NAMES)}."
            )
        return self._services[name]

    def _running(self, name: str) -> ManagedProcess:
        process = self._service(name).process
        if process is None or not process.is_running():
            raise StackError(f"{DISPLAY[name]} is not running.")
        return process


def _wait_exit(process: ManagedProcess, timeout: float, cancel: threading.Event) -> int:
    """Wait for a run-to-completion process, giving up on cancel or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (code := process.poll()) is None:
        if cancel.is_set():
            raise WaitCancelled(f"Stopped waiting for {process.name}: the stack is shutting down.")
        if time.monotonic() >= deadline:
            raise StackError(
                f"{process.name} did not finish within {timeout:g} s.\n{process.describe_log()}"
            )
        cancel.wait(POLL_INTERVAL)
    return code
