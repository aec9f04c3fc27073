"""The SLOs of compose/corrected/slo.yml (p95 <= 180 ms, error ratio <= 0.3%, availability
99.9%) hold under baseline load, from Prometheus and from Locust alike; and the same
check reports a violation, from both sources, when a degraded stretch breaks them."""

from __future__ import annotations

import pytest

from harness.slo.check import ObjectiveResult
from harness.slo.live import Stretch

pytestmark = [pytest.mark.slo, pytest.mark.integration]

OBJECTIVES = ("latency", "error_ratio", "availability")


def _result(stretch: Stretch, name: str) -> ObjectiveResult:
    return next(r for r in stretch.results if r.name == name)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_slo_holds_under_baseline_load(objective: str, slo_run: dict[str, Stretch]) -> None:
    result = _result(slo_run["baseline"], objective)
    print(result.message)
    assert result.prometheus.value is not None and result.locust.value is not None, result.message
    assert result.holds, result.message


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_slo_check_reports_a_violation(objective: str, slo_run: dict[str, Stretch]) -> None:
    """Under 5% errors and +0.6 s per request, both sources must say VIOLATED."""
    result = _result(slo_run["degraded"], objective)
    print(result.message)
    assert not result.prometheus.holds and result.prometheus.value is not None, result.message
    assert not result.locust.holds and result.locust.value is not None, result.message
