"""Is each objective of an SLO file met over a stretch of load? Asked twice, of two sources.

- Prometheus: PromQL over exactly that stretch (``increase(...[D])`` at its end), from
  the SLO file's indicator selectors.
- Locust: the client's own count of requests, failures and response times.

An objective holds only if both sources say so. Latency from a histogram is only known
to bucket precision: p95 <= 180 ms is proven when 95% of requests fall in a bucket at
or below 180 ms, disproven when fewer than 95% fall at or below the first bound above
it, and otherwise estimated by histogram_quantile's interpolation, which the message
says. Locust's failures are every non-2xx answer or broken connection, a stricter
count than the 5xx the error indicator selects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.durations import format_seconds
from harness.load.stats import LoadStats
from harness.observe.prometheus import PrometheusClient
from harness.queries.units import fmt
from harness.slo.burnrate import pct
from harness.slo.model import SloFile


@dataclass(frozen=True)
class Measured:
    source: str  # "Prometheus" | "Locust"
    value: float | None  # in the objective's unit (s, ratio)
    holds: bool
    detail: str  # how it was measured, for the message

    def text(self, unit: str) -> str:
        shown = "no data" if self.value is None else fmt(self.value, unit)
        return f"{self.source} {shown} ({self.detail}): {'holds' if self.holds else 'VIOLATED'}"


@dataclass(frozen=True)
class ObjectiveResult:
    name: str  # "latency", "error_ratio", "availability"
    statement: str  # "p95 latency <= 180ms"
    unit: str
    prometheus: Measured
    locust: Measured

    @property
    def holds(self) -> bool:
        return self.prometheus.holds and self.locust.holds

    @property
    def message(self) -> str:
        verdict = "holds" if self.holds else "VIOLATED"
        return (
            f"SLO {self.statement}: {verdict}\n  {self.prometheus.text(self.unit)}\n"
            f"  {self.locust.text(self.unit)}"
        )


def check_slo(
    slo: SloFile, prom: PrometheusClient, start: float, end: float, stats: LoadStats
) -> list[ObjectiveResult]:
    """Every objective over [start, end] (epoch seconds; ``stats`` covers the same load)."""
    window = format_seconds(max(end - start, 1.0))
    ind = slo.indicators
    requests = _scalar(prom, f"sum(increase({ind.requests}[{window}]))", end)
    errors = _scalar(prom, f"sum(increase({ind.errors}[{window}])) or vector(0)", end)
    prom_ratio = (errors or 0.0) / requests if requests else None
    loc_ratio = stats.total.failure_ratio if stats.total.requests else None
    counted = f"{_n(errors)} of {_n(requests)} requests 5xx over {window}"
    loc_counted = f"{stats.total.failures} of {stats.total.requests} requests failed"
    err_max, target = slo.error_ratio.max, slo.availability.target
    return [
        _latency(slo, prom, window, end, stats),
        ObjectiveResult(
            "error_ratio",
            f"error ratio <= {pct(err_max)}",
            "ratio",
            Measured("Prometheus", prom_ratio, _le(prom_ratio, err_max), counted),
            Measured("Locust", loc_ratio, _le(loc_ratio, err_max), loc_counted),
        ),
        ObjectiveResult(
            "availability",
            f"availability >= {pct(target)}",
            "ratio",
            _availability("Prometheus", prom_ratio, target, counted),
            _availability("Locust", loc_ratio, target, loc_counted),
        ),
    ]


def _latency(
    slo: SloFile, prom: PrometheusClient, window: str, end: float, stats: LoadStats
) -> ObjectiveResult:
    lat = slo.latency
    q, thr = lat.quantile, lat.threshold_s
    buckets = f"sum by (le) (increase({slo.indicators.latency_buckets}[{window}]))"
    counts = {float(s.labels["le"]): s.value for s in prom.query(buckets, end)}
    estimate = _scalar(prom, f"histogram_quantile({q:g}, {buckets})", end)
    statement = f"p{q * 100:g} latency <= {lat.threshold}"
    total = counts.get(math.inf, 0.0)
    if not total:
        prom_m = Measured("Prometheus", None, False, "no request observed")
    else:
        prom_m = _bucket_verdict(counts, total, q, thr, estimate)
    loc = stats.total.percentile(q)
    loc_s = loc / 1000 if loc is not None else None
    loc_m = Measured(
        "Locust",
        loc_s,
        _le(loc_s, thr),
        f"p{q * 100:g} of {stats.total.requests} response times, client side",
    )
    return ObjectiveResult("latency", statement, "s", prom_m, loc_m)


def _bucket_verdict(
    counts: dict[float, float], total: float, q: float, thr: float, estimate: float | None
) -> Measured:
    bounds = sorted(counts)
    below = max((b for b in bounds if b <= thr), default=None)
    above = min((b for b in bounds if b >= thr), default=math.inf)
    share_below = counts[below] / total if below is not None else 0.0
    share_above = counts[above] / total if above in counts else 1.0
    est = f"histogram_quantile {fmt(estimate, 's')}" if estimate is not None else "no estimate"
    if below is not None and share_below >= q:
        return Measured(
            "Prometheus",
            estimate,
            True,
            f"{pct(round(share_below, 4))} of requests <= {fmt(below, 's')}: proven; {est}",
        )
    if share_above < q:
        return Measured(
            "Prometheus",
            estimate,
            False,
            f"only {pct(round(share_above, 4))} of requests <= {fmt(above, 's')}: proven; {est}",
        )
    lo = fmt(below, "s") if below is not None else "0"
    return Measured(
        "Prometheus",
        estimate,
        _le(estimate, thr),
        f"between buckets {lo} and {fmt(above, 's')}: {est}, interpolated",
    )


def _availability(source: str, ratio: float | None, target: float, detail: str) -> Measured:
    value = None if ratio is None else 1.0 - ratio
    holds = value is not None and value >= target
    return Measured(source, value, holds, detail)


def _le(value: float | None, limit: float) -> bool:
    return value is not None and math.isfinite(value) and value <= limit


def _scalar(prom: PrometheusClient, expr: str, at: float) -> float | None:
    found = [s.value for s in prom.query(expr, at) if math.isfinite(s.value)]
    return found[0] if found else None


def _n(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"
