"""The SLO check's arithmetic, on canned Prometheus answers and Locust statistics: when
each objective holds, when it is violated, and what the message says."""

from __future__ import annotations

import math
from typing import Any

import pytest

from harness.load.stats import EndpointStats, LoadStats
from harness.observe.prometheus import Sample
from harness.paths import CORRECTED_DIR
from harness.slo.check import ObjectiveResult, check_slo
from harness.slo.model import load_slo

SLO = load_slo(CORRECTED_DIR / "slo.yml")
HEALTHY_BUCKETS = {0.01: 900.0, 0.05: 980.0, 0.1: 995.0, 0.5: 1000.0, 1.0: 1000.0, math.inf: 1000.0}


class FakeProm:
    def __init__(
        self, requests: float, errors: float | None, buckets: dict[float, float], estimate: float
    ) -> None:
        self.requests, self.errors, self.buckets, self.estimate = (
            requests,
            errors,
            buckets,
            estimate,
        )
        self.asked: list[str] = []

    def query(self, expr: str, time: float | None = None) -> list[Sample]:
        self.asked.append(expr)
        if expr.startswith("histogram_quantile"):
            return [Sample({}, self.estimate)]
        if "sum by (le)" in expr:
            return [
                Sample({"le": "+Inf" if math.isinf(le) else str(le)}, n)
                for le, n in self.buckets.items()
            ]
        if "5.." in expr:
            return [] if self.errors is None else [Sample({}, self.errors)]
        return [Sample({}, self.requests)]


def _stats(requests: int, failures: int, times: dict[int, int]) -> LoadStats:
    total = EndpointStats(
        "", "Aggregated", requests, failures, None, None, None, None, None, response_times=times
    )
    return LoadStats(endpoints=(), total=total)


def _check(prom: FakeProm, stats: LoadStats) -> dict[str, ObjectiveResult]:
    fake: Any = prom
    return {r.name: r for r in check_slo(SLO, fake, 1000.0, 1060.0, stats)}


def test_everything_holds_with_both_numbers_shown() -> None:
    prom = FakeProm(1000, 0, HEALTHY_BUCKETS, 0.012)
    got = _check(prom, _stats(1000, 0, {10: 900, 40: 90, 80: 10}))
    assert all(r.holds for r in got.values())
    latency = got["latency"].message
    assert "Prometheus 12 ms" in latency and "99.5% of requests <= 100 ms: proven" in latency
    assert "Locust 40 ms" in latency
    assert "Prometheus 0.0% (0 of 1000 requests 5xx over 1m)" in got["error_ratio"].message
    assert 'increase(http_requests_total{job="api"}[1m])' in " ".join(prom.asked)


def test_latency_between_buckets_is_an_interpolated_estimate() -> None:
    buckets = {0.01: 100.0, 0.1: 900.0, 0.5: 990.0, math.inf: 1000.0}  # p95 in (0.1, 0.5]
    slow = _check(FakeProm(1000, 0, buckets, 0.30), _stats(1000, 0, {150: 1000}))["latency"]
    assert not slow.prometheus.holds and "interpolated" in slow.prometheus.detail
    fast = _check(FakeProm(1000, 0, buckets, 0.15), _stats(1000, 0, {150: 1000}))["latency"]
    assert fast.prometheus.holds and "interpolated" in fast.prometheus.detail


def test_latency_proven_violated_and_locust_alone_can_break_it() -> None:
    buckets = {0.1: 10.0, 0.5: 400.0, 1.0: 1000.0, math.inf: 1000.0}
    got = _check(FakeProm(1000, 0, buckets, 0.8), _stats(1000, 0, {700: 1000}))["latency"]
    assert not got.holds and "only 40% of requests <= 500 ms: proven" in got.message
    # Prometheus fine, the client saw 250 ms: the objective does not hold.
    mixed = _check(FakeProm(1000, 0, HEALTHY_BUCKETS, 0.01), _stats(1000, 0, {250: 1000}))
    assert mixed["latency"].prometheus.holds and not mixed["latency"].holds
    assert "Locust 250 ms" in mixed["latency"].message and "VIOLATED" in mixed["latency"].message


@pytest.mark.parametrize(
    ("errors", "failures", "error_ok", "available"),
    [(2, 2, True, True), (5, 5, True, False), (8, 8, False, False), (2, 20, False, False)],
)
def test_error_ratio_and_availability(
    errors: float, failures: int, error_ok: bool, available: bool
) -> None:
    got = _check(FakeProm(2000, errors, HEALTHY_BUCKETS, 0.01), _stats(2000, failures, {10: 2000}))
    # error ratio <= 0.3%: 2, 5 of 2000 hold, 8 do not; availability 99.9%: at most 2.
    assert got["error_ratio"].holds is error_ok
    assert got["availability"].holds is available


def test_no_data_is_never_a_pass() -> None:
    got = _check(FakeProm(0, None, {math.inf: 0.0}, math.nan), _stats(0, 0, {}))
    assert not any(r.prometheus.holds for r in got.values())
    assert "no data" in got["error_ratio"].message
