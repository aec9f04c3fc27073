"""Alert rules' own fields.

- for-missing: no `for:` on an expression that moves with every evaluation (rates,
  ratios, quantiles over windows under an hour): one evaluation over the threshold
  pages, the next resolves (flapping). An explicit `for: 0m` is a decision; event
  counts (`increase(x[5m]) > 0`) hold for their window and are left alone.
- annotation-missing: no summary, description or runbook_url ("Link alerts to
  runbooks": the spec's alerting strategy).
"""

from __future__ import annotations

import promql_parser as pp

from harness.durations import format_duration, timedelta_ms
from harness.lint.labels import infer, op_name, unparen
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

FOR_MISSING = "for-missing"
ANNOTATION_MISSING = "annotation-missing"
REQUIRED_ANNOTATIONS = ("summary", "description", "runbook_url")
_VOLATILE = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv",
                       "histogram_quantile", "predict_linear"})
_EVENT_COUNTS = frozenset({"increase", "changes", "resets"})
_NOTHING_IN_WINDOW = frozenset({"rate", "increase", "changes", "resets"})  # `== 0`: none
_PASS = frozenset({"sum", "max", "min", "count", "quantile"})
SMOOTH_WINDOW_S = 3600.0  # windows this long change slowly: no `for:` needed


def check(query: Query, options: LintOptions) -> list[Finding]:
    if query.rule is None:
        return []
    return _for(query, options) + _annotations(query)


def _for(query: Query, options: LintOptions) -> list[Finding]:
    assert query.rule is not None
    if query.rule.for_s > 0 or query.for_written:
        return []  # `for: 0m` written out is a decision, not an omission
    events = _event_counts(query.node)
    what = sorted({n.func.name for n in nodes(query.node) if isinstance(n, pp.Call)
                   and n.func.name in _VOLATILE and n.prettify() not in events})
    if any(_vector_ratio(n, options) for n in nodes(query.node)):
        what.append("a ratio")
    windows = [timedelta_ms(n.range) / 1000 for n in nodes(query.node)
               if isinstance(n, pp.MatrixSelector) and n.range is not None]
    if not what or not windows or min(windows) >= SMOOTH_WINDOW_S:
        return []
    interval = query.rule.group_interval_s
    every = f"every {format_duration(interval)}" if interval else "at every evaluation"
    return [query.finding(
        FOR_MISSING,
        f"No `for:`, and the expression ({', '.join(what)} over "
        f"{format_duration(min(windows))}) moves {every}: a single evaluation over the "
        "threshold pages at once and the next one resolves, so a noisy signal flaps.",
        "Add `for:` of a few evaluation intervals (e.g. `for: 5m`), or lengthen the window; "
        "keep_firing_for can also damp resolves.",
        at_rule=True,
    )]


def _event_counts(node: pp.Expr) -> set[str]:
    """Event counts compared with `> N` (`increase(x[5m]) > 0`): one event holds the
    count up for the whole window, so it does not flap, and a `for:` as long as the
    window would keep a single event from ever firing. `rate(x[15m]) == 0` (nothing in
    the window) holds for the whole window too. Printed calls, to compare."""
    found: set[str] = set()
    for n in nodes(node):
        if not isinstance(n, pp.BinaryExpr) or op_name(n) not in (">", ">=", "!=", "=="):
            continue
        side, other = unparen(n.lhs), unparen(n.rhs)
        while isinstance(side, pp.AggregateExpr) and op_name(side) in _PASS:
            side = unparen(side.expr)
        if not isinstance(side, pp.Call):
            continue
        nothing = (op_name(n) == "==" and isinstance(other, pp.NumberLiteral)
                   and other.val == 0 and side.func.name in _NOTHING_IN_WINDOW)
        if nothing or (op_name(n) != "==" and side.func.name in _EVENT_COUNTS):
            found.add(side.prettify())
    return found


def _vector_ratio(node: pp.Expr, options: LintOptions) -> bool:
    return (isinstance(node, pp.BinaryExpr) and op_name(node) == "/"
            and infer(node.lhs, options.catalogue) is not None
            and infer(node.rhs, options.catalogue) is not None)


def _annotations(query: Query) -> list[Finding]:
    assert query.rule is not None
    missing = [a for a in REQUIRED_ANNOTATIONS if not query.rule.annotations.get(a, "").strip()]
    if not missing:
        return []
    return [query.finding(
        ANNOTATION_MISSING,
        f"Missing annotation{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. The "
        "person paged sees only what the annotations say; the spec's alerting strategy "
        "asks for runbooks linked from every alert.",
        "Add " + ", ".join(f"`{a}:`" for a in missing) + " under `annotations:`"
        + (" (runbook_url: the page that says what to do)." if "runbook_url" in missing
           else "."),
        at_rule=True,
    )]
