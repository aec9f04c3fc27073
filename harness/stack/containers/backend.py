"""ContainerStack: the stack as containers on a Docker engine, via testcontainers.

The same pieces, configurations, readiness checks, start order and fault hooks as the
local backend (lifecycle.py); here: the containers (plan.py, container.py). The capture
receiver stays in this process. Every container is labelled with the run and its owner
(engine.py); ``down()`` removes them all on every way out (and at interpreter exit), and
the next stack's start sweeps those of an owner that died.
"""

from __future__ import annotations

import logging
import secrets
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
from docker.errors import DockerException

from harness.errors import StackError
from harness.receivers.capture import CaptureReceiver
from harness.stack.containers import engine
from harness.stack.containers.container import ServiceContainer
from harness.stack.containers.images import Images, resolve_images
from harness.stack.containers.plan import (
    POLL_INTERVAL,
    ContainerPlan,
    Network,
    container_name,
    network_mode,
    plan_stack,
)
from harness.stack.database import DatabaseOutage
from harness.stack.lifecycle import StackLifecycle
from harness.stack.ports import free_port
from harness.stack.postgres import DATABASE, POSTGRES, PostgresAccess, uses_postgres
from harness.stack.spec import StackSpec
from harness.stack.wait import WaitTarget

log = logging.getLogger(__name__)


class ContainerStack(StackLifecycle):
    """The containers backend. ``with ContainerStack(spec) as stack: stack.endpoints``."""

    kind = "container stack"
    dbinit_timeout = 90.0
    poll_interval = POLL_INTERVAL

    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        super().__init__(spec, receiver=receiver)
        self._client: docker.DockerClient | None = None
        self._images: Images | None = None
        self._mode = "host"
        self._net: Network | None = None
        self._containers: dict[str, ServiceContainer] = {}
        self._dbinit: ServiceContainer | None = None

    @property
    def run_id(self) -> str | None:
        return self._run.path.name if self._run is not None else None

    def container_ids(self) -> dict[str, str]:
        return {name: h.container.id or "" for name, h in self._containers.items() if h.started}

    def _prepare(self) -> None:
        client, host = engine.connect()
        self._client = client
        engine.sweep_containers(client)
        self._images = resolve_images(client, host, postgres=uses_postgres(self.spec))
        self._mode = network_mode()

    def _plan(self, receiver_url: str) -> None:
        assert self._run is not None and self._images is not None
        run_id = self._run.path.name
        labels = engine.owner_labels(run_id)
        net_name = container_name(run_id, "net") if self._mode == "bridge" else None
        postgres = None
        if uses_postgres(self.spec):  # its port published on 127.0.0.1 for the harness
            self._ports[POSTGRES] = free_port()
            postgres = PostgresAccess(self._ports[POSTGRES], secrets.token_hex(16))
        self._net = net = Network(self._mode, self._ports, run_id, net_name)
        if net_name is not None:
            self._create_network(net_name, labels)
        plans, dbinit = plan_stack(
            self.spec, self._run, self._images, net, receiver_url, postgres
        )
        url = dbinit.env["TARGET_DATABASE_URL"]
        if postgres is None:
            self._database = DatabaseOutage(url, self._run)
        else:  # the harness's view of the database: the published port
            admin = (postgres.conninfo(), DATABASE)
            self._database = DatabaseOutage(postgres.url(), self._run, admin=admin)

        def handle(plan: ContainerPlan) -> ServiceContainer:
            return ServiceContainer(plan, container_name(run_id, plan.service), labels, net)

        self._containers = {name: handle(plan) for name, plan in plans.items()}
        self._handles = {name: container for name, container in self._containers.items()}
        self._dbinit = handle(dbinit)

    def copy_out(self, service: str, path: str, dest: Path) -> None:
        """``path`` (a folder inside ``service``'s container, e.g. Prometheus's tmpfs
        snapshot) into ``dest`` on the host, through the engine's archive API."""
        container = self._containers[service].container
        try:
            stream, _ = container.get_archive(path)
            with tempfile.TemporaryFile() as tar_file:
                for chunk in stream:
                    tar_file.write(chunk)
                tar_file.seek(0)
                with tarfile.open(fileobj=tar_file) as tar, tempfile.TemporaryDirectory(
                    dir=dest.parent
                ) as unpack:
                    tar.extractall(unpack, filter="data")
                    Path(unpack, Path(path).name).rename(dest)
        except (DockerException, OSError, tarfile.TarError) as exc:
            raise StackError(f"Cannot copy {path} out of the {service} container: {exc}") from None

    def _create_network(self, name: str, labels: dict[str, str]) -> None:
        assert self._client is not None
        try:
            self._client.networks.create(name, driver="bridge", labels=labels)
        except DockerException as exc:
            raise StackError(f"Cannot create the Docker network {name}: {exc}") from None

    def _launch(self, handle: ServiceContainer) -> None:
        # Not under the lifecycle's lock, so that containers start side by side; one that
        # started while down() was removing the run's containers removes itself.
        self._refuse_if_cancelled(handle.name)
        handle.start()
        if self._cancel.is_set():
            handle.remove()
            self._refuse_if_cancelled(handle.name)

    def _launch_service(self, name: str) -> None:
        self._launch(self._containers[name])

    def _launch_dbinit(self) -> WaitTarget:
        assert self._dbinit is not None
        self._launch(self._dbinit)
        return self._dbinit

    def _alertmanager_as_prometheus_sees_it(self) -> str:
        assert self._net is not None
        return f"http://{self._net.internal('alertmanager')}"

    # -- stopping ----------------------------------------------------------------------
    def _stop_services(self) -> None:
        """Remove every container of the run (and its network)."""
        try:
            if self._run is not None and self.spec.keep_run_dir:
                self._save_logs()
            self._remove_containers()
        except StackError as exc:  # never mask the error that brought the stack down
            log.warning("%s", exc)
        finally:
            if self._client is not None:
                self._client.close()

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
