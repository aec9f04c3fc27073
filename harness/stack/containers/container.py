"""One service's container: started with testcontainers, then driven through docker-py
for the fault hooks (pause = the cgroup freezer, like SIGSTOP; kill; stop; start again).

A stopped or killed container is kept and ``start()`` starts it again: the same command
line and ports, and ``docker logs`` keeps every run's output. A ``ServiceContainer`` is a
``WaitTarget`` (polled for its exit code, shows its log) and the fault hooks' handle
(``lifecycle.ServiceHandle``).
"""

from __future__ import annotations

import os
from typing import Any, cast

from docker.errors import DockerException, NotFound
from docker.models.containers import Container
from testcontainers.core.container import DockerContainer

from harness.errors import StackError
from harness.stack.containers.engine import SERVICE_LABEL
from harness.stack.containers.plan import POLL_INTERVAL, ContainerPlan, Network
from harness.stack.wait import WaitStrategy, format_log_tail, wait_exit

EXITED = ("exited", "dead")


class ServiceContainer:
    """``start()``, then readiness and the fault hooks; ``remove()`` on the way out."""

    def __init__(
        self, plan: ContainerPlan, name: str, labels: dict[str, str], net: Network
    ) -> None:
        self.plan = plan
        self.name = name
        self._tc = DockerContainer(
            plan.image,
            command=cast(Any, plan.command),  # testcontainers types it as str; lists work
            env=dict(plan.env),
            name=name,
            volumes=list(plan.volumes),
        )
        for path in plan.tmpfs:
            self._tc.with_tmpfs_mount(path)
        for inner, binding in net.published(plan.service).items():
            self._tc.ports[inner] = cast(Any, binding)  # (127.0.0.1, port): loopback only
        self._tc.with_kwargs(
            labels={**labels, SERVICE_LABEL: plan.service},
            # The host's user: files in the mounted run directory stay the harness's own.
            user=f"{os.getuid()}:{os.getgid()}" if plan.as_host_user else None,
            **net.create_kwargs(plan.service),
        )

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Create and start the container; start it again if it was stopped or killed."""
        if self.started:
            self._call("start", self.container.start)
            return
        try:
            self._tc.start()
        except DockerException as exc:
            raise StackError(
                f"Cannot start container {self.name} ({self.plan.image}): {exc}"
            ) from None

    @property
    def ready(self) -> WaitStrategy:
        if self.plan.ready is None:
            raise StackError(f"{self.name} is a one-shot container: it is never ready.")
        return self.plan.ready

    @property
    def started(self) -> bool:
        return self._tc._container is not None

    @property
    def container(self) -> Container:
        return self._tc.get_wrapped_container()

    def state(self) -> dict[str, Any]:
        """docker inspect's State (Status, Pid, ExitCode, Paused...)."""
        if not self.started:
            return {"Status": "not started", "Pid": 0, "ExitCode": None}
        try:
            self.container.reload()
        except NotFound:
            return {"Status": "removed", "Pid": 0, "ExitCode": None}
        return dict(self.container.attrs.get("State", {}))

    def poll(self) -> int | None:
        """The exit code once the container has exited; None while it runs (or before)."""
        state = self.state()
        return int(state.get("ExitCode") or 0) if state.get("Status") in EXITED else None

    def running(self) -> bool:
        return self.started and self.state().get("Status") in ("running", "paused")

    def pid(self) -> int | None:
        """Host pid of the container's init while it runs."""
        state = self.state()
        pid = int(state.get("Pid") or 0)
        return pid if pid > 0 and state.get("Status") in ("running", "paused") else None

    def remove(self) -> None:
        """Force-remove (SIGKILL) the container; nothing if it is already gone."""
        try:
            if self.started:
                self.container.remove(force=True, v=True)
        except NotFound:
            pass
        except DockerException as exc:
            raise StackError(f"Cannot remove container {self.name}: {exc}") from None
        finally:
            self._tc.get_docker_client().client.close()

    # -- fault hooks -------------------------------------------------------------------
    def pause(self) -> None:
        self._call("pause", self.container.pause)

    def resume(self) -> None:
        self._call("unpause", self.container.unpause)

    def kill(self, timeout: float) -> None:
        """SIGKILL, and wait until Docker reports it exited."""
        if self.state().get("Paused"):
            self.resume()  # a frozen container cannot be signalled
        self._call("kill", lambda: self.container.kill("SIGKILL"))
        wait_exit(self, timeout, poll_interval=POLL_INTERVAL)

    def stop(self, timeout: float) -> None:
        """SIGTERM, SIGKILL after ``timeout`` (docker stop); continued first if paused."""
        if self.state().get("Paused"):
            self.resume()
        self._call("stop", lambda: self.container.stop(timeout=max(1, round(timeout))))

    def _call(self, what: str, action: Any) -> None:
        try:
            action()
        except DockerException as exc:
            raise StackError(f"docker {what} {self.name} failed: {exc}") from None

    # -- logs --------------------------------------------------------------------------
    def logs(self, max_bytes: int = 1_000_000) -> str:
        """stdout and stderr of every run of the container (the end of it)."""
        if not self.started:
            return ""
        try:
            data = self.container.logs(stdout=True, stderr=True)
        except DockerException:
            return ""
        return bytes(data[-max_bytes:]).decode("utf-8", "replace")

    def describe_log(self, lines: int = 20) -> str:
        return format_log_tail(f"docker logs {self.name}", self.logs(64_000), lines)
