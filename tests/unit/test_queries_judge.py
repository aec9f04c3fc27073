"""Judging a query's series against a ground truth: the numbers in the message, splits,
missing groups, bucket tolerances, no data."""

from __future__ import annotations

import math

from harness.queries.judge import QueryResult, Series, Tolerance, Truth, bucket_of, judge

TITLE = "panel 'Error rate (%)' (API Overview)"


def _result(*series: tuple[dict[str, str], float], expr: str = "q") -> QueryResult:
    return QueryResult(expr, tuple(Series(labels, value) for labels, value in series))


def _error_truth(ratio: float = 0.01) -> Truth:
    num = {("/api/grades", "POST"): 100 * ratio, ("/api/students", "GET"): 300 * ratio}
    den = {("/api/grades", "POST"): 100.0, ("/api/students", "GET"): 300.0}
    return Truth(num, ("route", "method"), "Locust", "ratio", den=den)


def test_unaggregated_error_rate_fails_with_both_numbers() -> None:
    spec = _result(
        ({"route": "/api/grades", "status_code": "500", "tenant_id": "t1"}, 1.0),
        ({"route": "/api/students", "status_code": "500", "tenant_id": "t2"}, 1.0),
    )
    v = judge(TITLE, spec, _error_truth(), tolerance=Tolerance(abs=0.005))
    assert not v.passed
    assert v.message.startswith(
        "panel 'Error rate (%)' (API Overview): query returned 100.0%, ground truth 1.0% "
        "(Locust) — tolerance ±0.5 points"
    )
    assert "splits the total into 2 series by route, tenant_id" in v.message  # not status_code:
    # it is the same in both series, so it does not split anything
    assert (v.query_value, v.truth_value) == (1.0, 0.01)


def test_aggregated_error_rate_passes() -> None:
    v = judge(TITLE, _result(({}, 0.012)), _error_truth(), tolerance=Tolerance(abs=0.005))
    assert v.passed and "query returned 1.2%, ground truth 1.0%" in v.message


def test_ratio_is_summed_before_dividing_at_a_coarser_key() -> None:
    truth = Truth({("a",): 1.0, ("b",): 9.0}, ("route",), den={("a",): 10.0, ("b",): 90.0})
    assert truth.at((), ()) == 0.1 and truth.at(("route",), ("a",)) == 0.1


def test_ratio_over_instants_is_the_mean_of_each_instants_ratio() -> None:
    truth = Truth(
        {},
        ("route",),
        den={},
        instants=[
            ({("a",): 1.0}, {("a",): 10.0}),
            ({("a",): 0.0}, {("a",): 0.0}),
            ({("a",): 3.0}, {("a",): 10.0}),
        ],
    )
    assert truth.at((), ()) == 0.2  # (0.1 + 0.3) / 2; the instant without requests skipped


def test_breakdown_allowed_by_the_title_is_judged_group_by_group() -> None:
    truth = Truth(
        {
            ("reports", "r"): 5.0,
            ("notifications", "send_email"): 2.0,
            ("notifications", "send_sms"): 1.0,
        },
        ("queue", "job_type"),
        "worker",
        "ops/s",
    )
    per_queue = _result(({"queue": "reports"}, 5.1), ({"queue": "notifications"}, 2.9))
    assert judge("p", per_queue, truth, by=["queue"], tolerance=Tolerance(rel=0.1)).passed
    per_type = _result(
        ({"queue": "reports", "job_type": "r"}, 5.0),
        ({"queue": "notifications", "job_type": "send_email"}, 2.0),
        ({"queue": "notifications", "job_type": "send_sms"}, 1.0),
    )
    v = judge("p", per_type, truth, by=["queue"], tolerance=Tolerance(rel=0.1))
    assert not v.passed
    assert "query returned 1.00 ops/s for queue=notifications, ground truth 3.00 ops/s" in v.message
    assert "splits queue=notifications into 2 series by job_type" in v.message


def test_a_group_the_query_lacks_fails() -> None:
    truth = Truth({("reports",): 290.0, ("notifications",): 0.0}, ("queue",), "backlog")
    v = judge(
        "p",
        _result(({"queue": "notifications"}, 0.0)),
        truth,
        by=["queue"],
        tolerance=Tolerance(abs=10),
    )
    assert not v.passed and "no series for queue=reports, ground truth 290" in v.message


def test_bucket_tolerance() -> None:
    truth = Truth.scalar(0.19, source="Locust p95", unit="s", buckets=(0.01, 0.1, 0.5, 1.0))
    assert judge("p", _result(({}, 0.48)), truth, tolerance=Tolerance(bucket=True)).passed
    v = judge("p", _result(({}, 0.7)), truth, tolerance=Tolerance(bucket=True))
    assert not v.passed and "tolerance: the histogram bucket (100 ms, 500 ms]" in v.message
    assert bucket_of(2.0, (0.5, 1.0)) == (1.0, math.inf) and bucket_of(0.5, (0.5, 1.0)) == (0, 0.5)


def test_rank_band_widens_a_bucket_tolerance_near_a_bound() -> None:
    """True p95 just above 1 ms; one window's estimate may land just below it."""
    truth = Truth.scalar(
        0.005,
        source="histogram",
        unit="s",
        buckets=(0.001, 0.005, 0.01),
        in_bucket=True,
        band=(0.001, 0.005),
        band_note="p93-p97",
    )
    v = judge("p", _result(({}, 0.00099)), truth, tolerance=Tolerance(bucket=True))
    assert v.passed and "the histogram buckets holding p93-p97, (0 ms, 5 ms]" in v.message
    assert "ground truth in (1 ms, 5 ms]" in v.message
    assert not judge("p", _result(({}, 0.02)), truth, tolerance=Tolerance(bucket=True)).passed


def test_slack_is_added_and_explained() -> None:
    truth = Truth.scalar(348.0, source="Locust", slack=18.0, note="births")
    v = judge("p", _result(({}, 320.0)), truth, tolerance=Tolerance(rel=0.05))
    assert v.passed and "tolerance ±35.4 (of which ±18: births)" in v.message
    assert not judge("p", _result(({}, 300.0)), truth, tolerance=Tolerance(rel=0.05)).passed


def test_no_data_error_and_declared_absence() -> None:
    assert "returned no data" in judge("p", _result(), _error_truth()).message
    assert not judge("p", _result(({}, math.nan)), _error_truth()).passed
    failed = judge("p", QueryResult("q", error="bad_data: parse error"), None)
    assert not failed.passed and "query failed: bad_data" in failed.message
    assert judge("p", _result(), None, expect_data=False).passed
    assert not judge("p", _result(({}, 1.0)), None, expect_data=False).passed


def test_without_truth_the_query_must_still_return_data() -> None:
    v = judge("p", _result(({"tenant_id": "t"}, 3.0)), None, no_truth_reason="unknown")
    assert v.passed and "no ground truth (unknown)" in v.message
    assert not judge("p", _result(), None).passed
