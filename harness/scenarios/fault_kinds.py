"""Fault kinds a phase can inject, one model per kind with its own validated parameters.

Fault magnitudes are real values and are never scaled by the time scale: ``seconds``
here is real seconds of added latency, ``ratio`` a fraction of requests or events.
A fault is on for the whole phase that lists it and off when the phase ends.
Parameter names and ranges follow the target's fault state (``harness/target/fault_state.py``)
so a bad value fails here, with a line number, rather than at the fault switch.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Ratio = Annotated[float, Field(gt=0, le=1, description="Fraction in (0, 1].")]
Channel = Literal["email", "sms", "push", "in_app"]
EventType = Literal[
    "GradePosted", "AttendanceMarked", "InterventionCreated", "NotificationRequested"
]
Routes = Annotated[
    tuple[str, ...],
    Field(description="Route path prefixes the fault applies to; empty: every route."),
]


class FaultBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str

    def params(self) -> dict[str, object]:
        """The fault's parameters without ``kind`` (what a fault switch receives)."""
        return self.model_dump(exclude={"kind"})

    def exposure_lag(self) -> float:
        """Seconds after the fault is switched on (or off) that its effect can still be
        arriving in the target's metrics. Durations are observed when the slowed call
        completes, so a +3 s latency shows in the histogram 3 s after it starts."""
        return 0.0


class ErrorsFault(FaultBase):
    """A share of requests fails with a 5xx status."""

    kind: Literal["errors"]
    ratio: Ratio
    status: int = Field(default=500, ge=500, le=599)
    routes: Routes = ()


class LatencyFault(FaultBase):
    """Requests take about ``seconds`` longer (real seconds, not scaled).

    ``distribution``: fixed (exactly ``seconds``), uniform (0.5x to 1.5x), lognormal
    (median ``seconds``), tail (``seconds``, but ``tail_ratio`` of hits ``tail_seconds``).
    """

    kind: Literal["latency"]
    seconds: float = Field(gt=0, le=120, description="Added latency per request, real s.")
    ratio: Ratio = 1.0
    routes: Routes = ()
    distribution: Literal["fixed", "uniform", "lognormal", "tail"] = "fixed"
    tail_seconds: float = Field(default=0.0, ge=0, le=120)
    tail_ratio: float = Field(default=0.1, ge=0, le=1)

    def exposure_lag(self) -> float:
        # The longest added latency that is not a rarity: uniform tops out at 1.5x,
        # lognormal (sigma 0.6, harness/target/fault_state.py) is within e^(2*0.6) = 3.3x of
        # its median for 97.7% of hits.
        return {
            "fixed": self.seconds,
            "uniform": 1.5 * self.seconds,
            "lognormal": 3.3 * self.seconds,
            "tail": max(self.seconds, self.tail_seconds),
        }[self.distribution]


class SlowDbFault(FaultBase):
    """Database calls take ``seconds`` longer (the query itself is slowed)."""

    kind: Literal["slow_db"]
    seconds: float = Field(gt=0, le=60, description="Added time per query, real seconds.")
    ratio: Ratio = 1.0
    models: tuple[str, ...] = Field(default=(), description="Tables; empty: every statement.")

    def exposure_lag(self) -> float:
        return self.seconds


class WorkerStuckFault(FaultBase):
    """The worker keeps running and exposing metrics but completes no job."""

    kind: Literal["worker_stuck"]


class WorkerFrozenFault(FaultBase):
    """The worker process is stopped with SIGSTOP (SIGCONT at the phase's end)."""

    kind: Literal["worker_frozen"]


class WorkerDeadFault(FaultBase):
    """The worker process is killed (restarted at the phase's end)."""

    kind: Literal["worker_dead"]


class QueueBacklogFault(FaultBase):
    """``jobs`` extra jobs are enqueued at the phase's start."""

    kind: Literal["queue_backlog"]
    jobs: int = Field(gt=0, le=100_000)
    queue: Literal["notifications", "reports"] = "notifications"
    job_type: str | None = Field(default=None, description="Default: the queue's main job type.")


class DlqFloodFault(FaultBase):
    """Poison events whose handlers fail until they land in the dead-letter stream.

    ``events`` poisoned events are published at the phase's start, at ``rate`` per second
    (real time) or all at once.
    """

    kind: Literal["dlq_flood"]
    events: int = Field(gt=0, le=100_000, description="Poison events to publish.")
    rate: float | None = Field(default=None, gt=0, description="Events per second (real time).")
    event_type: EventType = "GradePosted"


class NotificationFailuresFault(FaultBase):
    """A share of notification deliveries fails."""

    kind: Literal["notification_failures"]
    ratio: Ratio
    channels: tuple[Channel, ...] = Field(default=(), description="Empty: every channel.")


class InterventionFailuresFault(FaultBase):
    """A share of InterventionCreated handlers fails."""

    kind: Literal["intervention_failures"]
    ratio: Ratio = 1.0


class RedisDownFault(FaultBase):
    """Redis is stopped (queues and EventBus unavailable); restarted at the phase's end."""

    kind: Literal["redis_down"]


class DatabaseDownFault(FaultBase):
    """The database is unreachable; restored at the phase's end."""

    kind: Literal["database_down"]


FAULT_MODELS: tuple[type[FaultBase], ...] = (
    ErrorsFault,
    LatencyFault,
    SlowDbFault,
    WorkerStuckFault,
    WorkerFrozenFault,
    WorkerDeadFault,
    QueueBacklogFault,
    DlqFloodFault,
    NotificationFailuresFault,
    InterventionFailuresFault,
    RedisDownFault,
    DatabaseDownFault,
)
FAULT_KINDS: tuple[str, ...] = tuple(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in FAULT_MODELS
)

Fault = Annotated[
    ErrorsFault
    | LatencyFault
    | SlowDbFault
    | WorkerStuckFault
    | WorkerFrozenFault
    | WorkerDeadFault
    | QueueBacklogFault
    | DlqFloodFault
    | NotificationFailuresFault
    | InterventionFailuresFault
    | RedisDownFault
    | DatabaseDownFault,
    Field(discriminator="kind"),
]
