"""Turn a phase's scenario faults into real behaviour, and undo it when the phase ends.

Target-side faults go through the target's token-protected fault control (one API
call reaches the worker too); process-level faults (SIGSTOP, kill, a stopped Redis)
go through the stack's hooks. ``revert()`` undoes everything ``apply()`` did, in
reverse order, and is safe to call on every exit path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from harness.errors import HarnessError
from harness.load.fault_client import FaultClient
from harness.scenarios import fault_kinds as sf
from harness.stack.base import Stack

log = logging.getLogger(__name__)

CHANNELS = ("email", "sms", "push", "in_app")


class FaultApplier:
    def __init__(self, stack: Stack, client: FaultClient) -> None:
        self._stack = stack
        self._client = client
        self._undo: list[Callable[[], None]] = []

    def apply(self, faults: Sequence[sf.FaultBase]) -> None:
        patch: dict[str, Any] = {}
        for fault in faults:
            self._apply_one(fault, patch)
        if patch:
            self._client.set(patch)
            self._undo.append(self._reset_target)

    def revert(self) -> None:
        errors: list[str] = []
        while self._undo:
            undo = self._undo.pop()
            try:
                undo()
            except HarnessError as exc:  # keep undoing the rest; report once
                errors.append(str(exc))
        if errors:
            raise HarnessError("Could not undo every fault: " + "; ".join(errors))

    def _down(self, service: str, stop: Callable[[str], None]) -> None:
        """Stop a service now; start it again on revert."""
        stop(service)
        self._undo.append(lambda: self._stack.start_service(service))

    def _reset_target(self) -> None:
        self._client.reset()

    def _apply_one(self, fault: sf.FaultBase, patch: dict[str, Any]) -> None:
        match fault:
            case sf.ErrorsFault():
                patch["errors"] = {
                    "ratio": fault.ratio,
                    "status": fault.status,
                    "routes": list(fault.routes),
                }
            case sf.LatencyFault():
                patch["latency"] = {
                    "ratio": fault.ratio,
                    "seconds": fault.seconds,
                    "routes": list(fault.routes),
                    **_latency_shape(fault),
                }
            case sf.SlowDbFault():
                patch["slow_db"] = {"seconds": fault.seconds, "ratio": fault.ratio,
                                    "models": list(fault.models)}
            case sf.WorkerStuckFault():
                patch["worker"] = {"mode": "stuck"}
            case sf.NotificationFailuresFault():
                channels = fault.channels or CHANNELS
                patch["notifications"] = {"fail_ratio": {c: fault.ratio for c in channels}}
            case sf.InterventionFailuresFault():
                patch["interventions"] = {"handler_fail_ratio": fault.ratio}
            case sf.DlqFloodFault():
                self._client.poison(fault.events, event_type=fault.event_type, rate=fault.rate)
            case sf.QueueBacklogFault():
                self._client.backlog(fault.queue, fault.jobs, job_type=fault.job_type)
            case sf.WorkerFrozenFault():
                self._stack.pause("worker")
                self._undo.append(lambda: self._stack.resume("worker"))
            case sf.WorkerDeadFault():
                self._down("worker", self._stack.kill)
            case sf.RedisDownFault():
                self._down("redis", self._stack.stop_service)
            case sf.DatabaseDownFault():
                self._down("database", self._stack.stop_service)
            case _:
                raise HarnessError(f"Fault kind {fault.kind!r} has no implementation")
        log.info("fault on: %s %s", fault.kind, fault.params())


def _latency_shape(fault: sf.LatencyFault) -> dict[str, Any]:
    return {
        "distribution": fault.distribution,
        "tail_seconds": fault.tail_seconds,
        "tail_ratio": fault.tail_ratio,
    }
