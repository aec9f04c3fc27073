"""Timelines from synthetic /api/v1/alerts snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from harness.verdicts.timeline import (
    Notification,
    Timeline,
    attach_notification,
    firing_spans,
    first_firing_at,
    first_notification,
    first_pending_at,
    parse_timestamp,
    resolved_at,
    update_timeline,
    update_timelines,
)

T0 = 1_700_000_000.0  # an evaluation slot; E = 1 s, slots at T0 + j


def iso(t: float) -> str:
    whole = datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nanos = round((t - int(t)) * 1e9)
    return f"{whole}.{nanos:09d}Z" if nanos else f"{whole}Z"


def alert(state: str, active: float, name: str = "A", value: str = "1e+00", **labels: str) -> Any:
    return {
        "labels": {"alertname": name, **labels},
        "annotations": {},
        "state": state,
        "activeAt": iso(active),
        "value": value,
    }


def response(*alerts: Any) -> Any:
    return {"status": "success", "data": {"alerts": list(alerts)}}


def replay(polls: list[tuple[float, list[Any]]], name: str = "A") -> Timeline:
    timeline = Timeline(name)
    for at, alerts in polls:
        timeline = update_timeline(timeline, response(*alerts), at)
    return timeline


def test_parse_timestamp_keeps_nanoseconds() -> None:
    assert parse_timestamp("2023-11-14T22:13:20.123456789Z") == pytest.approx(T0 + 0.123456789)
    assert parse_timestamp("2023-11-14T23:13:20+01:00") == T0
    assert parse_timestamp("0001-01-01T00:00:00Z") is None
    assert parse_timestamp(None) is None
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


def test_pending_firing_resolved() -> None:
    # Condition seen at slot T0+3; for 5 s, E 1 s: FiredAt = T0+8. Polls every 0.7 s.
    polls = [
        (T0 + 3.2, []),
        (T0 + 3.9, [alert("pending", T0 + 3)]),
        (T0 + 7.8, [alert("pending", T0 + 3)]),
        (T0 + 8.5, [alert("firing", T0 + 3, value="0.2")]),
        (T0 + 20.1, [alert("firing", T0 + 3)]),
        (T0 + 20.8, []),
    ]
    tl = replay(polls)
    assert [(t.state, t.at) for t in tl.transitions] == [
        ("pending", T0 + 3.9),
        ("firing", T0 + 8.5),
        ("resolved", T0 + 20.8),
    ]
    firing = tl.transitions[1]
    assert (firing.since, firing.active_at, firing.value) == (T0 + 7.8, T0 + 3, 0.2)
    assert firing.labels == {"alertname": "A"}
    assert first_pending_at(tl) == T0 + 3  # Prometheus's activeAt, not the poll
    # Without F and E: the poll that saw it; with them: activeAt + F*, inside the bracket.
    assert first_firing_at(tl) == T0 + 8.5
    assert first_firing_at(tl, for_s=5, eval_s=1) == T0 + 8
    # Resolution: the first slot in the poll bracket (T0+20.1, T0+20.8] -> none, so the
    # poll; with a bracket holding a slot, that slot.
    assert resolved_at(tl) == T0 + 20.8
    assert resolved_at(tl, eval_s=1) == T0 + 20.8
    tl2 = replay([*polls[:-1], (T0 + 21.4, [])])
    assert resolved_at(tl2, eval_s=1) == T0 + 21
    assert firing_spans(tl2, for_s=5, eval_s=1) == [(T0 + 8, T0 + 21)]


def test_derived_firing_outside_the_bracket_falls_back_to_the_poll() -> None:
    # A slow poll: the derived instant is well inside the bracket and far more precise.
    tl = replay([(T0 + 3.5, [alert("pending", T0 + 3)]), (T0 + 12.5, [alert("firing", T0 + 3)])])
    assert first_firing_at(tl, for_s=5, eval_s=1) == T0 + 8
    # A wrong E (or a skipped evaluation) puts activeAt + F* before the last pending poll.
    tl = replay([(T0 + 9.5, [alert("pending", T0 + 3)]), (T0 + 10.5, [alert("firing", T0 + 3)])])
    assert first_firing_at(tl, for_s=5, eval_s=1) == T0 + 10.5


def test_firing_seen_without_pending_and_for_zero() -> None:
    tl = replay([(T0 + 1.0, []), (T0 + 2.4, [alert("firing", T0 + 2)])])
    assert [t.state for t in tl.transitions] == ["firing"]
    assert first_pending_at(tl) == T0 + 2
    assert first_firing_at(tl, for_s=0, eval_s=1) == T0 + 2


def test_pending_that_loses_its_condition_becomes_inactive() -> None:
    tl = replay(
        [(T0 + 1, [alert("pending", T0)]), (T0 + 2, []), (T0 + 3, [alert("pending", T0 + 3)])]
    )
    assert [t.state for t in tl.transitions] == ["pending", "inactive", "pending"]
    assert first_firing_at(tl) is None and resolved_at(tl) is None and firing_spans(tl) == []


def test_new_episode_between_two_polls_is_seen_through_active_at() -> None:
    # Pending since T0, reset and pending again since T0+5, all between two polls.
    tl = replay([(T0 + 1, [alert("pending", T0)]), (T0 + 6, [alert("pending", T0 + 5)])])
    assert [(t.state, t.active_at) for t in tl.transitions] == [
        ("pending", T0),
        ("inactive", T0),
        ("pending", T0 + 5),
    ]
    # The same for a firing alert: resolved, then pending again.
    tl = replay([(T0 + 1, [alert("firing", T0)]), (T0 + 6, [alert("pending", T0 + 5)])])
    assert [t.state for t in tl.transitions] == ["firing", "resolved", "pending"]


def test_several_label_sets_and_label_filters() -> None:
    q1 = {"queue": "notifications"}
    q2 = {"queue": "reports"}
    polls = [
        (T0 + 1, [alert("firing", T0, **q1)]),
        (T0 + 2, [alert("firing", T0, **q1), alert("firing", T0 + 2, **q2)]),
        (T0 + 3, [alert("firing", T0 + 2, **q2), alert("firing", T0, name="B")]),
        (T0 + 4, []),
    ]
    tl = replay(polls)
    assert firing_spans(tl) == [(T0 + 1, T0 + 4)]  # some instance firing throughout
    assert resolved_at(tl, q1) == T0 + 3
    assert first_firing_at(tl, q2) == T0 + 2
    assert firing_spans(tl, {"queue": "other"}) == []
    everything = Timeline("A")
    timelines: dict[str, Timeline] = {}
    for at, alerts in polls:
        timelines = update_timelines(timelines, alerts, at)  # a bare alert list works too
        everything = update_timeline(everything, alerts, at)
    assert sorted(timelines) == ["A", "B"]
    assert timelines["A"].transitions == everything.transitions
    assert [t.state for t in timelines["B"].transitions] == ["firing", "resolved"]


def test_after_skips_an_early_flap() -> None:
    tl = replay(
        [
            (T0 + 1, [alert("firing", T0)]),
            (T0 + 2, []),
            (T0 + 10, [alert("firing", T0 + 10)]),
        ]
    )
    assert first_firing_at(tl) == T0 + 1
    assert first_firing_at(tl, after=T0 + 5) == T0 + 10
    assert firing_spans(tl) == [(T0 + 1, T0 + 2), (T0 + 10, None)]
    assert resolved_at(tl, after=T0 + 5) is None


def test_update_is_pure_and_ordered() -> None:
    tl = Timeline("A")
    after = update_timeline(tl, response(alert("pending", T0)), T0 + 1)
    assert tl.transitions == () and tl.last_observed_at is None
    assert len(after.transitions) == 1
    assert update_timeline(after, response(alert("pending", T0)), T0 + 2).transitions == (
        after.transitions
    )
    with pytest.raises(ValueError, match="out of order"):
        update_timeline(after, response(), T0)


def test_notifications_attached_in_time_order() -> None:
    tl = Timeline("A")
    tl = attach_notification(tl, Notification("slack", "resolved", T0 + 30))
    tl = attach_notification(tl, Notification("pagerduty", "firing", T0 + 10))
    tl = attach_notification(tl, Notification("slack", "firing", T0 + 11, {"severity": "warning"}))
    assert [n.at for n in tl.notifications] == [T0 + 10, T0 + 11, T0 + 30]
    assert first_notification(tl) == tl.notifications[0]
    found = first_notification(tl, receiver="slack")
    assert found is not None and found.labels == {"severity": "warning"}
    assert first_notification(tl, receiver="slack", status="resolved") == tl.notifications[2]
    assert first_notification(tl, after=T0 + 10.5) == tl.notifications[1]
    assert first_notification(tl, receiver="webhook") is None
