"""rate-threshold-units: `rate(failed[15m]) > 5` where the words say "failure rate".

rate() is per second. An alert named or summarised as an error/failure rate, a ratio
or a percentage, whose expression compares a bare rate() (no division by a total) with
a constant, compares events per second with what its author meant as a share or as a
count per window. Only flagged when the words say so (template text such as `printf
"%.2f"` is not words; "error rate" only of a rate that picks failed outcomes by a
status-like label out of a metric counting them all, as "error rate" is also said of
errors per second), when nothing in the expression divides or takes a quantile (a
rate beside a share or a latency is a traffic floor), and when the rate is not of
seconds (`rate(x_seconds_total)` is a fraction of time, 0..1 per core): a heuristic,
kept precise.
"""

from __future__ import annotations

import re

import promql_parser as pp

from harness.durations import format_duration, timedelta_ms
from harness.lint.labels import is_comparison, metric_name, op_name, unparen
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

CHECK = "rate-threshold-units"
_PER_SECOND = frozenset({"rate", "irate"})
_PASS = frozenset({"sum", "max", "min", "avg"})
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_SECONDS = re.compile(r"_seconds(_total|_sum)?$")
# "percentile" is no share, nor is `%20` in a dashboard URL.
_SHARE_WORDS = re.compile(
    r"\bratio\b|percent(?!ile)|%(?![0-9A-Fa-f]{2})|\bshare\b|\bfraction\b", re.I)
# "error rate" is also said of errors per second: a share only when the selector picks
# the failed outcomes out of a metric that counts them all (the total is right there).
_RATE_WORDS = re.compile(r"\b(failure|error|success)\s+rate\b", re.I)
_OUTCOME_LABELS = frozenset({"status", "status_code", "code", "result", "outcome", "state"})


def check(query: Query, options: LintOptions) -> list[Finding]:
    words = _TEMPLATE.sub(" ", query.claim)  # `printf "%.2f"` is no claim about a share
    share = _SHARE_WORDS.search(words) is not None
    if query.kind != "alert" or not (share or _RATE_WORDS.search(words)) or _divides(
            query.node):
        return []  # a share is computed somewhere: a rate beside it is a traffic floor
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
            if _time_counter(call):
                continue  # rate of seconds spent: already a fraction of time (0..1 per core)
            if not share and not _picks_outcome(call):
                continue  # "error rate" of an error counter: errors per second, as written
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


def _divides(node: pp.Expr) -> bool:
    """A share or a quantile is computed: a rate beside it is a traffic floor."""
    return any((isinstance(n, pp.BinaryExpr) and op_name(n) == "/"
                and not isinstance(unparen(n.rhs), pp.NumberLiteral))
               or (isinstance(n, pp.Call) and n.func.name == "histogram_quantile")
               for n in nodes(node))


def _picks_outcome(call: pp.Call) -> bool:
    arg = call.args[0]
    selector = arg.vector_selector if isinstance(arg, pp.MatrixSelector) else None
    if not isinstance(selector, pp.VectorSelector):
        return False
    return any(str(m.name) in _OUTCOME_LABELS and str(m.op) in ("MatchOp.Equal", "MatchOp.Re")
               for m in selector.matchers.matchers)


def _time_counter(call: pp.Call) -> bool:
    arg = call.args[0]
    selector = arg.vector_selector if isinstance(arg, pp.MatrixSelector) else None
    name = metric_name(selector) if isinstance(selector, pp.VectorSelector) else None
    return bool(name and _SECONDS.search(name))


def _window_s(call: pp.Call) -> float:
    arg = call.args[0]
    if isinstance(arg, pp.MatrixSelector) and arg.range is not None:
        return timedelta_ms(arg.range) / 1000
    return 0.0
