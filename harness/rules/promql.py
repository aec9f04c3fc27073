"""PromQL through promql_parser: parse, walk, and what an expression's durations mean.

promql_parser 0.12 follows Prometheus 2.45; the project runs Prometheus 2.42. The one
2.42 function it does not know, ``holt_winters``, is registered here. Its parser also
rejects backslashes inside `raw` (backtick) strings, which Prometheus accepts: the
error says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import promql_parser as pp

from harness.durations import timedelta_ms

Node = pp.Expr

COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
# Functions whose result is a count of events in the window, not a per-second rate.
COUNTING = frozenset({"increase", "count_over_time", "sum_over_time", "changes", "resets"})
# Functions that read the wall clock or a sample's timestamp, in seconds.
CLOCK = frozenset({"time", "timestamp"})
_PASSTHROUGH_AGGREGATIONS = frozenset({"sum", "min", "max", "avg", "topk", "bottomk"})


def _register_prometheus_242_functions() -> None:
    function = pp.Function(
        "holt_winters",
        [pp.ValueType.Matrix, pp.ValueType.Scalar, pp.ValueType.Scalar],
        pp.ValueType.Vector,
    )
    try:
        pp.parse("holt_winters(x[1m], 0.5, 0.5)")
    except ValueError:
        pp.register_extra_functions([function])


_register_prometheus_242_functions()


class PromQLError(ValueError):
    """An expression promql_parser cannot parse or print faithfully."""


def parse(expr: str) -> Node:
    try:
        return pp.parse(expr)
    except ValueError as exc:
        hint = ""
        if "`" in expr and "escape" in str(exc):
            hint = (
                " (promql_parser does not accept backslashes in `raw` strings;"
                ' write the string in double quotes with doubled backslashes: "\\\\d+")'
            )
        raise PromQLError(f"{exc}{hint}") from None
    except BaseException as exc:  # pyo3 PanicException derives from BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise PromQLError(f"the PromQL parser failed on this expression: {exc}") from None


def children(node: Node) -> list[Node]:
    """Direct sub-expressions of a node, in source order."""
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [node.param, node.expr] if isinstance(node.param, pp.Expr) else [node.expr]
    if isinstance(node, pp.Call):
        return [arg for arg in node.args if isinstance(arg, pp.Expr)]
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def nodes(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first."""
    yield node
    for child in children(node):
        yield from nodes(child)


def lookback_s(node: Node) -> float:
    """Longest look into the past along any path: range windows, subquery ranges and
    positive offsets add up when nested (``max_over_time(rate(x[5m])[1h:])`` -> 3900 s).
    For an expression without nesting or offsets this is its longest range window."""
    own = 0.0
    if isinstance(node, pp.MatrixSelector | pp.SubqueryExpr) and node.range is not None:
        own += timedelta_ms(node.range) / 1000
    if isinstance(node, pp.VectorSelector | pp.SubqueryExpr) and node.offset is not None:
        own += max(0.0, timedelta_ms(node.offset) / 1000)
    return own + max((lookback_s(child) for child in children(node)), default=0.0)


def uses_range(node: Node) -> bool:
    """True if a range function (rate, increase, *_over_time, ...) reads a window."""
    return any(isinstance(n, pp.MatrixSelector | pp.SubqueryExpr) for n in nodes(node))


def _calls(node: Node, names: frozenset[str]) -> bool:
    return any(isinstance(n, pp.Call) and n.func.name in names for n in nodes(node))


def _is_literal(node: Node) -> bool:
    """A constant: numbers joined by arithmetic, parentheses, unary minus."""
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        return _is_literal(node.expr)
    if isinstance(node, pp.BinaryExpr) and str(node.op) not in COMPARISONS:
        return _is_literal(node.lhs) and _is_literal(node.rhs)
    return False


def _counting_call(node: Node) -> str | None:
    """The counting function at the top of a side (through sum()/parentheses), if any."""
    while True:
        if isinstance(node, pp.ParenExpr | pp.AggregateExpr) and (
            isinstance(node, pp.ParenExpr) or str(node.op) in _PASSTHROUGH_AGGREGATIONS
        ):
            node = node.expr
        else:
            break
    if isinstance(node, pp.Call) and node.func.name in COUNTING:
        return node.func.name
    return None


@dataclass(frozen=True)
class Threshold:
    """A comparison against a constant whose meaning a time scale changes."""

    kind: str  # "clock": time()/timestamp() against seconds; "count": events per window
    function: str
    comparison: str  # the comparison, printed


def scale_sensitive_thresholds(node: Node) -> list[Threshold]:
    """Comparisons a duration rewrite cannot scale: ``time() - x > 600`` compares seconds
    written as a number; ``increase(x[1h]) > 100`` counts events in a window k times shorter."""
    found: list[Threshold] = []
    for n in nodes(node):
        if not isinstance(n, pp.BinaryExpr) or str(n.op) not in COMPARISONS:
            continue
        for side, other in ((n.lhs, n.rhs), (n.rhs, n.lhs)):
            if not _is_literal(other):
                continue
            if _calls(side, CLOCK):
                name = next(
                    c.func.name
                    for c in nodes(side)
                    if isinstance(c, pp.Call) and c.func.name in CLOCK
                )
                found.append(Threshold("clock", name, n.prettify()))
            elif (counting := _counting_call(side)) is not None:
                found.append(Threshold("count", counting, n.prettify()))
    return found


def transform(node: Node, post_visit: Callable[[Node], Node | None]) -> Node:
    return pp.transform(node, post_visit=post_visit)
