"""The interface every stack backend offers (local processes, containers): what the
engine, the CLI and the fault hooks use. ``lifecycle.StackLifecycle`` implements it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from harness.stack.spec import Endpoints

if TYPE_CHECKING:
    from harness.receivers.capture import CaptureReceiver
    from harness.stack.process import ManagedProcess


class Stack(Protocol):
    """A running stack: a context manager that is up inside the ``with`` block.

    Fault hooks take a service name from ``service_names()``.
    """

    # Seconds from ``up()`` to every service ready; None until up.
    startup_seconds: float | None

    @property
    def receiver(self) -> CaptureReceiver: ...

    def up(self) -> Endpoints: ...

    def down(self) -> None: ...

    @property
    def endpoints(self) -> Endpoints: ...

    def wait_scraped(self, timeout: float = 20.0) -> float: ...

    def service_names(self) -> tuple[str, ...]: ...

    def pids(self) -> dict[str, int]: ...

    def pause(self, service: str) -> None: ...

    def resume(self, service: str) -> None: ...

    def kill(self, service: str) -> None: ...

    def stop_service(self, service: str) -> None: ...

    def start_service(self, service: str) -> None: ...

    def log_text(self, service: str, max_bytes: int = 1_000_000) -> str: ...

    def record_process(self, process: ManagedProcess) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
