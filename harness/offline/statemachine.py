"""Prometheus's alerting state machine, replayed over query results.

A transcription of ``AlertingRule.Eval`` in ``rules/alerting.go`` at Prometheus v2.42.0
(the version the project runs). Per evaluation timestamp ``ts``, with the label sets the
rule's expression returned at ``ts``:

1. each returned sample's labels, without ``__name__``, plus the rule's labels and
   ``alertname``, identify an alert; two samples with the same identity make the
   evaluation fail and leave the state untouched ("vector contains metrics with the
   same labelset after applying alert labels");
2. an identity already in the active map and not inactive keeps its alert (and its
   ``ActiveAt``); otherwise a new pending alert starts with ``ActiveAt = ts``;
3. each active alert missing from the result: a firing one with ``keep_firing_for``
   set keeps firing while ``ts - KeepFiringSince < keepFiringFor`` (``KeepFiringSince``
   is the first such ``ts``); otherwise it becomes inactive with ``ResolvedAt = ts``.
   Pending alerts are deleted at once; resolved ones are kept for ``resolvedRetention``
   (15 minutes) and deleted when ``ts - ResolvedAt`` exceeds it;
4. an alert present in the result has its ``KeepFiringSince`` reset;
5. a pending alert fires (``FiredAt = ts``) once ``ts - ActiveAt >= holdDuration``
   (``for``): with ``for: 0`` at its first evaluation;
6. a group ``limit`` exceeded by the alerts still active clears the map (an error).

Not reproduced: templated rule labels are taken verbatim (``{{ $labels.x }}`` is not
expanded), and state restored from ``ALERTS_FOR_STATE`` after a restart does not apply.
Times are whole milliseconds, Prometheus's resolution; episodes report seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

RESOLVED_RETENTION_MS = 15 * 60 * 1000  # alerting.go: resolvedRetention
METRIC_NAME = "__name__"
ALERT_NAME = "alertname"

LabelSet = tuple[tuple[str, str], ...]  # sorted (name, value) pairs: an alert's identity


class State(Enum):
    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"


# Same fields as promtool.testfile.ExpSample: an evaluated sample here, an expected one there.
@dataclass(frozen=True)
class Sample:
    """One element of the expression's result at one evaluation: labels and value."""

    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True)
class Episode:
    """One alert's life, from its first pending evaluation to its resolution.

    ``fired_at`` is None for an alert that was never firing (it stayed pending until it
    vanished); ``resolved_at`` is None for one still pending or firing at the end.
    Unix seconds, at millisecond resolution."""

    labels: LabelSet
    active_at: float
    fired_at: float | None
    resolved_at: float | None

    @property
    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)

    @property
    def fired(self) -> bool:
        return self.fired_at is not None

    def firing_seconds(self, end: float) -> float:
        """Seconds spent firing, an open episode counted until ``end``."""
        if self.fired_at is None:
            return 0.0
        stop = self.resolved_at if self.resolved_at is not None else end
        return max(0.0, stop - self.fired_at)


@dataclass
class _Alert:
    """alerting.go's ``Alert``: the fields the state machine reads and writes."""

    labels: LabelSet
    active_at: int
    state: State = State.PENDING
    value: float = 0.0
    fired_at: int | None = None
    resolved_at: int | None = None
    keep_firing_since: int | None = None

    def episode(self) -> Episode:
        return Episode(
            labels=self.labels,
            active_at=self.active_at / 1000,
            fired_at=None if self.fired_at is None else self.fired_at / 1000,
            resolved_at=None if self.resolved_at is None else self.resolved_at / 1000,
        )


@dataclass(frozen=True)
class EvalError:
    """An evaluation that failed as Prometheus's would (the rule's state is untouched)."""

    at: float
    message: str


def alert_labels(
    sample_labels: Mapping[str, str], rule_labels: Mapping[str, str], name: str
) -> LabelSet:
    """An alert's identity: the sample's labels without ``__name__``, the rule's labels
    set over them, ``alertname`` last (alerting.go: ``lb.Del(MetricName)``, ``lb.Set``)."""
    merged = {k: v for k, v in sample_labels.items() if k != METRIC_NAME}
    merged.update(rule_labels)
    merged[ALERT_NAME] = name
    return tuple(sorted(merged.items()))


