"""LocalStack: the stack as child processes on loopback ports, one run directory.

The start order, the stop on every way out and the fault hooks are the lifecycle's
(lifecycle.py); here: the programs (plan.py) as processes in their own groups.

Besides the processes, ``service_names()`` lists "database": a pseudo-service whose
``stop_service`` takes a database outage on and ``start_service`` ends it (database.py).
"""

from __future__ import annotations

import time

from harness.receivers.capture import CaptureReceiver
from harness.stack.binaries import require_binaries
from harness.stack.database import DatabaseOutage
from harness.stack.lifecycle import STOP_TIMEOUT, StackLifecycle
from harness.stack.local.plan import Service, dbinit_process, plan_services, postgres_service
from harness.stack.ports import free_port
from harness.stack.postgres import (
    DATABASE,
    POSTGRES,
    PostgresCluster,
    postgres_bindir,
    require_psycopg,
    uses_postgres,
)
from harness.stack.process import ManagedProcess
from harness.stack.rundir import RunDir
from harness.stack.spec import StackSpec
from harness.stack.wait import WaitTarget


class LocalStack(StackLifecycle):
    """The local backend. ``with LocalStack(spec) as stack: stack.endpoints``."""

    kind = "local stack"  # the lifecycle's timeouts and poll interval are the local ones

    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        super().__init__(spec, receiver=receiver)
        self._services: dict[str, Service] = {}
        self._dbinit: ManagedProcess | None = None
        self._binaries: dict[str, str] = {}
        self._cluster: PostgresCluster | None = None

    @property
    def run_dir(self) -> RunDir | None:
        return self._run

    def _prepare(self) -> None:
        self._binaries = require_binaries()
        if uses_postgres(self.spec):
            postgres_bindir()
            require_psycopg()

    def _plan(self, receiver_url: str) -> None:
        spec, run, ports = self.spec, self._run, self._ports
        assert run is not None
        self._cluster = cluster = None
        if uses_postgres(spec):
            ports[POSTGRES] = free_port()  # released with the others by the lifecycle
            self._cluster = cluster = PostgresCluster.plan(run, ports[POSTGRES])
        url = cluster.url() if cluster is not None else None
        self._services = plan_services(spec, run, ports, self._binaries, receiver_url, url)
        if cluster is not None:  # first: stopped last
            self._services = {POSTGRES: postgres_service(cluster, run), **self._services}
        self._handles = {name: service for name, service in self._services.items()}
        self._dbinit = dbinit = dbinit_process(spec, run, ports, url)
        assert dbinit.env is not None
        admin = (cluster.conninfo(), DATABASE) if cluster is not None else None
        self._database = DatabaseOutage(dbinit.env["TARGET_DATABASE_URL"], run, admin=admin)

    def _launch_service(self, name: str) -> None:
        self._start_process(self._services[name].new_process())

    def _launch_dbinit(self) -> WaitTarget:
        assert self._dbinit is not None
        self._start_process(self._dbinit)
        return self._dbinit

    def _stop_services(self) -> None:
        """Stop every child (group-wide, terminate -> wait -> kill), all at once."""
        processes = [s.process for s in reversed(self._services.values()) if s.process]
        if self._dbinit is not None:
            processes.append(self._dbinit)
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in processes:
            process.finish(deadline)
        if self._cluster is not None:
            self._cluster.remove()
