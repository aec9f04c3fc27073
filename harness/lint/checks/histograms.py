"""Histogram buckets used wrongly.

- quantile-without-le: histogram_quantile over buckets whose `le` was aggregated away.
- quantile-unaggregated: histogram_quantile straight over bucket rates: one quantile per
  series (per route, method, status...), not the service's.
- bucket-at-or-below: a `_bucket{le="1"}` rate counts observations at or below 1 s; a
  panel or alert about slow ones (> 1 s) needs `_count - _bucket{le="1"}`. Used with
  the total (`_count` or `_bucket{le="+Inf"}`) it is a share, and left alone.
"""

from __future__ import annotations

import re

import promql_parser as pp

from harness.lint.checks.templates import template_labels
from harness.lint.labels import infer, metric_name
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

WITHOUT_LE = "quantile-without-le"
UNAGGREGATED = "quantile-unaggregated"
AT_OR_BELOW = "bucket-at-or-below"
_SLOW_WORDS = re.compile(r"slow|>|\bover\b|\babove\b|exceed|longer than|more than", re.I)
_PER_TARGET = frozenset({"le", "job", "instance"})


def check(query: Query, options: LintOptions) -> list[Finding]:
    found: list[Finding] = []
    for node in nodes(query.node):
        if isinstance(node, pp.Call) and node.func.name == "histogram_quantile":
            found += _quantile(query, node, options)
    found += _at_or_below(query)
    return found


def _quantile(query: Query, node: pp.Call, options: LintOptions) -> list[Finding]:
    buckets = node.args[1]
    labels = infer(buckets, options.catalogue)
    if labels is not None and labels.absent("le"):
        return [query.finding(
            WITHOUT_LE,
            "histogram_quantile needs the `le` label of each bucket, and the aggregation "
            f"drops it: `{buckets.prettify()}`. The result is empty (or NaN).",
            "Keep `le` in the aggregation: `sum by (le) (rate(x_bucket[5m]))`, or "
            "`sum by (job, le) (...)` for one quantile per job.",
        )]
    if _aggregated(buckets):
        return []
    pinned = {str(m.name) for n in nodes(buckets) if isinstance(n, pp.VectorSelector)
              for m in n.matchers.matchers if str(m.op) == "MatchOp.Equal"}
    per_series = sorted((labels.present if labels else frozenset()) - _PER_TARGET - pinned)
    if not per_series or set(per_series) <= _named_in_templates(query):
        # No label of its own is known (an unknown metric, or none in the catalogue):
        # one quantile per target may well be what the author wants; so is one per
        # operation when the alert's text names it ("{{ $labels.operation_type }} p99").
        return []
    split = f" ({', '.join(per_series)})"
    quantile = node.args[0].prettify()
    return [query.finding(
        UNAGGREGATED,
        "histogram_quantile over unaggregated bucket rates computes one quantile per "
        f"series{split}: a rarely used, slow series dominates (or never reaches) the "
        "threshold, and none of them is the service's quantile.",
        "Sum the bucket rates by `le` first: "
        f"`histogram_quantile({quantile}, sum by (le) ({buckets.prettify()}))` (add labels "
        "to the `by` for one quantile per job, route...).",
    )]


def _named_in_templates(query: Query) -> set[str]:
    if query.rule is None:
        return set()
    texts = [*query.rule.annotations.values(), *query.rule.labels.values()]
    return {label for text in texts for label in template_labels(text)}


def _aggregated(node: pp.Expr) -> bool:
    return any(isinstance(n, pp.AggregateExpr) for n in nodes(node))


def _at_or_below(query: Query) -> list[Finding]:
    if not _SLOW_WORDS.search(query.claim):
        return []
    in_quantile: set[str] = set()
    counted: set[str] = set()
    for n in nodes(query.node):
        if isinstance(n, pp.Call) and n.func.name == "histogram_quantile":
            in_quantile |= {str(s) for s in nodes(n) if isinstance(s, pp.VectorSelector)}
        elif isinstance(n, pp.VectorSelector) and (metric_name(n) or "").endswith("_count"):
            counted.add((metric_name(n) or "").removesuffix("_count"))
        elif isinstance(n, pp.VectorSelector) and _le(n) == ["+Inf"]:  # the total, too
            counted.add((metric_name(n) or "").removesuffix("_bucket"))
    found = []
    for n in nodes(query.node):
        if not isinstance(n, pp.VectorSelector) or str(n) in in_quantile:
            continue
        name = metric_name(n) or ""
        base = name.removesuffix("_bucket")
        le = _le(n)
        if base == name or not le or base in counted:
            continue
        found.append(query.finding(
            AT_OR_BELOW,
            f'`{name}{{le="{le[0]}"}}` counts observations at or below {le[0]} s (buckets '
            f"are cumulative), but {query.subject} claims to show slow ones: it shows the "
            "fast ones.",
            f"Subtract from the total: `sum(rate({base}_count[5m])) - "
            f'sum(rate({base}_bucket{{le="{le[0]}"}}[5m]))`.',
        ))
    return found


def _le(selector: pp.VectorSelector) -> list[str]:
    return [str(m.value) for m in selector.matchers.matchers
            if m.name == "le" and str(m.op) == "MatchOp.Equal"]
