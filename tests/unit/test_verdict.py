"""Verdicts: early / on time / late / never, and never_fires."""

from __future__ import annotations

import pytest

from harness.verdicts.verdict import Outcome, classify, judge, judge_never_fires
from harness.verdicts.windows import Window

W = Window(30.0, 32.5, slack=0.5)


def test_classify() -> None:
    assert classify(None, W) is Outcome.NEVER
    assert classify(29.0, W) is Outcome.EARLY
    assert classify(29.6, W) is Outcome.ON_TIME  # within slack
    assert classify(32.9, W) is Outcome.ON_TIME
    assert classify(33.0, W) is Outcome.LATE  # open end + slack


def test_late_message_names_observed_window_and_margin() -> None:
    v = judge("HighErrorRate", "fired", 41.2, W, reference="'fault' started")
    assert v.message == (
        "HighErrorRate fired 41.2 s after 'fault' started; window [30.0, 32.5) s: late by 8.7 s"
    )
    assert (v.outcome, v.observed, v.window, v.passed) == (Outcome.LATE, 41.2, W, False)
    assert v.expectation == "HighErrorRate fired within [30.0, 32.5) s after 'fault' started"


def test_on_time_and_early_messages() -> None:
    ok = judge("A", "resolved", 31.0, W, reference="'fault' ended", expectation="A resolves")
    assert ok.passed and ok.message.endswith(": on time") and ok.expectation == "A resolves"
    early = judge("A", "fired", 12.0, W, reference="'fault' started")
    assert early.message.endswith("early by 18.0 s") and early.outcome is Outcome.EARLY


def test_never_message() -> None:
    v = judge("A", "notified pagerduty", None, W, reference="FiredAt", watched_until=40.0)
    assert v.outcome is Outcome.NEVER
    assert v.message == (
        "A never notified pagerduty (watched until 40.0 s after FiredAt); window [30.0, 32.5) s"
    )
    assert judge("A", "fired", None, W, reference="t0").message == (
        "A never fired after t0; window [30.0, 32.5) s"
    )


def test_never_fires_quiet() -> None:
    v = judge_never_fires(
        "HighLatency", [(5.0, 8.0)], (10.0, 70.0), reference="the start", during="'fault'"
    )
    assert v.outcome is Outcome.QUIET and v.passed
    assert v.message == (
        "HighLatency did not fire during 'fault' (watched from 10.0 s until 70.0 s after the start)"
    )


@pytest.mark.parametrize(
    ("spans", "first"),
    [
        ([(20.0, 25.0)], 20.0),
        ([(5.0, None)], 10.0),  # firing already when the watch starts
        ([(5.0, 12.0), (40.0, None)], 10.0),
        ([(69.9, 75.0)], 69.9),
    ],
)
def test_never_fires_broken_reports_first_instant(
    spans: list[tuple[float, float | None]], first: float
) -> None:
    v = judge_never_fires("HighLatency", spans, (10.0, 70.0), reference="the start")
    assert v.outcome is Outcome.FIRED and v.observed == first
    assert v.message.startswith(f"HighLatency fired {first:.1f} s after the start, during")
    assert not v.passed


def test_never_fires_edges_and_open_watch() -> None:
    # Resolved exactly at the watch start, or fired exactly at its end: not during it.
    assert judge_never_fires("A", [(1.0, 10.0), (70.0, None)], (10.0, 70.0), reference="t").passed
    v = judge_never_fires("A", [], (0.0, None), reference="t")
    assert v.passed and "so far" in v.message
    assert not judge_never_fires("A", [(500.0, None)], (0.0, None), reference="t").passed
