"""One alert's history, built from polled snapshots of Prometheus ``/api/v1/alerts``.

``update_timeline(timeline, snapshot, observed_at)`` is pure: it returns a new
Timeline with the transitions the snapshot reveals (inactive | pending | firing |
resolved, per label set). Times are epoch seconds on the harness's clock, which is the
clock Prometheus stamps ``activeAt`` with (same host, or host-network containers).

Which instant is "fired"? The API has no FiredAt, only ``activeAt`` (the evaluation
that first saw the condition) and the state. A poll sees firing up to one poll
interval plus an HTTP round trip late. Prometheus, though, evaluates on fixed slots
``activeAt + j*E`` and fires at the first slot with ``ts - activeAt >= F``
(``rules/alerting.go``), so FiredAt = activeAt + ceil(F/E)*E exactly: that is what
``first_firing_at`` returns when given F and E, checked against the poll bracket
(the previous poll saw it pending, this one firing). If it falls outside (an
evaluation skipped, a wrong E), the observed time is used: never an invented instant.
Resolution has no timestamp in the API: ``resolved_at`` takes the first evaluation
slot inside the poll bracket when E is known, else the observation. (The ``ALERTS``
series in Prometheus's TSDB holds the exact evaluation timestamps, for a caller that
needs them.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from harness.verdicts.windows import ceil_to

AlertState = Literal["inactive", "pending", "firing", "resolved"]
LabelKey = tuple[tuple[str, str], ...]
_BRACKET_TOLERANCE = 0.05  # s: a derived instant may sit this far outside its poll bracket


@dataclass(frozen=True)
class Transition:
    """A state change of one alert instance (label set), seen at a poll."""

    at: float  # when the poll saw the new state
    state: AlertState
    labels: Mapping[str, str]
    value: float | None = None
    active_at: float | None = None  # Prometheus's activeAt of the episode
    since: float | None = None  # the previous poll: the change happened in (since, at]


@dataclass(frozen=True)
class Notification:
    """A notification the capture receiver got for this alert."""

    receiver: str
    status: Literal["firing", "resolved"]
    at: float
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    """The last state a poll showed for one alert instance (label set)."""

    state: Literal["pending", "firing"]
    labels: Mapping[str, str]
    active_at: float | None
    value: float | None


@dataclass(frozen=True)
class Timeline:
    alert: str
    transitions: tuple[Transition, ...] = ()
    notifications: tuple[Notification, ...] = ()
    last_observed_at: float | None = None
    current: Mapping[LabelKey, Instance] = field(default_factory=dict)


def update_timeline(timeline: Timeline, snapshot: Any, observed_at: float) -> Timeline:
    """The timeline after one poll of ``/api/v1/alerts`` (the response or its alert list)."""
    if timeline.last_observed_at is not None and observed_at < timeline.last_observed_at:
        raise ValueError(f"snapshots out of order: {observed_at} after {timeline.last_observed_at}")
    since = timeline.last_observed_at
    seen: dict[LabelKey, Instance] = {}
    for raw in _alerts(snapshot):
        labels = {str(k): str(v) for k, v in (raw.get("labels") or {}).items()}
        state = raw.get("state")
        if labels.get("alertname") != timeline.alert or state not in ("pending", "firing"):
            continue
        seen[_key(labels)] = Instance(
            state, labels, parse_timestamp(raw.get("activeAt")), _float(raw.get("value"))
        )

    new: list[Transition] = []

    def add(state: AlertState, inst: Instance) -> None:
        new.append(Transition(observed_at, state, inst.labels, inst.value, inst.active_at, since))

    for key in sorted(set(timeline.current) | set(seen)):
        old, now = timeline.current.get(key), seen.get(key)
        if old is not None and (now is None or _new_episode(old, now)):
            add("resolved" if old.state == "firing" else "inactive", old)
            old = None
        if now is not None and (old is None or old.state != now.state):
            add(now.state, now)
    return replace(
        timeline,
        transitions=timeline.transitions + tuple(new),
        last_observed_at=observed_at,
        current=seen,
    )


def update_timelines(
    timelines: Mapping[str, Timeline], snapshot: Any, observed_at: float
) -> dict[str, Timeline]:
    """Every alert's timeline after one poll; alerts seen for the first time are added."""
    names = set(timelines)
    for raw in _alerts(snapshot):
        name = (raw.get("labels") or {}).get("alertname")
        if name:
            names.add(str(name))
    return {
        name: update_timeline(timelines.get(name) or Timeline(name), snapshot, observed_at)
        for name in sorted(names)
    }


def attach_notification(timeline: Timeline, notification: Notification) -> Timeline:
    ordered = sorted((*timeline.notifications, notification), key=lambda n: n.at)
    return replace(timeline, notifications=tuple(ordered))


