"""high-cardinality: results that carry tenant, user, request or class ids unasked.

The spec's own best practice: "Limit high-cardinality labels". A query whose result
keeps such a label that it never names (no `by (tenant_id)`) draws one line, or
raises one alert, per tenant x route x ... : aggregate it away, or ask for it by name.
"""

from __future__ import annotations

from harness.lint.labels import explicit_labels, infer
from harness.lint.model import Finding, LintOptions, Query

CHECK = "high-cardinality"


def check(query: Query, options: LintOptions) -> list[Finding]:
    labels = infer(query.node, options.catalogue)
    if labels is None:
        return []
    carried = sorted((labels.present & options.catalogue.high_cardinality)
                     - explicit_labels(query.node))
    if not carried:
        return []
    what = "alert instance" if query.kind == "alert" else "series"
    others = sorted(labels.present - set(carried) - options.catalogue.target_labels)
    keep = f"sum by ({', '.join(others)}) (...)" if others else "sum(...)"
    return [query.finding(
        CHECK,
        f"The result keeps {', '.join(carried)} without asking for it: one {what} per "
        f"{' x '.join(carried + others) or 'series'}, which grows with every "
        "tenant/user/class (the spec: limit high-cardinality labels).",
        f"Aggregate it away (`{keep}`), or name it on purpose "
        f"(`sum by ({carried[0]}) (...)`, `topk(10, ...)`) where that breakdown is the point.",
    )]
