"""What each alert's expression did over the run, for charts: value against threshold.

The rule's expression is split at its top-level comparison with a number
(``<value expr> > 0.05``): the left side is queried over the run at step S, the number
is the threshold. Expressions without such a comparison (``a unless b``) are charted
as they are, without a threshold line.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.observe.prometheus import PrometheusClient
from harness.rules.condition import split_condition
from harness.rules.model import AlertRule

log = logging.getLogger(__name__)

MAX_SERIES = 12  # per alert: charts stay readable; the rest is summarised


@dataclass
class AlertSeries:
    alert: str
    expr: str  # what was queried (the value side of the condition)
    op: str | None = None
    threshold: float | None = None
    series: list[dict[str, Any]] = field(default_factory=list)  # {labels, points[[t, v]]}
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fetch_series(
    prom: PrometheusClient, rule: AlertRule, start: float, end: float, step: float
) -> AlertSeries:
    value_expr, op, threshold = split_condition(rule.expr)
    result = AlertSeries(rule.name, value_expr, op, threshold)
    try:
        data = prom.query_range(value_expr, start, end, max(step, (end - start) / 1000))
    except HarnessError as exc:
        result.error = str(exc)
        log.debug("series for %s unavailable: %s", rule.name, exc)
        return result
    for labels, points in data[:MAX_SERIES]:
        labels.pop("__name__", None)
        # NaN (e.g. a quantile over no requests) and infinities are gaps in a chart.
        finite = [[t, v] for t, v in points if math.isfinite(v)]
        result.series.append({"labels": labels, "points": finite})
    return result


@dataclass(frozen=True)
class Approach:
    """How close an alert's value came to its threshold while it was not meant to fire."""

    at: float  # epoch seconds
    value: float
    op: str
    threshold: float

    def describe(self, reference: float) -> str:
        """``peaked at 0.036 at 12.3 s (fires at > 0.05; 72% of it)``."""
        high = self.op in (">", ">=")
        share = (
            f"; {self.value / self.threshold:.0%} of it"
            if high and self.threshold > 0 and self.value >= 0
            else ""
        )
        word = "peaked" if high else "bottomed out"
        return (
            f"{word} at {self.value:.4g} at {self.at - reference:.1f} s "
            f"(fires at {self.op} {self.threshold:g}{share})"
        )


def closest_approach(
    series: AlertSeries, labels: Mapping[str, str], start: float, end: float
) -> Approach | None:
    """The charted point nearest to crossing the threshold within [start, end].

    Only series whose labels agree with ``labels`` on the keys they carry count (rule
    labels such as ``severity`` are not on the value's series). None when the expression
    has no plain threshold or nothing was charted in the interval.
    """
    if series.op is None or series.threshold is None or series.op in ("==", "!="):
        return None
    high = series.op in (">", ">=")
    best: Approach | None = None
    for s in series.series:
        own = s.get("labels", {})
        if any(k in own and own[k] != v for k, v in labels.items()):
            continue
        for t, v in s.get("points", []):
            if not start <= t <= end:
                continue
            if best is None or (v > best.value if high else v < best.value):
                best = Approach(t, v, series.op, series.threshold)
    return best
