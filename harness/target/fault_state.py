"""Fault state of the target and the random draws that apply it.

One model for both processes; each applies the parts it owns:
API: errors, latency, slow_db, eventbus.poison_ratio. Worker: worker.mode,
notifications.fail_ratio, interventions.handler_fail_ratio, slow_db.
Every draw is independent (one per request, statement, job or handler attempt).
"""

from __future__ import annotations

import asyncio
import math
import random
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Ratio = Field(default=0.0, ge=0.0, le=1.0)
Channel = Literal["email", "sms", "push", "in_app"]
BACKLOG_JOB_TYPES = {
    "notifications": ("send_email", "send_sms", "send_push", "send_in_app"),
    "reports": ("recompute_class_analytics",),
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorFault(_Section):
    ratio: float = Ratio
    routes: list[str] = Field(default_factory=list)  # route templates; empty: every /api route
    status: int = Field(default=500, ge=500, le=599)


class LatencyFault(_Section):
    """Added delay. ``seconds`` is the typical delay of a hit request:
    fixed: exactly ``seconds``; uniform: between 0.5x and 1.5x; lognormal: median
    ``seconds``, sigma 0.6; tail: ``seconds``, but ``tail_ratio`` of hits take ``tail_seconds``.
    """

    ratio: float = Ratio
    routes: list[str] = Field(default_factory=list)
    distribution: Literal["fixed", "uniform", "lognormal", "tail"] = "fixed"
    seconds: float = Field(default=0.0, ge=0.0, le=120.0)
    tail_seconds: float = Field(default=0.0, ge=0.0, le=120.0)
    tail_ratio: float = Field(default=0.1, ge=0.0, le=1.0)


class SlowDbFault(_Section):
    seconds: float = Field(default=0.0, ge=0.0, le=60.0)
    ratio: float = Ratio
    models: list[str] = Field(default_factory=list)  # table names; empty: every statement


class WorkerFault(_Section):
    # stuck: alive and serving /metrics, but completes no job and consumes no event.
    mode: Literal["normal", "stuck"] = "normal"


class NotificationFault(_Section):
    fail_ratio: dict[Channel, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(default_factory=dict)


class InterventionFault(_Section):
    handler_fail_ratio: float = Ratio


class EventbusFault(_Section):
    poison_ratio: float = Ratio


class FaultState(_Section):
    errors: ErrorFault = Field(default_factory=ErrorFault)
    latency: LatencyFault = Field(default_factory=LatencyFault)
    slow_db: SlowDbFault = Field(default_factory=SlowDbFault)
    worker: WorkerFault = Field(default_factory=WorkerFault)
    notifications: NotificationFault = Field(default_factory=NotificationFault)
    interventions: InterventionFault = Field(default_factory=InterventionFault)
    eventbus: EventbusFault = Field(default_factory=EventbusFault)


class BacklogRequest(_Section):
    queue: Literal["notifications", "reports"] = "notifications"
    jobs: int = Field(ge=1, le=100_000)
    # default: send_email (notifications), recompute_class_analytics (reports)
    job_type: str | None = None

    @model_validator(mode="after")
    def _known_job_type(self) -> BacklogRequest:
        allowed = BACKLOG_JOB_TYPES[self.queue]
        if self.job_type is not None and self.job_type not in allowed:
            raise ValueError(f"job_type for {self.queue} must be one of {', '.join(allowed)}")
        return self


class PoisonRequest(_Section):
    """Publish ``events`` poisoned events now (``rate``: spread at that many per second)."""

    events: int = Field(ge=1, le=100_000)
    event_type: Literal[
        "GradePosted", "AttendanceMarked", "InterventionCreated", "NotificationRequested"
    ] = "GradePosted"
    rate: float | None = Field(default=None, gt=0)
    tenant_id: str = "tenant-1"


def merge_patch(state: FaultState, patch: dict[str, Any]) -> FaultState:
    """Apply a partial update (sections merge field by field) and validate the result.

    Raises pydantic.ValidationError for unknown keys or out-of-range values.
    """
    merged = state.model_dump()
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return FaultState.model_validate(merged)


class Faults:
    """The live fault state of one process, with cheap checks for the hot paths."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.state = FaultState()
        # Set while the worker may run; cleared in stuck mode (processors wait on it).
        self.running = asyncio.Event()
        self.running.set()
        self._apply()

    def set(self, state: FaultState) -> None:
        self.state = state
        self._apply()

    def reset(self) -> None:
        self.set(FaultState())

    def _apply(self) -> None:
        s = self.state
        self.http_active = s.errors.ratio > 0 or (s.latency.ratio > 0 and s.latency.seconds > 0)
        self.slow_db_active = s.slow_db.ratio > 0 and s.slow_db.seconds > 0
        self._error_routes = frozenset(s.errors.routes)
        self._latency_routes = frozenset(s.latency.routes)
        self._slow_models = frozenset(s.slow_db.models)
        if s.worker.mode == "stuck":
            self.running.clear()
        else:
            self.running.set()

    def _hit(self, ratio: float) -> bool:
        return ratio > 0 and (ratio >= 1 or self.rng.random() < ratio)

    def http_error(self, route: str) -> int | None:
        """Status code to answer instead of the route, or None."""
        e = self.state.errors
        if not route.startswith("/api") or (self._error_routes and route not in self._error_routes):
            return None
        return e.status if self._hit(e.ratio) else None

    def http_delay(self, route: str) -> float:
        lat = self.state.latency
        if not route.startswith("/api") or (
            self._latency_routes and route not in self._latency_routes
        ):
            return 0.0
        if not self._hit(lat.ratio):
            return 0.0
        s = lat.seconds
        if lat.distribution == "uniform":
            return self.rng.uniform(0.5 * s, 1.5 * s)
        if lat.distribution == "lognormal":
            return self.rng.lognormvariate(math.log(s), 0.6) if s > 0 else 0.0
        if lat.distribution == "tail" and self.rng.random() < lat.tail_ratio:
            return lat.tail_seconds
        return s

    def db_delay(self, model: str) -> float:
        sd = self.state.slow_db
        if self._slow_models and model not in self._slow_models:
            return 0.0
        return sd.seconds if self._hit(sd.ratio) else 0.0

    def notification_fails(self, channel: str) -> bool:
        ratios = self.state.notifications.fail_ratio.items()
        return self._hit(next((r for c, r in ratios if c == channel), 0.0))

    def intervention_handler_fails(self) -> bool:
        return self._hit(self.state.interventions.handler_fail_ratio)

    def poison(self) -> bool:
        return self._hit(self.state.eventbus.poison_ratio)
