"""ratio-unaggregated: `rate(x{status="5xx"}) / rate(x)` without aggregation.

`/` pairs each numerator series with the denominator series of identical labels. If
every label that narrows the numerator (`status_code=~"5.."`) survives into the match,
each numerator series is divided by itself: the ratio is 1 wherever it exists.
"""

from __future__ import annotations

import promql_parser as pp

from harness.lint.labels import infer, metric_name, op_name, unparen
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

CHECK = "ratio-unaggregated"


def check(query: Query, options: LintOptions) -> list[Finding]:
    found = []
    for node in nodes(query.node):
        if not (isinstance(node, pp.BinaryExpr) and op_name(node) == "/"):
            continue
        top, bottom = _selector(node.lhs), _selector(node.rhs)
        if top is None or bottom is None or metric_name(top) != metric_name(bottom):
            continue
        if _shape(node.lhs) != _shape(node.rhs):
            continue  # `sum(up{..}) / count(up)`: two measures of one set, not a share of it
        narrowing = _matchers(top) - _matchers(bottom)
        if not narrowing:
            continue
        labels = {name for name, _, _ in narrowing}
        lhs, rhs = infer(node.lhs, options.catalogue), infer(node.rhs, options.catalogue)
        if lhs is None or rhs is None:
            continue
        matching = node.modifier.matching if node.modifier is not None else None
        if matching is not None:
            on = str(matching.type).endswith("Include")
            labels = {x for x in labels if (x in matching.labels) == on}
        # The denominator selects a superset of the same series: it has the label unless
        # its aggregation drops it.
        kept = {x for x in labels if x in lhs.present and not rhs.absent(x)}
        if len(kept) < len({name for name, _, _ in narrowing}):
            continue  # some narrowing label is aggregated away: a real ratio
        what = ", ".join(f'{n}{op}"{v}"' for n, op, v in sorted(narrowing))
        found.append(query.finding(
            CHECK,
            f"The ratio divides each series by the one with the same labels, and the "
            f"labels that select the numerator ({what}) are kept on both sides: every "
            "numerator series is divided by itself, so the ratio is 1 (100%) wherever "
            "there is a single matching event and absent elsewhere.",
            f"Aggregate both sides before dividing, dropping {', '.join(sorted(kept))}: "
            f"`sum by (job) ({node.lhs.prettify()}) / sum by (job) ({node.rhs.prettify()})`.",
        ))
    return found


def _shape(node: pp.Expr) -> list[str]:
    """The functions and aggregations a side applies, in order (`["sum", "rate"]`)."""
    return [n.func.name if isinstance(n, pp.Call) else op_name(n) for n in nodes(unparen(node))
            if isinstance(n, pp.Call | pp.AggregateExpr)]


def _selector(node: pp.Expr) -> pp.VectorSelector | None:
    """The one vector selector of a side, if the side has exactly one."""
    found = [n for n in nodes(unparen(node)) if isinstance(n, pp.VectorSelector)]
    return found[0] if len(found) == 1 else None


def _matchers(node: pp.VectorSelector) -> set[tuple[str, str, str]]:
    ops = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~",
           "MatchOp.NotRe": "!~"}
    return {(str(m.name), ops.get(str(m.op), str(m.op)), str(m.value))
            for m in node.matchers.matchers if m.name != "__name__"}
