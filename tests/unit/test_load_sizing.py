"""Load sizing for scaled windows (docs/TIMING.md, "Time scale")."""

from __future__ import annotations

import random

import pytest

from harness.errors import InputError
from harness.load.sizing import (
    CEILING_RPS,
    check_headroom,
    min_events,
    plan_for_ratio,
    users_for_rate,
)


def test_timing_example_needs_far_more_than_100_requests() -> None:
    # docs/TIMING.md: 7.5% errors vs a 5% threshold; 100 requests in a 5 s window is not enough.
    n = min_events(0.075, 0.05)
    assert n > 100
    assert n == pytest.approx(16 * 0.075 * 0.925 / 0.025**2, abs=1.5)  # z = 4, ceil


def test_min_events_keeps_the_ratio_on_its_side() -> None:
    """Simulated windows of min_events requests: the observed ratio stays above threshold."""
    rng = random.Random(7)
    n = min_events(0.3, 0.05)
    below = sum(
        sum(rng.random() < 0.3 for _ in range(n)) / n <= 0.05 for _ in range(2000)
    )
    assert below == 0


def test_users_for_rate() -> None:
    assert users_for_rate(20, think_time=1.0) == 20
    assert users_for_rate(20, think_time=0.5, requests_per_task=2) == 5
    assert users_for_rate(0.1, think_time=1.0) == 1


def test_plan_and_headroom() -> None:
    plan = plan_for_ratio(0.3, 0.05, window_s=5, think_time=1.0)
    assert plan.rate == pytest.approx(plan.events / 5)
    assert plan.users >= plan.rate
    with pytest.raises(InputError, match="above 25% of the target's ceiling"):
        plan_for_ratio(0.051, 0.05, window_s=5)
    check_headroom(CEILING_RPS * 0.2)


@pytest.mark.parametrize("ratio, threshold", [(0.05, 0.05), (1.2, 0.05), (0.1, -1)])
def test_impossible_ratios(ratio: float, threshold: float) -> None:
    with pytest.raises(InputError):
        min_events(ratio, threshold)
