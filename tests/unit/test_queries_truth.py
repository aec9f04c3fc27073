"""Ground-truth arithmetic: counts per second prorated, windowed rates and ratios as a
panel averages them, the target's counters read back, quantiles found in expressions."""

from __future__ import annotations

import math

import pytest

from harness.queries.sampler import MetricsSampler, Reading
from harness.queries.truth import (
    PhaseRecord,
    Request,
    count_between,
    quantile_of,
    rank_band,
    windowed_pairs,
    windowed_rate,
)
from harness.queries.units import fmt, fmt_delta, panel_factor


def test_count_between_prorates_the_edges() -> None:
    per_second = {100: 10, 101: 20, 102: 30}
    assert count_between(per_second, 100, 103) == 60
    assert count_between(per_second, 100.5, 102.5) == 5 + 20 + 15
    assert count_between(per_second, 99, 100) == 0


def _request(start: float, end: float, window: float = 5.0, step: float = 1.0) -> Request:
    phase = PhaseRecord("p", start - 10, end, start, end)
    return Request(phase, window, "rate(x[5s])", {}, step)


def test_instants_are_query_range_steps() -> None:
    assert _request(10.0, 12.0, step=0.5).instants == [10.0, 10.5, 11.0, 11.5, 12.0]


def test_windowed_rate_is_the_mean_of_each_instants_window() -> None:
    per_second = dict.fromkeys(range(0, 30), 10)
    per_second.update(dict.fromkeys(range(20, 30), 40))  # the rate quadruples at t=20
    counts = lambda a, b: {(): count_between(per_second, a, b)}  # noqa: E731
    steady = windowed_rate(_request(10.0, 15.0), counts)
    assert steady[()] == pytest.approx(10.0)
    # Instants 20..25 see windows [15,20]..[20,25]: 10, 16, 22, 28, 34, 40 per second.
    assert windowed_rate(_request(20.0, 25.0), counts)[()] == pytest.approx(25.0)
    with pytest.raises(ValueError, match="range window"):
        windowed_rate(_request(10.0, 15.0, window=0.0), counts)


def test_windowed_pairs_per_instant() -> None:
    pairs = windowed_pairs(_request(10.0, 11.0), lambda a, b: {(): 1.0}, lambda a, b: {(): b - a})
    assert pairs == [({(): 1.0}, {(): 5.0}), ({(): 1.0}, {(): 5.0})]


def _sampler(
    *readings: tuple[float, dict[tuple[str, str, frozenset[tuple[str, str]]], float]],
) -> MetricsSampler:
    sampler = MetricsSampler({}, ())
    sampler.readings = [Reading(t, values) for t, values in readings]
    return sampler


def test_sampler_interpolates_sums_processes_and_counts_births() -> None:
    a = frozenset({("queue", "reports")})
    b = frozenset({("queue", "notifications")})
    sampler = _sampler(
        (10.0, {("api", "jobs", a): 0.0, ("worker", "jobs", a): 10.0}),
        (12.0, {("api", "jobs", a): 4.0, ("worker", "jobs", a): 10.0, ("worker", "jobs", b): 3.0}),
    )
    assert sampler.value("jobs", 11.0) == {a: 12.0, b: 1.5}
    assert sampler.delta("jobs", 10.0, 12.0) == {a: 4.0, b: 3.0}
    assert sampler.delta("jobs", 10.0, 12.0, {"queue": "reports"}) == {a: 4.0}
    # b was born at 12.0 with 3: what increase() over a window holding its birth misses.
    assert sampler.births("jobs", 10.0, 12.0) == 3.0
    assert sampler.births("jobs", 12.0, 20.0) == 0.0
    assert sampler.value("jobs", 5.0) == {a: 10.0}  # before the first reading: the first


def test_quantile_of() -> None:
    expr = "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"
    assert quantile_of(expr) == (0.95, "http_request_duration_seconds_bucket")
    with pytest.raises(ValueError):
        quantile_of("rate(x[5m])")


def test_units() -> None:
    assert fmt(0.01, "ratio") == "1.0%" and fmt(1.0, "ratio") == "100.0%"
    assert fmt(0.18, "s") == "180 ms" and fmt(2.5, "s") == "2.50 s"
    assert fmt(200.0, "count") == "200" and fmt(51.482, "req/s") == "51.48 req/s"
    assert fmt(math.nan, "s") == "NaN"
    assert fmt_delta(0.005, "ratio") == "±0.5 points"
    assert panel_factor("percent") == 0.01 and panel_factor("percentunit") == 1.0


def test_rank_band_is_two_standard_errors_of_a_quantiles_rank() -> None:
    low, high = rank_band(0.95, 475)  # sqrt(.95 * .05 / 475) = 0.01
    assert (low, high) == pytest.approx((0.93, 0.97))
    assert rank_band(0.99, 1e9) == pytest.approx((0.99, 0.99), abs=1e-5)
    assert rank_band(0.5, 1) == (0.0, 1.0)  # clipped to [0, 1]
