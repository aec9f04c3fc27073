"""The alerting state machine against hand-built cases that follow Prometheus v2.42's
``AlertingRule.Eval`` (rules/alerting.go), one rule of it per test."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from harness.offline.statemachine import (
    RESOLVED_RETENTION_MS,
    AlertStateMachine,
    Episode,
    Sample,
    State,
    alert_labels,
    replay,
)

E = 60_000  # one evaluation interval, ms
T0 = 1_700_000_040_000  # a multiple of E


def at(i: int) -> int:
    return T0 + i * E


def sec(i: int) -> float:
    return at(i) / 1000


def run(
    machine: AlertStateMachine, present: Sequence[bool], labels: dict[str, str] | None = None
) -> list[Episode]:
    """Evaluate at T0, T0+E, ... with one sample whenever ``present[i]`` is True."""
    sample = Sample(labels or {"__name__": "x", "job": "api"}, 1.0)
    return replay(machine, [(at(i), [sample] if p else []) for i, p in enumerate(present)])


def test_identity_drops_metric_name_sets_rule_labels_and_alertname() -> None:
    key = alert_labels(
        {"__name__": "x", "job": "api", "severity": "low"}, {"severity": "page"}, "A"
    )
    assert key == (("alertname", "A"), ("job", "api"), ("severity", "page"))


def test_without_for_an_alert_fires_at_its_first_evaluation_and_resolves_when_gone() -> None:
    [episode] = run(AlertStateMachine("A"), [True, True, False])
    assert (episode.active_at, episode.fired_at, episode.resolved_at) == (sec(0), sec(0), sec(2))


def test_pending_fires_once_active_for_the_hold_duration() -> None:
    machine = AlertStateMachine("A", for_ms=2 * E)
    [episode] = run(machine, [True, True, True, True, False])
    # ts - ActiveAt >= holdDuration first holds at T0 + 2E.
    assert (episode.active_at, episode.fired_at, episode.resolved_at) == (sec(0), sec(2), sec(4))


def test_for_that_is_not_a_multiple_of_the_interval_fires_at_the_next_evaluation() -> None:
    [episode] = run(AlertStateMachine("A", for_ms=90_000), [True] * 4)
    assert episode.fired_at == sec(2)  # 60 s < 90 s <= 120 s
    assert episode.resolved_at is None


def test_a_pending_alert_that_vanishes_is_deleted_and_the_next_one_starts_afresh() -> None:
    machine = AlertStateMachine("A", for_ms=2 * E)
    first, second = run(machine, [True, True, False, True, True, True])
    assert (first.active_at, first.fired_at, first.resolved_at) == (sec(0), None, sec(2))
    assert (second.active_at, second.fired_at, second.resolved_at) == (sec(3), sec(5), None)


def test_keep_firing_for_holds_a_firing_alert_until_it_has_been_missing_that_long() -> None:
    machine = AlertStateMachine("A", keep_firing_for_ms=2 * E)
    [episode] = run(machine, [True, False, False, False])
    # KeepFiringSince = T0+E; kept while ts - since < 2E, so resolved at T0+3E.
    assert episode.resolved_at == sec(3)


def test_keep_firing_since_resets_when_the_alert_comes_back() -> None:
    machine = AlertStateMachine("A", keep_firing_for_ms=2 * E)
    [episode] = run(machine, [True, False, True, False, False, False])
    assert (episode.fired_at, episode.resolved_at) == (sec(0), sec(5))


def test_keep_firing_for_does_not_hold_a_pending_alert() -> None:
    machine = AlertStateMachine("A", for_ms=5 * E, keep_firing_for_ms=10 * E)
    [episode] = run(machine, [True, False])
    assert (episode.fired_at, episode.resolved_at) == (None, sec(1))


def test_a_resolved_alert_that_returns_within_retention_is_a_new_episode() -> None:
    machine = AlertStateMachine("A")
    first, second = run(machine, [True, False, True])
    assert (first.active_at, first.resolved_at) == (sec(0), sec(1))
    assert (second.active_at, second.fired_at, second.resolved_at) == (sec(2), sec(2), None)


def test_resolved_alerts_are_kept_for_fifteen_minutes_then_deleted() -> None:
    machine = AlertStateMachine("A")
    run(machine, [True, False])  # resolved at T0 + E
    resolved = at(1)
    key = alert_labels({"job": "api"}, {}, "A")
    machine.step(resolved + RESOLVED_RETENTION_MS, [])
    assert machine.states() == {key: State.INACTIVE}  # ts - ResolvedAt == 15m: not yet
    machine.step(resolved + RESOLVED_RETENTION_MS + E, [])
    assert machine.states() == {}
    [episode] = machine.episodes()
    assert episode.resolved_at == sec(1)


def test_label_sets_are_independent_and_a_value_change_keeps_active_at() -> None:
    machine = AlertStateMachine("A", for_ms=E, labels={"severity": "page"})
    a, b = {"instance": "a"}, {"instance": "b"}
    episodes = replay(
        machine,
        [
            (at(0), [Sample(a, 1.0)]),
            (at(1), [Sample(a, 7.0), Sample(b, 1.0)]),
            (at(2), [Sample(b, 2.0)]),
        ],
    )
    by_instance = {e.label_dict["instance"]: e for e in episodes}
    assert by_instance["a"].fired_at == sec(1)
    assert by_instance["a"].resolved_at == sec(2)
    assert (by_instance["b"].active_at, by_instance["b"].fired_at) == (sec(1), sec(2))
    assert by_instance["b"].label_dict["severity"] == "page"


def test_a_duplicate_label_set_after_dropping_the_name_fails_and_keeps_the_state() -> None:
    machine = AlertStateMachine("A", for_ms=E)
    replay(
        machine,
        [
            (at(0), [Sample({"__name__": "x", "job": "api"}, 1.0)]),
            (
                at(1),
                [
                    Sample({"__name__": "x", "job": "api"}, 1.0),
                    Sample({"__name__": "y", "job": "api"}, 1.0),
                ],
            ),
        ],
    )
    assert [e.at for e in machine.errors] == [sec(1)]
    assert "same labelset" in machine.errors[0].message
    assert list(machine.states().values()) == [State.PENDING]  # not advanced at T0+E
    machine.step(at(2), [Sample({"job": "api"}, 1.0)])
    [episode] = machine.episodes()
    assert (episode.active_at, episode.fired_at) == (sec(0), sec(2))


def test_exceeding_the_group_limit_clears_every_alert() -> None:
    machine = AlertStateMachine("A", limit=1)
    machine.step(at(0), [Sample({"i": "1"}, 1.0), Sample({"i": "2"}, 1.0)])
    assert machine.states() == {}
    assert "exceeded limit of 1 with 2 alerts" in machine.errors[0].message
    assert all(e.resolved_at == sec(0) for e in machine.episodes())


def test_firing_seconds_counts_an_open_episode_until_the_end() -> None:
    [episode] = run(AlertStateMachine("A", for_ms=E), [True, True, True])
    assert episode.firing_seconds(end=sec(5)) == 4 * E / 1000


def test_replay_refuses_timestamps_out_of_order() -> None:
    with pytest.raises(ValueError, match="must increase"):
        replay(AlertStateMachine("A"), [(at(1), []), (at(1), [])])


def alerts_series(machine: AlertStateMachine, values: Sequence[float]) -> list[list[str]]:
    """The ``ALERTS`` states written at each minute for ``http_requests > 50``."""
    written = []
    for i, value in enumerate(values):
        kept = [Sample({"job": "app-server", "instance": "0"}, value)] if value > 50 else []
        machine.step(i * E, kept)
        written.append([s.value for s in machine.states().values() if s is not State.INACTIVE])
    return written


def test_keep_firing_for_as_in_prometheus_own_test() -> None:
    """rules/alerting_test.go v2.42.0, TestKeepFiringFor: 75 85 70 70 10x5, for and
    keep_firing_for 1m: pending, firing x3, still firing at the first 10, then nothing."""
    machine = AlertStateMachine("HTTPRequestRateHigh", for_ms=E, keep_firing_for_ms=E)
    written = alerts_series(machine, [75, 85, 70, 70, 10, 10])
    assert written == [["pending"], ["firing"], ["firing"], ["firing"], ["firing"], []]


def test_pending_and_keep_firing_for_as_in_prometheus_own_test() -> None:
    """rules/alerting_test.go v2.42.0, TestPendingAndKeepFiringFor: 75 10x10: pending, then
    nothing (keep_firing_for holds only firing alerts)."""
    machine = AlertStateMachine("HTTPRequestRateHigh", for_ms=E, keep_firing_for_ms=E)
    assert alerts_series(machine, [75, 10]) == [["pending"], []]
