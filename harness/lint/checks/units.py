"""rate-threshold-units: `rate(failed[15m]) > 5` where the words say "failure rate".

rate() is per second. An alert named or summarised as an error/failure rate, a ratio
or a percentage, whose expression compares a bare rate() (no division by a total) with
a constant, compares events per second with what its author meant as a share or as a
count per window. Only flagged when the words say so: a heuristic, kept precise.
"""

from __future__ import annotations

import re

import promql_parser as pp

from harness.durations import format_duration, timedelta_ms
from harness.lint.labels import is_comparison, op_name, unparen
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

CHECK = "rate-threshold-units"
_PER_SECOND = frozenset({"rate", "irate"})
_PASS = frozenset({"sum", "max", "min", "avg"})
_SHARE_WORDS = re.compile(
    r"\b(failure|error|success|drop|loss)\s+rate\b|\bratio\b|percent|%|\bshare\b", re.I)


def check(query: Query, options: LintOptions) -> list[Finding]:
    if query.kind != "alert" or not _SHARE_WORDS.search(query.claim):
        return []
    found = []
    for node in nodes(query.node):
        if not isinstance(node, pp.BinaryExpr) or not is_comparison(node) or (
                node.modifier is not None and node.modifier.return_bool):
            continue
        for side, other in ((node.lhs, node.rhs), (node.rhs, node.lhs)):
            other = unparen(other)
            call = _per_second(side)
            if call is None or not isinstance(other, pp.NumberLiteral) or other.val <= 0:
                continue
            window = _window_s(call)
            per_window = f"{other.val * window:,.0f}" if window else "?"
            found.append(query.finding(
                CHECK,
                f"`{node.prettify()}` compares a per-second rate with {other.val:g}: more "
                f"than {other.val:g} events every second, {per_window} in the "
                f"{format_duration(window)} window. The alert's words speak of a rate in the "
                "sense of a share (failure rate, ratio, %), which this never measures: "
                "it misses a handler failing every time at low volume.",
                "For a share, divide by the total: `sum(rate(x{status=\"failed\"}[15m])) / "
                "sum(rate(x[15m])) > 0.1`; for a count per window, use "
                "`increase(x[15m]) > N`.",
            ))
    return found


def _per_second(node: pp.Expr) -> pp.Call | None:
    node = unparen(node)
    while isinstance(node, pp.AggregateExpr) and op_name(node) in _PASS:
        node = unparen(node.expr)
    if isinstance(node, pp.Call) and node.func.name in _PER_SECOND:
        return node
    return None


def _window_s(call: pp.Call) -> float:
    arg = call.args[0]
    if isinstance(arg, pp.MatrixSelector) and arg.range is not None:
        return timedelta_ms(arg.range) / 1000
    return 0.0
