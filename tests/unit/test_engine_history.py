"""Live episodes from ALERTS samples at the run's end (found by the fidelity check: an
alert still firing when the run ended was reported resolved)."""

from __future__ import annotations

from harness.engine.history import _episodes

E = 0.5


def test_an_alert_still_firing_at_the_last_evaluation_is_not_resolved() -> None:
    points = [(10.0, "pending"), (10.5, "firing"), (11.0, "firing"), (11.5, "firing")]
    (ep,) = _episodes("A", {}, points, E, last_eval=11.5, end=11.2)
    assert ep.fired_at == 10.5 and ep.resolved_at is None
    assert ep.last_firing == 11.0  # what happened after the run is not the run's


def test_an_alert_gone_at_the_last_evaluation_resolved_after_its_last_firing() -> None:
    points = [(10.0, "firing"), (10.5, "firing")]
    (ep,) = _episodes("A", {}, points, E, last_eval=11.5, end=11.2)
    assert ep.resolved_at == 11.0


def test_nothing_that_starts_or_fires_after_the_run_counts() -> None:
    pending = [(11.0, "pending"), (11.5, "firing")]
    (ep,) = _episodes("A", {}, pending, E, last_eval=11.5, end=11.2)
    assert ep.pending_at == 11.0 and ep.fired_at is None and ep.resolved_at is None
    assert _episodes("A", {}, [(11.5, "pending")], E, last_eval=11.5, end=11.2) == []


def test_a_late_last_evaluation_does_not_end_an_alert_still_firing() -> None:
    """Prometheus reports a group's lastEvaluation as the evaluation's wall-clock start,
    which under load lags the slot its samples carry (seen: 0.4 E, and a firing alert was
    reported resolved, so offline and live seemed to disagree)."""
    points = [(10.0, "firing"), (10.5, "firing"), (11.0, "firing")]
    (ep,) = _episodes("A", {}, points, E, last_eval=11.0 + 0.9 * E, end=11.2)
    assert ep.resolved_at is None
    (ep,) = _episodes("A", {}, points, E, last_eval=11.0 + E + 0.001, end=11.2)
    assert ep.resolved_at == 11.5  # the next slot evaluated without it
