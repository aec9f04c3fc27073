"""Scaling one PromQL expression through the AST, and the promql_parser facts it relies on."""

from __future__ import annotations

from datetime import timedelta

import promql_parser as pp
import pytest

from harness.rules import promql
from harness.rules.rewrite import scale_expression

# Expressions covering what a printer can get wrong: escapes, subquery without step,
# @, offsets (negative too), bool, vector matching, aggregation forms, literals.
CORPUS = [
    'rate(http_requests_total{status_code=~"5.."}[5m]) / rate(http_requests_total[5m]) > 0.05',
    'x{a="b\\"c",b=~"\\\\d+",c!~"a|b",d!="\\n"} > 1',
    "max_over_time(rate(x[5m] offset 1m)[1h:1m] offset 10m)",
    "x[5m:] offset 1m",
    "(x offset 1m)[5m:]",
    "x @ 1609746000.123 offset -5m",
    "rate(x[5m] @ end()) > bool 1",
    "x[5m:1m] @ start()",
    "sum by (le) (rate(x_bucket[500ms]))",
    "a * on (b) group_left (c) d",
    "a + ignoring (b) group_right () c",
    'count_values("le", x) or topk(5, x) unless quantile(0.9, y)',
    "x > Inf or x < -Inf or x != NaN or x > 1.5e-7 or x > 0x10",
    'label_replace(x, "a", "$1", "b", "(.*)")',
    '{__name__=~"x.*",a="b"}[90s]',
    "holt_winters(x[1h], 0.5, 0.5)",
    "-(x offset 1d2h)",
    "time() - x > 600",
]


@pytest.mark.parametrize("expr", CORPUS)
def test_k1_is_semantically_identical(expr: str) -> None:
    scaled = scale_expression(expr, 1)
    assert promql.parse(scaled.text).prettify() == promql.parse(expr).prettify()
    assert scaled.notes == []


@pytest.mark.parametrize(
    ("expr", "factor", "expected"),
    [
        ("rate(x[5m]) > 1", 60, "rate(x[5s]) > 1"),
        ("rate(x[5m] offset 1m) > 1", 60, "rate(x[5s] offset 1s) > 1"),
        ("x offset 10m", 60, "x offset 10s"),
        ("x offset -5m", 60, "x offset -5s"),
        ("max_over_time(rate(x[5m])[1h:1m] offset 5m)", 60,
         "max_over_time(rate(x[5s])[1m:1s] offset 5s)"),
        ("x[5m:]", 60, "x[5s:]"),  # stays a subquery (str() would print x{}[5s])
        ("(x offset 1m)[5m:]", 10, "(x offset 6s)[30s:]"),
        ('rate(x{a="b\\"c"}[1h] @ end())', 60, 'rate(x{a="b\\"c"}[1m] @ end())'),
        ("x @ 100 offset 1h", 3600, "x @ 100.000 offset 1s"),
        ("rate(x[30s])", 60, "rate(x[500ms])"),
        ("rate(x[1h30m])", 60, "rate(x[1m30s])"),
        ("sum by (le) (rate(x_bucket[5m]))", 2.5, "sum by (le) (rate(x_bucket[2m]))"),
    ],
)
def test_scaled_durations(expr: str, factor: float, expected: str) -> None:
    scaled = scale_expression(expr, factor)
    assert scaled.text == expected
    assert promql.parse(scaled.text).prettify() == expected


def test_windows_reported_before_and_after() -> None:
    scaled = scale_expression("max_over_time(rate(x[5m])[1h:1m])", 60)
    assert [(w.kind, w.before_ms, w.after_ms) for w in scaled.windows] == [
        ("range", 300_000, 5000), ("subquery", 3_600_000, 60_000)]


