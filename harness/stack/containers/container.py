"""One service's container: started with testcontainers, then driven through docker-py
for the fault hooks (pause = the cgroup freezer, like SIGSTOP; kill; stop; start again).

A stopped or killed container is kept and started again by ``start_again()``: the same
command line and ports, and ``docker logs`` keeps every run's output.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, cast

from docker.errors import DockerException, NotFound
from docker.models.containers import Container
from testcontainers.core.container import DockerContainer

from harness.errors import StackError
from harness.stack.containers.engine import SERVICE_LABEL
from harness.stack.containers.plan import ContainerPlan, Network
from harness.stack.wait import TRANSIENT, CallableWait, WaitCancelled

POLL_INTERVAL = 0.05
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
            user=f"{os.getuid()}:{os.getgid()}",
            **net.create_kwargs(plan.service),
        )

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        try:
            self._tc.start()
        except DockerException as exc:
            raise StackError(
                f"Cannot start container {self.name} ({self.plan.image}): {exc}"
            ) from None

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
        self.wait_exit(timeout)

    def stop(self, timeout: float) -> None:
        """SIGTERM, SIGKILL after ``timeout`` (docker stop); continued first if paused."""
        if self.state().get("Paused"):
            self.resume()
        self._call("stop", lambda: self.container.stop(timeout=max(1, round(timeout))))

    def start_again(self) -> None:
        self._call("start", self.container.start)

    def _call(self, what: str, action: Any) -> None:
        try:
            action()
        except DockerException as exc:
            raise StackError(f"docker {what} {self.name} failed: {exc}") from None

    # -- waits -------------------------------------------------------------------------
    def wait_ready(self, display: str, timeout: float, cancel: threading.Event) -> float:
        """Poll the plan's readiness check; StackError with the log tail if the container
        exits first or is not ready within ``timeout``."""
        ready = self.plan.ready
        if ready is None:
            raise StackError(f"{display} is a one-shot container")
        exited: list[int] = []

        def check() -> None:
            try:
                ready.probe()
            except TRANSIENT:
                state = self.state()
                if state.get("Status") in EXITED:
                    exited.append(int(state.get("ExitCode") or 0))
                    raise StackError("exited") from None
                raise

        strategy = CallableWait(
            check, ready.describe(), timeout=timeout, poll_interval=POLL_INTERVAL
        )
        try:
            return strategy.wait(display, cancel=cancel)
        except WaitCancelled:
            raise
        except StackError as exc:
            if exited:
                message = (
                    f"{display} exited with code {exited[0]} before it was ready at "
                    f"{ready.describe()}."
                )
            else:
                message = exc.message
            raise StackError(f"{message}\n{self.describe_log()}") from None

    def wait_exit(self, timeout: float, cancel: threading.Event | None = None) -> int:
        """Wait for the container to exit; its exit code. StackError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if state.get("Status") in EXITED or state.get("Status") == "removed":
                return int(state.get("ExitCode") or 0)
            if cancel is not None and cancel.is_set():
                raise WaitCancelled(f"Stopped waiting for {self.name}: the stack is shutting down.")
            if time.monotonic() >= deadline:
                raise StackError(
                    f"{self.name} did not finish within {timeout:g} s.\n{self.describe_log()}"
                )
            time.sleep(POLL_INTERVAL)

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
        tail = self.logs(64_000).splitlines()[-lines:]
        body = "\n".join(f"    {line}" for line in tail) if tail else "    (empty)"
        return f"  log tail (docker logs {self.name}):\n{body}"
