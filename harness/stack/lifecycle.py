"""What both backends share: start once, stop once, on every way out; the start order;
the fault hooks over each backend's service handles.

A backend subclasses ``StackLifecycle`` and writes:

- ``_prepare()``: what must hold before anything is claimed (binaries, the engine);
- ``_plan(receiver_url)``: write the configurations into the run directory, make the
  service handles (``_handles``) and the dbinit handle, the database outage;
- ``_launch_service(name)``, ``_launch_dbinit()``: start one (refused once ``down()`` began);
- ``_stop_services()``: stop what it started (called once, even after a failed start).

The start order (independent pieces side by side)::

    redis, dbinit, alertmanager, capture receiver    at once
    (--database postgres: postgres ready -> dbinit, in the target chain)
    dbinit exited 0 + redis ready -> worker, api     (target chain, one thread)
    alertmanager ready            -> prometheus      (monitoring chain, another thread)

``up()`` stops what a failed or interrupted start left; ``down()`` is idempotent, runs
at interpreter exit too, and stops the capture receiver it owns.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from functools import partial
from typing import Any, Protocol

import httpx

from harness.errors import StackError
from harness.paths import STATE_DIR
from harness.receivers.capture import CaptureReceiver
from harness.scoped import Scoped
from harness.stack.alertmanager_config import CONFIG_NAME
from harness.stack.database import DATABASE, DatabaseOutage, freeze_outside_writes
from harness.stack.ports import LOOPBACK, claim_port, free_port, release_port
from harness.stack.postgres import POSTGRES
from harness.stack.process import ManagedProcess
from harness.stack.rundir import RunDir, sweep
from harness.stack.services import DISPLAY, SERVICE_NAMES
from harness.stack.spec import Endpoints, StackSpec
from harness.stack.wait import (
    CallableWait,
    NotReady,
    WaitCancelled,
    WaitStrategy,
    WaitTarget,
    wait_exit,
)

log = logging.getLogger(__name__)

SCRAPE_JOBS = ("api", "worker")  # Prometheus's scrape jobs for the target
STOP_TIMEOUT = 5.0  # seconds from SIGTERM (docker stop) to SIGKILL
TARGET_SERVICES = ("api", "worker")  # the processes that write to the target's database
PAUSE_CLEAR_S = 2.0  # at most, to freeze a target process outside a SQLite write
PAUSE_RETRY_S = 0.005


class ServiceHandle(WaitTarget, Protocol):
    """One service of a stack as the fault hooks drive it: a local service's current
    process (``local.plan.Service``) or its container (``ServiceContainer``)."""

    @property
    def ready(self) -> WaitStrategy: ...

    def running(self) -> bool: ...

    def pid(self) -> int | None:
        """The host pid (of the process group, of the container's init) while it runs."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def kill(self, timeout: float) -> None:
        """SIGKILL, then wait up to ``timeout`` until it is gone."""
        ...

    def stop(self, timeout: float) -> None:
        """SIGTERM, SIGKILL after ``timeout``."""
        ...

    def logs(self, max_bytes: int = 1_000_000) -> str: ...


class StackLifecycle(Scoped):
    kind = "stack"  # "local stack", "container stack": in messages
    dbinit_timeout = 60.0  # seconds for dbinit to create the tables and exit
    poll_interval = 0.025  # seconds between two polls of dbinit's exit

    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        self.spec = spec
        # A receiver passed in belongs to the caller: started here if needed, never stopped.
        self._owns_receiver = receiver is None
        self.receiver = (
            receiver
            if receiver is not None  # its inbox, served by `harness up`, needs the token
            else CaptureReceiver(host=LOOPBACK, token=spec.fault_token)
        )
        self.startup_seconds: float | None = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()  # set by down(): nothing new starts after it
        self._closed = False
        self._started = False
        self._endpoints: Endpoints | None = None
        self._ports: dict[str, int] = {}  # service -> 127.0.0.1 port the harness uses
        self._run: RunDir | None = None
        self._handles: dict[str, ServiceHandle] = {}
        self._database: DatabaseOutage | None = None

    def _enter(self) -> None:
        self.up()

    def _leave(self) -> None:
        self.down()

    def up(self) -> Endpoints:
        """Start everything and wait until it is ready; StackError (all stopped) if not."""
        if self._endpoints is not None:
            return self._endpoints
        if self._started:
            raise StackError("This stack was already used; open a new one.")
        self._started = True
        atexit.register(self.down)
        start = time.monotonic()
        try:
            self._endpoints = self._start()
        except BaseException:
            self.down()
            raise
        self.startup_seconds = time.monotonic() - start
        return self._endpoints

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise StackError("The stack is not up.")
        return self._endpoints

    def down(self) -> None:
        """Stop everything this stack started and clean up. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cancel.set()
        atexit.unregister(self.down)
        self._endpoints = None
        try:
            self._stop()
        finally:
            if self._owns_receiver:
                self.receiver.stop()

    def wait_scraped(self, timeout: float = 20.0) -> float:
        """Wait until Prometheus scrapes the API and the worker (``up == 1`` for both) and
        knows the Alertmanager. Returns the seconds waited.

        Prometheus 2.42 applies discovered targets, Alertmanagers included, on a fixed 5 s
        tick after start: the first samples land 5-6 s after it starts however fast the
        rest is, and alerts sent before the Alertmanager is known are dropped.
        """
        base = self.endpoints.prometheus
        alertmanager = self._alertmanager_as_prometheus_sees_it()

        def check() -> None:
            def get(path: str, **params: str) -> Any:
                response = httpx.get(base + path, params=params, timeout=2.0, trust_env=False)
                try:  # a loaded Prometheus once answered a body that is not JSON: not yet
                    return response.raise_for_status().json()
                except ValueError:
                    raise NotReady(f"HTTP {response.status_code}, not JSON, from {path}") from None

            result = get("/api/v1/query", query="up")["data"]["result"]
            up = {r["metric"].get("job"): r["value"][1] for r in result}
            missing = [job for job in SCRAPE_JOBS if up.get(job) != "1"]
            if missing:
                raise NotReady(f"up != 1 for job(s) {', '.join(missing)} (have {up or 'none'})")
            active = get("/api/v1/alertmanagers")["data"]["activeAlertmanagers"]
            if not any(am["url"].startswith(alertmanager) for am in active):
                raise NotReady("Prometheus does not know the Alertmanager yet")

        strategy = CallableWait(
            check, f"{base}/api/v1/query?query=up", timeout=timeout, poll_interval=0.1
        )
        return strategy.wait("Prometheus scraping api and worker", cancel=self._cancel)

    def _alertmanager_as_prometheus_sees_it(self) -> str:
        """The Alertmanager URL in Prometheus's configuration (the host's, by default)."""
        return self.endpoints.alertmanager

    # -- starting ----------------------------------------------------------------------
    def _start(self) -> Endpoints:
        state_dir = self.spec.state_dir or STATE_DIR
        self._prepare()
        sweep(state_dir)
        api = self.spec.api_port
        self._ports = {"api": claim_port(api, what="API port") if api else free_port()}
        for name in SERVICE_NAMES:  # one at a time: down() releases those claimed so far
            if name not in self._ports:
                self._ports[name] = free_port()
        self._run = RunDir.create(state_dir, self.spec.run_label)
        receiver_url = self.receiver.start()
        self._plan(receiver_url)
        launch = self._launch_service
        self._side_by_side(self._up_target, self._up_monitoring, partial(launch, "redis"))
        return Endpoints(
            api=self._url("api"),
            worker_metrics=self._url("worker") + "/metrics",
            prometheus=self._url("prometheus"),
            alertmanager=self._url("alertmanager"),
            receiver=receiver_url,
            redis=f"redis://{LOOPBACK}:{self._ports['redis']}/0",
            run_dir=self._run.path,
            database=self._database.database_url if self._database is not None else "",
        )

    def _url(self, service: str) -> str:
        return f"http://{LOOPBACK}:{self._ports[service]}"

    def _up_target(self) -> None:
        if POSTGRES in self._handles:  # --database postgres: the stack's own server first
            self._launch_service(POSTGRES)
            self._wait_ready(POSTGRES)
        dbinit = self._launch_dbinit()
        code = wait_exit(
            dbinit, self.dbinit_timeout, cancel=self._cancel, poll_interval=self.poll_interval
        )
        if code != 0:
            raise StackError(
                f"Database init (python -m harness.target.dbinit) failed with exit code {code}."
                f"\n{dbinit.describe_log()}"
            )
        self._wait_ready("redis")
        launch = self._launch_service
        self._side_by_side(partial(launch, "worker"), partial(launch, "api"))
        self._wait_ready("worker")
        self._wait_ready("api")

    def _up_monitoring(self) -> None:
        self._launch_service("alertmanager")
        self._wait_ready("alertmanager")  # before Prometheus: its notifier does not retry
        self._launch_service("prometheus")
        self._wait_ready("prometheus")

    def _side_by_side(self, *chains: Callable[[], object]) -> None:
        """Run ``chains`` in threads of their own; the first error stops the others'
        waits (they see the cancel) and propagates."""
        with ThreadPoolExecutor(len(chains), thread_name_prefix="stack-up") as pool:
            futures = [pool.submit(chain) for chain in chains]
            try:
                # A bounded wait, again and again: a blocked main thread would not see a
                # SIGINT the kernel delivered to one of the pool's threads (Ctrl-C).
                while True:
                    done, pending = wait(futures, timeout=0.2, return_when=FIRST_EXCEPTION)
                    if not pending or any(f.exception() is not None for f in done):
                        break
                for future in done:
                    if (error := future.exception()) is not None:
                        raise error
            except BaseException:
                self._cancel.set()
                raise

    def _wait_ready(self, name: str) -> None:
        handle = self._handles[name]
        handle.ready.wait(DISPLAY[name], target=handle, cancel=self._cancel)

    def _refuse_if_cancelled(self, name: str) -> None:
        if self._cancel.is_set():
            raise WaitCancelled(f"Not starting {name}: the stack is shutting down.")

    def _start_process(self, process: ManagedProcess) -> None:
        """Start a child process and record it in the run directory (for the sweep of a
        crashed run); refused once ``down()`` began, which waits until it is recorded."""
        with self._lock:
            self._refuse_if_cancelled(process.name)
            process.start()
            assert self._run is not None
            self._run.record(process)

    def record_process(self, process: ManagedProcess) -> None:
        """Record a process started beside the stack (Locust) in its run directory, so
        the sweep after a crashed run stops it with the services."""
        with self._lock:
            if self._run is not None:
                self._run.record(process)

    # -- stopping ----------------------------------------------------------------------
    def _stop(self) -> None:
        """The database outage ends first, then the backend stops its services."""
        try:
            if self._database is not None and self._database.process is not None:
                self._database.process.stop(STOP_TIMEOUT)
            self._stop_services()
        finally:
            for port in self._ports.values():
                release_port(port)
            if self._run is not None:
                # The rendered configuration holds real keys: never left behind.
                (self._run.path / "alertmanager" / CONFIG_NAME).unlink(missing_ok=True)
                self._run.close(keep=self.spec.keep_run_dir)

    # -- fault hooks (service names from service_names()) -------------------------------
    def service_names(self) -> tuple[str, ...]:
        extra = (POSTGRES,) if POSTGRES in self._handles else ()
        return (*SERVICE_NAMES, *extra, DATABASE)

    def pids(self) -> dict[str, int]:
        """Host pid of every running service (its process group, its container's init)."""
        pids = {name: handle.pid() for name, handle in self._handles.items()}
        return {name: pid for name, pid in pids.items() if pid is not None}

    def pause(self, service: str) -> None:
        """Freeze the service (SIGSTOP, the cgroup freezer): it stops answering.

        On SQLite the API or the worker is frozen outside a write transaction: frozen
        inside one it would hold the file's single write lock, and every write of the
        other would wait 10 s and fail, a side effect the spec's PostgreSQL (locks per
        row) does not have. If a write is under way the process is let go on for a
        moment and frozen again, for at most PAUSE_CLEAR_S (``freeze_outside_writes``)."""
        handle = self._running(service)
        path = self._database.path if self._database is not None else None
        if service not in TARGET_SERVICES or path is None:
            handle.pause()
            return
        if not freeze_outside_writes(
            handle, path, self._cancel, within=PAUSE_CLEAR_S, retry=PAUSE_RETRY_S
        ):
            log.warning("%s frozen while a write to %s was still under way", service, path)

    def resume(self, service: str) -> None:
        self._running(service).resume()

    def kill(self, service: str) -> None:
        """SIGKILL the service: a crash. ``start_service`` brings it back."""
        self._running(service).kill(STOP_TIMEOUT)

    def stop_service(self, service: str) -> None:
        """Stop the service gracefully (SIGTERM, SIGKILL after STOP_TIMEOUT).

        "database": take the outage on; returns once every statement that touches a table
        blocks (and then fails, see database.py). Its helper runs on the host with either
        backend: the SQLite file is the run directory's."""
        if service == DATABASE:
            outage = self._outage()
            self._start_process(outage.new_process())
            outage.wait_down(self._cancel)
            return
        self._running(service).stop(STOP_TIMEOUT)

    def start_service(self, service: str) -> None:
        """Start a stopped or killed service again, on the same port, and wait until ready.

        "database": end the outage."""
        if service == DATABASE:
            self._outage().end(STOP_TIMEOUT)
            return
        handle = self._service(service)
        if handle.running():
            raise StackError(f"{DISPLAY[service]} is already running (pid {handle.pid()}).")
        self._launch_service(service)
        self._wait_ready(service)

    def log_text(self, service: str, max_bytes: int = 1_000_000) -> str:
        """The end of a service's output, every run of it."""
        return self._service(service).logs(max_bytes)

    def _outage(self) -> DatabaseOutage:
        if self._endpoints is None or self._database is None:
            raise StackError("The stack is not up.")
        return self._database

    def _service(self, name: str) -> ServiceHandle:
        if self._endpoints is None:
            raise StackError("The stack is not up.")
        if name == DATABASE:
            raise StackError(
                "The database is not a process of the stack: stop_service('database') takes "
                "it down and start_service('database') brings it back."
            )
        if name not in self._handles:
            raise StackError(
                f"Unknown service {name!r}; the {self.kind} has: {', '.join(self.service_names())}."
            )
        return self._handles[name]

    def _running(self, name: str) -> ServiceHandle:
        handle = self._service(name)
        if not handle.running():
            raise StackError(f"{DISPLAY[name]} is not running.")
        return handle

    # -- the backend's part ------------------------------------------------------------
    def _prepare(self) -> None:
        raise NotImplementedError

    def _plan(self, receiver_url: str) -> None:
        raise NotImplementedError

    def _launch_service(self, name: str) -> None:
        raise NotImplementedError

    def _launch_dbinit(self) -> WaitTarget:
        raise NotImplementedError

    def _stop_services(self) -> None:
        raise NotImplementedError
