"""The stack: target, Redis, Prometheus, Alertmanager and the capture receiver.

``open_stack(spec)`` returns a backend's stack, a context manager::

    with open_stack(spec) as stack:
        stack.endpoints.prometheus
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.errors import StackError
from harness.stack.spec import RECEIVER_URL_TOKEN, Endpoints, Intervals, StackSpec

if TYPE_CHECKING:
    from harness.receivers.capture import CaptureReceiver
    from harness.stack.base import Stack

BACKENDS = ("local", "containers")

__all__ = ["RECEIVER_URL_TOKEN", "Endpoints", "Intervals", "StackSpec", "open_stack"]


def open_stack(
    spec: StackSpec, backend: str = "local", *, receiver: CaptureReceiver | None = None
) -> Stack:
    """A stack for ``spec`` (not started: use it as a context manager, or call ``up()``).

    ``receiver``: a capture receiver of the caller's (e.g. built with the alert names);
    by default the stack makes and stops its own.
    """
    if backend == "local":
        from harness.stack.local.backend import LocalStack

        return LocalStack(spec, receiver=receiver)
    if backend == "containers":
        from harness.stack.containers.backend import ContainerStack

        return ContainerStack(spec, receiver=receiver)
    raise StackError(f"Unknown stack backend {backend!r}; available: {', '.join(BACKENDS)}.")