@dataclass
class AlertStateMachine:
    """One alerting rule's active alerts, advanced one evaluation at a time (``step``)."""

    name: str
    for_ms: int = 0
    keep_firing_for_ms: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    limit: int = 0  # the rule group's `limit`; 0: none
    _active: dict[LabelSet, _Alert] = field(default_factory=dict)
    _done: list[Episode] = field(default_factory=list)
    errors: list[EvalError] = field(default_factory=list)

    def step(self, ts_ms: int, samples: Iterable[Sample]) -> None:
        """``AlertingRule.Eval`` at ``ts_ms`` with the expression's result ``samples``."""
        fresh: dict[LabelSet, _Alert] = {}
        for sample in samples:
            key = alert_labels(sample.labels, self.labels, self.name)
            if key in fresh:
                self.errors.append(
                    EvalError(
                        ts_ms / 1000,
                        "vector contains metrics with the same labelset after applying "
                        "alert labels",
                    )
                )
                return
            fresh[key] = _Alert(key, active_at=ts_ms, value=sample.value)
        for key, alert in fresh.items():
            known = self._active.get(key)
            if known is not None and known.state is not State.INACTIVE:
                known.value = alert.value
                continue
            if known is not None:  # a resolved alert kept for retention: replaced
                self._done.append(known.episode())
            self._active[key] = alert
        active_count = self._advance(ts_ms, fresh.keys())
        if self.limit > 0 and active_count > self.limit:
            self._clear(ts_ms, f"exceeded limit of {self.limit} with {active_count} alerts")

    def _clear(self, ts_ms: int, message: str) -> None:
        """``r.active = map[uint64]*Alert{}``: every alert ends now, unresolved in Prometheus
        (no ALERTS sample, nothing sent); its episode ends at ``ts_ms``."""
        for alert in self._active.values():
            if alert.state is not State.INACTIVE:
                alert.state, alert.resolved_at = State.INACTIVE, ts_ms
            self._done.append(alert.episode())
        self._active.clear()
        self.errors.append(EvalError(ts_ms / 1000, message))

    def _advance(self, ts_ms: int, present: Iterable[LabelSet]) -> int:
        """The loop over ``r.active``; returns ``numActivePending``."""
        in_result = set(present)
        active_count = 0
        for key, alert in list(self._active.items()):
            if key not in in_result:
                keep_firing = False
                if alert.state is State.FIRING and self.keep_firing_for_ms > 0:
                    if alert.keep_firing_since is None:
                        alert.keep_firing_since = ts_ms
                    keep_firing = ts_ms - alert.keep_firing_since < self.keep_firing_for_ms
                deleted = alert.state is State.PENDING or (
                    alert.resolved_at is not None
                    and ts_ms - alert.resolved_at > RESOLVED_RETENTION_MS
                )
                if deleted:
                    del self._active[key]
                if alert.state is not State.INACTIVE and not keep_firing:
                    alert.state = State.INACTIVE
                    alert.resolved_at = ts_ms
                if deleted:
                    self._done.append(alert.episode())
                if not keep_firing:
                    continue
            else:
                alert.keep_firing_since = None
            active_count += 1
            if alert.state is State.PENDING and ts_ms - alert.active_at >= self.for_ms:
                alert.state = State.FIRING
                alert.fired_at = ts_ms
        return active_count

    def states(self) -> dict[LabelSet, State]:
        """The state of every alert in the active map now (resolved ones: inactive)."""
        return {key: alert.state for key, alert in self._active.items()}

    def episodes(self) -> list[Episode]:
        """Every episode so far, ended or not, ordered by start then labels."""
        current = [a.episode() for a in self._active.values()]
        return sorted([*self._done, *current], key=lambda e: (e.active_at, e.labels))


def replay(
    machine: AlertStateMachine, steps: Sequence[tuple[int, Sequence[Sample]]]
) -> list[Episode]:
    """Run ``machine`` over (timestamp ms, result) pairs in time order; its episodes."""
    last: int | None = None
    for ts_ms, samples in steps:
        if last is not None and ts_ms <= last:
            raise ValueError(f"evaluation timestamps must increase: {ts_ms} after {last}")
        machine.step(ts_ms, samples)
        last = ts_ms
    return machine.episodes()
