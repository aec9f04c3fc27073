"""Window arithmetic from docs/TIMING.md: firing, resolve and notification windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.stack.spec import Intervals
from harness.verdicts.windows import (
    SLACK,
    Window,
    absence_lag,
    aftermath,
    ceil_to,
    condition_lag,
    effective_repeat_interval,
    existing_group_window,
    firing_window,
    first_notification_window,
    for_star,
    keep_star,
    repeat_notification_window,
    resolve_window,
    resolved_notification_window,
)


def rule(**kw: object) -> AlertRule:
    base: dict[str, object] = {
        "name": "A",
        "expr": "x > 1",
        "group": "g",
        "source": Path("r.yml"),
        "line": 1,
    }
    return AlertRule(**{**base, **kw})  # type: ignore[arg-type]


S1 = Intervals(scrape=1.0, evaluation=1.0)


def test_ceil_to_handles_float_noise_after_scaling() -> None:
    assert ceil_to(300 / 60, 0.1) == pytest.approx(5.0)  # not 5.1
    assert ceil_to(5, 2) == 6 and ceil_to(0, 2) == 0 and ceil_to(4, 2) == 4
    with pytest.raises(ValueError):
        ceil_to(1, 0)


def test_for_star_uses_the_group_interval_when_set() -> None:
    assert for_star(rule(for_s=5), S1) == 5
    assert for_star(rule(for_s=5, group_interval_s=2), S1) == 6
    assert for_star(rule(for_s=0, group_interval_s=2), S1) == 0
    assert keep_star(rule(keep_firing_for_s=3, group_interval_s=2), S1) == 4


def test_gauge_firing_window() -> None:
    # docs/TIMING.md: FiredAt in [t0 + F*, t0 + S + E + F*).
    w = firing_window(rule(for_s=5), Intervals(scrape=1, evaluation=2))
    assert (w.start, w.end, w.closed_start, w.closed_end) == (6, 9, True, False)
    assert w.formula == "[t0 + F*, t0 + S + E + F*)"
    assert str(w) == "[6.0, 9.0) s"


def test_gauge_without_for_fires_within_s_plus_e() -> None:
    w = firing_window(rule(), Intervals(scrape=0.5, evaluation=1))
    assert (w.start, w.end) == (0, 1.5)


def test_rate_firing_window_spreads_over_w_on_the_late_edge_only() -> None:
    # Spec HighErrorRate at k=60: W = 5 s, F = 5 s, group interval 0.5 s, S = 1 s.
    r = rule(for_s=5, group_interval_s=0.5, max_range_s=5, uses_range=True)
    assert condition_lag(r) == (0, 5)
    w = firing_window(r, S1)
    assert (w.start, w.end) == (5, 11.5)  # [F*, W + S + E + F*)
    assert w.formula == "[t0 + F*, t0 + W + S + E + F*)"
    # A known lag shifts both edges of the gauge window.
    narrow = firing_window(r, S1, lag=(2, 2))
    assert (narrow.start, narrow.end) == (7, 8.5)
    assert narrow.formula == "[t0 + 2 + F*, t0 + 2 + S + E + F*)"


def test_absence_condition_lag() -> None:
    r = rule(for_s=5, max_range_s=10, uses_range=True)
    assert absence_lag(r, S1) == (9, 10)
    w = firing_window(r, S1, lag=absence_lag(r, S1))
    assert (w.start, w.end) == (14, 17)


def test_resolve_window() -> None:
    assert (lambda w: (w.start, w.end))(resolve_window(rule(for_s=5), S1)) == (0, 2)
    kept = resolve_window(rule(keep_firing_for_s=3, group_interval_s=2), S1)
    assert (kept.start, kept.end) == (4, 7)  # [K*, S + E + K*)
    ranged = resolve_window(rule(max_range_s=5, uses_range=True), S1)
    assert (ranged.start, ranged.end) == (0, 7)  # up to W, plus S + E
    assert ranged.formula == "[t1 + K*, t1 + W + S + E + K*)"


def test_aftermath_is_the_reach_of_a_phase_after_it_ends() -> None:
    assert aftermath(rule(for_s=50), S1) == 2
    assert aftermath(rule(max_range_s=5, uses_range=True), S1) == 7


def test_window_position_with_slack() -> None:
    w = Window(10, 12, slack=0.5)
    assert [w.position(t) for t in (9.4, 9.5, 10, 11.99, 12.49, 12.5, 13)] == [-1, 0, 0, 0, 0, 1, 1]
    closed = Window(10, 12, closed_end=True, slack=0)
    assert closed.contains(12) and not Window(10, 12, slack=0).contains(12)
    assert not Window(10, 12, closed_start=False, slack=0).contains(10)
    assert w.closes_at == 12.5
    assert str(Window(0.25, 1, False, True)) == "(0.25, 1.0] s"
    assert w.shift(5).start == 15 and w.shift(5).end == 17


def test_window_plus_composes_fire_then_notify() -> None:
    fire = firing_window(rule(for_s=5), S1)
    total = fire.plus(first_notification_window(Route("r", group_wait_s=10)))
    assert (total.start, total.end, total.closed_end) == (15, 17, False)
    assert total.formula == "[t0 + F*, t0 + S + E + F*) + FiredAt + GW"


def test_notification_windows() -> None:
    route = Route("r", group_wait_s=10, group_interval_s=10, repeat_interval_s=12 * 3600)
    first = first_notification_window(route)
    assert (first.start, first.end, first.closed_end, first.slack) == (10, 10, True, SLACK)
    assert first.contains(10.3) and not first.contains(11)
    joined = existing_group_window(route)
    assert (joined.start, joined.end, joined.closed_start, joined.closed_end) == (
        0,
        10,
        False,
        True,
    )
    waiting = existing_group_window(Route("r", group_wait_s=3, group_interval_s=10), flushed=False)
    assert waiting.end == 3
    resolved = resolved_notification_window(route)
    assert (resolved.start, resolved.end) == (0, 10) and resolved.formula.startswith("ResolvedAt")


def test_repeat_interval_rounds_up_to_group_interval() -> None:
    every_1000s = Route("r", group_interval_s=300, repeat_interval_s=1000)
    assert effective_repeat_interval(every_1000s) == 1200
    every_1200s = Route("r", group_interval_s=300, repeat_interval_s=1200)
    assert effective_repeat_interval(every_1200s) == 1200
    w = repeat_notification_window(every_1000s)
    assert (w.start, w.end, w.closed_end) == (1200, 1500, True)


def test_slack_stays_below_one_default_interval() -> None:
    # A missed evaluation (>= E) must still show as late.
    assert 0 < SLACK < Intervals().evaluation