def test_fractional_and_sub_millisecond_durations_round_with_a_note() -> None:
    scaled = scale_expression("rate(x[5m] offset 1m)", 7)
    assert scaled.text == "rate(x[42s857ms] offset 8s571ms)"
    assert any("42857.143ms, rounded to 42s857ms" in n for n in scaled.notes)
    tiny = scale_expression("rate(x[30ms])", 60)
    assert tiny.text == "rate(x[1ms])"
    assert "0.500ms, rounded to 1ms" in tiny.notes[0]


@pytest.mark.parametrize("factor", [0, -1, float("inf"), float("nan")])
def test_factor_must_be_positive(factor: float) -> None:
    with pytest.raises(ValueError):
        scale_expression("rate(x[5m])", factor)


def test_prometheus_242_function_holt_winters_is_known() -> None:
    assert scale_expression("holt_winters(x[1h], 0.5, 0.5)", 60).text == (
        "holt_winters(x[1m], 0.5, 0.5)")


# Facts about promql_parser 0.12 the rewrite is built around; if one changes, revisit
# harness/rules/rewrite.py (its module docstring explains each).
def test_library_prettify_ignores_attributes_set_from_python() -> None:
    node = pp.parse("x[5m]")
    assert isinstance(node, pp.MatrixSelector)
    node.range = timedelta(seconds=5)
    assert node.prettify() == "x[5m]"
    assert str(node) == "x{}[5s]"


@pytest.mark.parametrize(
    ("expr", "lossy_str"),
    [("x[500ms]", "x{}[0s]"), ("x[5m:]", "x{}[5m]"), ('x{a="b\\"c"}', 'x{a="b"c"}')],
)
def test_library_str_is_lossy_and_prettify_is_not(expr: str, lossy_str: str) -> None:
    node = pp.parse(expr)
    assert str(node) == lossy_str
    assert node.prettify() == expr


def test_library_transform_splices_returned_nodes_children_first() -> None:
    seen: list[str] = []

    def visit(node: pp.Expr) -> pp.Expr | None:
        if isinstance(node, pp.MatrixSelector):
            return pp.parse("y[1s]")
        if isinstance(node, pp.SubqueryExpr):
            seen.append(node.expr.prettify())
        return None

    out = pp.transform(pp.parse("max_over_time(rate(x[5m])[1h:])"), post_visit=visit)
    assert out.prettify() == "max_over_time(rate(y[1s])[1h:])"
    assert seen == ["rate(y[1s])"]


def test_empty_by_is_no_grouping() -> None:
    """samber/awesome-prometheus-alerts dist/rules/cilium/embedded-exporter.yml
    (a8533189af0246de5e21a6d8d25bd37816894f07), CiliumClusterHighIdentityAllocation:
    prettify() prints `sum(x) by ()` as `sum(x)`, the same expression."""
    expr = '(sum(cilium_identity{type="cluster_local"}) by () / (2^16-256)) > 0.8'
    assert scale_expression(expr, 60).text == (
        '(sum(cilium_identity{type="cluster_local"}) / (2 ^ 16 - 256)) > 0.8')


@pytest.mark.parametrize(
    ("expr", "scaled"),
    [
        ("rate(x[5m]) > 1", "(rate(x[5s]) / 60) > 1"),
        (
            "sum(irate(x[2m])) / sum(rate(y[5m]))",
            "sum((irate(x[2s]) / 60)) / sum((rate(y[5s]) / 60))",
        ),
        ("deriv(g[10m]) > 0", "(deriv(g[10s]) / 60) > 0"),
        ("increase(x[1h]) > 3", "increase(x[1m]) > 3"),  # a count: the same in a scaled window
    ],
)
def test_per_second_functions_divided_for_replayed_data(expr: str, scaled: str) -> None:
    """promtool's series replayed 60 times faster: rate() reads 60 times more per second
    (govuk's router suite fired on `QPS > 1` live where promtool did not)."""
    assert scale_expression(expr, 60, per_second=True).text == scaled
    assert "/ 60" not in scale_expression(expr, 60).text  # a live run's rates are real
