"""Offline evaluation: which candidates share a range query, the comparison applied in
Python, the evaluation grid, and episodes from a fake data source."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from harness.errors import RuleError
from harness.offline.evaluate import evaluate, grid, plan
from harness.offline.source import RangeSeries
from harness.rules.condition import Comparison, split_comparison, split_condition
from harness.rules.model import AlertRule

E = 60_000
T0 = 1_700_000_040_000  # a multiple of E


def rule(expr: str, **changes: object) -> AlertRule:
    base = AlertRule(name="A", expr=expr, group="g", source=Path("r.yml"), line=3)
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class FakeSource:
    """Answers every range query with fixed series; records the queries."""

    series: list[RangeSeries]
    calls: list[tuple[str, int, int, int]] = field(default_factory=list)

    def range_query(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[RangeSeries]:
        self.calls.append((expr, start_ms, end_ms, step_ms))
        return [
            RangeSeries(s.labels, tuple(p for p in s.points if start_ms <= p[0] <= end_ms))
            for s in self.series
        ]


def values(*vals: float, labels: dict[str, str] | None = None) -> RangeSeries:
    points = tuple((T0 + i * E, v) for i, v in enumerate(vals))
    return RangeSeries(labels or {"job": "api"}, points)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("rate(x[5m]) > 0.05", Comparison("rate(x[5m])", ">", 0.05)),
        ("0.05 < rate(x[5m])", Comparison("rate(x[5m])", "<", 0.05, scalar_left=True)),
        ("(sum by (a) (x) >= -1)", Comparison("sum by (a) (x)", ">=", -1.0)),
        ("x != (2)", Comparison("x", "!=", 2.0)),
        ("x <= 1e-3", Comparison("x", "<=", 0.001)),
        ("x == 3", Comparison("x", "==", 3.0)),
        ("x > bool 1", None),
        ("x > y", None),
        ("x > 1 and y", None),
        ("x > 2 * 3", None),
        ("rate(x[5m])", None),
    ],
)
def test_split_comparison(expr: str, expected: Comparison | None) -> None:
    assert split_comparison(expr) == expected


def test_a_scalar_on_the_left_compares_the_other_way() -> None:
    below = Comparison("x", "<", 5.0, scalar_left=True)  # 5 < x
    assert below.keeps(6.0) and not below.keeps(5.0) and not below.keeps(4.0)
    assert Comparison("x", ">=", 5.0).keeps(5.0)
    assert not Comparison("x", ">", 5.0).keeps(float("nan"))
    assert Comparison("x", "!=", 5.0).keeps(float("nan"))  # as in Go


def test_candidates_that_differ_only_in_threshold_share_one_query() -> None:
    queries = plan([rule("rate(x[5m]) > 0.05"), rule("rate(x[5m])  >  0.1"), rule("x > 1")])
    by_text = {q.text: [m[0] for m in q.members] for q in queries}
    assert by_text == {"rate(x[5m])": [0, 1], "x > 1": [2]}


def test_one_comparison_is_queried_as_written_even_with_several_for_values() -> None:
    [query] = plan([rule("x > 1", for_s=0), rule("x > 1", for_s=300)])
    assert query.text == "x > 1"
    assert [m[2] for m in query.members] == [None, None]


def test_different_evaluation_intervals_never_share() -> None:
    queries = plan([rule("x > 1"), rule("x > 2", group_interval_s=30.0)])
    assert sorted((q.text, q.interval_ms) for q in queries) == [
        ("x > 1", 60_000),
        ("x > 2", 30_000),
    ]


def test_grid_is_the_multiples_of_the_interval_inside_the_range() -> None:
    assert grid(T0 / 1000 - 30, T0 / 1000 + 150, E) == (T0, T0 + 2 * E)
    assert grid(T0 / 1000 + 1, T0 / 1000 + 59, E) is None


def test_thresholds_share_a_query_and_each_gets_its_own_episodes() -> None:
    source = FakeSource([values(0.01, 0.07, 0.07, 0.2, 0.2, 0.2, 0.01)])
    candidates = [rule("x > 0.05", for_s=60), rule("x > 0.1", for_s=60), rule("x > 0.5")]
    low, high, none = evaluate(candidates, source, T0 / 1000, T0 / 1000 + 6 * 60)
    assert source.calls == [("x", T0, T0 + 6 * E, E)]
    assert [(e.active_at, e.fired_at, e.resolved_at) for e in low.episodes] == [
        (T0 / 1000 + 60, T0 / 1000 + 120, T0 / 1000 + 360)
    ]
    assert [(e.active_at, e.fired_at, e.resolved_at) for e in high.episodes] == [
        (T0 / 1000 + 180, T0 / 1000 + 240, T0 / 1000 + 360)
    ]
    assert none.episodes == ()
    assert low.query == high.query == "x"
    assert low.comparison == Comparison("x", ">", 0.05)


def test_an_expression_that_is_not_a_threshold_is_queried_as_written() -> None:
    source = FakeSource([values(1, 1, 0, 0, labels={"__name__": "up", "job": "api"})])
    [result] = evaluate([rule("up == 1 unless on() absent(x)")], source, T0 / 1000, T0 / 1000 + 180)
    assert [c[0] for c in source.calls] == ["up == 1 unless on() absent(x)"]
    # The fake returns every point: the query's own filter is Prometheus's job.
    [episode] = result.episodes
    assert (episode.fired_at, episode.resolved_at) == (T0 / 1000, None)
    assert episode.label_dict == {"alertname": "A", "job": "api"}


def test_range_ends_pinned_by_at_modifiers_are_queried_one_step_at_a_time() -> None:
    source = FakeSource([values(1, 1, 1)])
    evaluate([rule("x @ end() > 0")], source, T0 / 1000, T0 / 1000 + 120)
    assert [(c[1], c[2]) for c in source.calls] == [(T0 + i * E, T0 + i * E) for i in range(3)]


def test_an_empty_grid_queries_nothing() -> None:
    source = FakeSource([values(1)])
    [result] = evaluate([rule("x > 0")], source, T0 / 1000 + 1, T0 / 1000 + 2)
    assert source.calls == [] and result.episodes == () and result.first_eval is None


def test_an_expression_that_does_not_parse_names_the_rule_and_line() -> None:
    with pytest.raises(RuleError, match=r"(?s)r\.yml, line 4.*alert A does not parse"):
        plan([rule("rate(x[5m] > 1", expr_line=4)])


def test_a_candidate_threshold_is_written_into_the_same_comparison() -> None:
    assert Comparison("rate(x[5m])", ">", 0.05).with_threshold(0.1) == "rate(x[5m]) > 0.1"
    left = split_comparison("2 <= x")
    assert left is not None and left.with_threshold(3) == "3.0 <= x"
    assert split_comparison(left.with_threshold(3)) == Comparison("x", "<=", 3.0, scalar_left=True)


def test_charts_and_tables_read_the_condition_from_the_vectors_side() -> None:
    """One split for the report's charts, the Locust tab and the offline evaluator."""
    assert split_condition("rate(x[5m]) > 0.05") == ("rate(x[5m])", ">", 0.05)
    assert split_condition("0.05 < rate(x[5m])") == ("rate(x[5m])", ">", 0.05)
    assert split_condition("(up == 0)") == ("up", "==", 0.0)
    assert split_condition("a > bool 1") == ("a > bool 1", None, None)
    assert split_condition("a and b") == ("a and b", None, None)
    assert split_condition("a >") == ("a >", None, None)  # does not parse: not split
