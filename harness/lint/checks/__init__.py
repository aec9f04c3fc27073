"""The lint's checks, one module per family. Every check id is listed here once."""

from __future__ import annotations

from collections.abc import Callable

from harness.lint.checks import (
    alerts,
    cardinality,
    histograms,
    matching,
    ratio,
    templates,
    units,
    windows,
)
from harness.lint.model import Finding, LintOptions, Query

QueryCheck = Callable[[Query, LintOptions], list[Finding]]

# Checks on any PromQL query: rules (alerting and recording) and dashboard panels.
QUERY_CHECKS: tuple[QueryCheck, ...] = (
    matching.check, ratio.check, histograms.check, windows.check, cardinality.check,
)
# Checks that need an alerting rule's fields (for, annotations, labels).
ALERT_CHECKS: tuple[QueryCheck, ...] = (units.check, alerts.check, templates.check)

# Profiles: `correctness` (default) reports what is wrong whoever wrote the rule;
# `policy` adds the project's own conventions (runbooks, annotations).
PROFILES = ("correctness", "policy")
POLICY_CHECKS = frozenset({"annotation-missing"})

CHECKS: dict[str, str] = {
    "vector-matching": "binary operation between vectors whose labels can never match",
    "ratio-unaggregated": "ratio of unaggregated rates: each series divided by itself",
    "quantile-without-le": "histogram_quantile over buckets aggregated without `le`",
    "quantile-unaggregated": "histogram_quantile over unaggregated buckets: per-series quantiles",
    "bucket-at-or-below": "a `le` bucket (observations <= le) used to count slow ones",
    "range-window-short": "range window shorter than 4 scrape intervals",
    "high-cardinality": "result keeps tenant/user/request/class ids it never asks for",
    "rate-threshold-units": "per-second rate() compared with a threshold the words call a share",
    "for-missing": "alert without `for:` on an expression that flaps",
    "annotation-missing": "(policy) alert without summary, description or runbook_url",
    "template-label-dropped": "template uses a label the expression's result does not have",
    "template-value-pinned": "`$value` is a constant (left side of `and`/`unless` is `== c`)",
    "query-parse": "a dashboard query promql_parser cannot parse",
    "promtool-check-rules": "`promtool check rules` rejects the file",
    "promtool-duplicate-rules": "`promtool check rules` warns of duplicate rules",
    "am-route-shadowed": "route never reached: an earlier sibling without `continue` takes it",
    "am-template-group-field": "notification template reads per-alert fields on the group",
    "am-template-render": "notification template fails to render (`amtool template render`)",
    "am-send-resolved": "integration whose send_resolved defaults to false, not set",
    "am-deprecated-match": "`match`/`match_re`/`source_match`/`target_match` (deprecated)",
    "amtool-check-config": "`amtool check-config` rejects the rendered configuration",
}