def first_pending_at(
    timeline: Timeline, labels: Mapping[str, str] | None = None, *, after: float | None = None
) -> float | None:
    """ActiveAt of the first matching episode (when the condition was first seen true).

    Prometheus's own ``activeAt`` where the API gave it, else the poll that saw it. A
    rule without ``for:`` is pending for no time at all: its ActiveAt is its FiredAt.
    """
    for t in _matching(timeline, labels, after):
        if t.state in ("pending", "firing"):
            return t.active_at if t.active_at is not None else t.at
    return None


def first_firing_at(
    timeline: Timeline,
    labels: Mapping[str, str] | None = None,
    *,
    for_s: float | None = None,
    eval_s: float | None = None,
    after: float | None = None,
) -> float | None:
    """FiredAt of the first matching firing: activeAt + F* when F and E are given.

    ``after`` skips firings seen before that instant (e.g. a flap during warm-up).
    """
    for t in _matching(timeline, labels, after):
        if t.state == "firing":
            if t.active_at is None or for_s is None or not eval_s:
                return t.at
            return _within_bracket(t.active_at + ceil_to(for_s, eval_s), t)
    return None


def resolved_at(
    timeline: Timeline,
    labels: Mapping[str, str] | None = None,
    *,
    eval_s: float | None = None,
    after: float | None = None,
) -> float | None:
    """When no matching instance was firing any more, after the first matching firing."""
    spans = firing_spans(timeline, labels, eval_s=eval_s, after=after)
    return spans[0][1] if spans else None


def firing_spans(
    timeline: Timeline,
    labels: Mapping[str, str] | None = None,
    *,
    for_s: float | None = None,
    eval_s: float | None = None,
    after: float | None = None,
) -> list[tuple[float, float | None]]:
    """Spans in which at least one matching instance was firing: (fired, resolved or None)."""
    spans: list[tuple[float, float | None]] = []
    firing: set[LabelKey] = set()
    anchor = _anchor(timeline)
    for t in _matching(timeline, labels, after):
        key = _key(t.labels)
        if t.state == "firing":
            if not firing:
                fired = t.at
                if t.active_at is not None and for_s is not None and eval_s:
                    fired = _within_bracket(t.active_at + ceil_to(for_s, eval_s), t)
                spans.append((fired, None))
            firing.add(key)
        elif key in firing:
            firing.discard(key)
            if not firing:
                spans[-1] = (spans[-1][0], _resolve_instant(t, anchor, eval_s))
    return spans


def first_notification(
    timeline: Timeline,
    *,
    receiver: str | None = None,
    status: Literal["firing", "resolved"] = "firing",
    after: float | None = None,
) -> Notification | None:
    for n in timeline.notifications:
        if n.status != status or (receiver is not None and n.receiver != receiver):
            continue
        if after is None or n.at >= after:
            return n
    return None


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds of an RFC 3339 time as Go writes it (nanoseconds, ``Z``); None for zero."""
    if not value or not isinstance(value, str) or value.startswith("0001-01-01"):
        return None
    match = re.fullmatch(r"(.+?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", value.strip())
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    base, fraction, zone = match.groups()
    stamp = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return stamp.astimezone(UTC).timestamp() + (float(f"0.{fraction}") if fraction else 0.0)


def _alerts(snapshot: Any) -> list[Mapping[str, Any]]:
    if isinstance(snapshot, Mapping):
        data = snapshot.get("data", snapshot)
        snapshot = data.get("alerts", []) if isinstance(data, Mapping) else []
    return [a for a in snapshot if isinstance(a, Mapping)]


def _key(labels: Mapping[str, str]) -> LabelKey:
    return tuple(sorted(labels.items()))


def _new_episode(old: Instance, now: Instance) -> bool:
    # A pending alert that lost its condition and found it again between two polls.
    if old.active_at is None or now.active_at is None:
        return False
    return abs(old.active_at - now.active_at) > 1e-6


def _matching(
    timeline: Timeline, labels: Mapping[str, str] | None, after: float | None
) -> Iterable[Transition]:
    for t in timeline.transitions:
        if labels and any(t.labels.get(k) != v for k, v in labels.items()):
            continue
        if after is not None and t.at < after:
            continue
        yield t


def _within_bracket(derived: float, t: Transition) -> float:
    low = (t.since if t.since is not None else float("-inf")) - _BRACKET_TOLERANCE
    return derived if low < derived <= t.at + _BRACKET_TOLERANCE else t.at


def _anchor(timeline: Timeline) -> float | None:
    # Any activeAt is an evaluation slot of the rule's group: slots are anchor + j*E.
    return next((t.active_at for t in timeline.transitions if t.active_at is not None), None)


def _resolve_instant(t: Transition, anchor: float | None, eval_s: float | None) -> float:
    """The first evaluation slot in the poll bracket (since, at], else the poll's time."""
    if anchor is None or not eval_s or t.since is None:
        return t.at
    slot = anchor + ceil_to(t.since - anchor, eval_s) if t.since > anchor else anchor
    if slot <= t.since:
        slot += eval_s
    return slot if slot <= t.at else t.at


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
