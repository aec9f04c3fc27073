"""What ground truths are computed from (``Evidence``, ``Request``) and how: counts per
second, windows as a panel averages them, the rank band of a quantile.

The truths themselves are in ``sources``.

Windows: a panel judged over a phase is the mean, over the query's evaluation instants
t, of ``rate(x[W])`` at t. Rate and ratio truths are computed the same way, from the
events in [t - W, t] of each instant, so the two differ only where the query counts
something else (or Prometheus cannot see it: a series' birth value, said in the note).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import promql_parser as pp

from harness.load.stats import LoadStats
from harness.queries.judge import Key
from harness.queries.sampler import MetricsSampler
from harness.rules import promql


@dataclass(frozen=True)
class PhaseRecord:
    """One phase of the live run: when it ran, and what Locust measured in it."""

    name: str
    started: float  # epoch seconds: load and faults on
    ended: float
    eval_start: float  # panels of this phase are evaluated over [eval_start, eval_end]
    eval_end: float
    faults: Mapping[str, Any] = field(default_factory=dict)
    stats: LoadStats | None = None


@dataclass
class Evidence:
    """Everything the live run recorded that ground truths are computed from."""

    phases: dict[str, PhaseRecord]
    sampler: MetricsSampler
    run_start: float
    seed_students: int
    buckets: dict[str, tuple[float, ...]] = field(default_factory=dict)  # histogram -> le
    # Values the harness set up itself: name -> (key -> value), with the dims and source.
    injected: dict[str, tuple[tuple[str, ...], dict[Key, float], str]] = field(default_factory=dict)

    def all_stats(self) -> list[LoadStats]:
        return [p.stats for p in self.phases.values() if p.stats is not None]


@dataclass(frozen=True)
class Request:
    phase: PhaseRecord
    window_s: float  # the query's longest range window, scaled (0 for a gauge)
    expr: str
    params: Mapping[str, Any]
    step: float = 1.0  # between the query's evaluation instants

    @property
    def span(self) -> tuple[float, float]:
        return self.phase.eval_start - self.window_s, self.phase.eval_end

    @property
    def seconds(self) -> float:
        a, b = self.span
        return b - a

    @property
    def instants(self) -> list[float]:
        """The query's evaluation instants, as query_range takes them."""
        start, end = self.phase.eval_start, self.phase.eval_end
        n = math.floor((end - start) / self.step + 1e-9) + 1
        return [start + i * self.step for i in range(max(n, 1))]


Counts = Callable[[float, float], Mapping[Key, float]]


def windowed_rate(req: Request, counts: Counts) -> dict[Key, float]:
    """Per key, the mean over the query's instants t of events in [t - W, t] / W: what a
    panel averaging ``rate(x[W])`` over the phase shows if it counts right."""
    if req.window_s <= 0:
        raise ValueError("a rate truth needs the query to have a range window")
    total: dict[Key, float] = {}
    times = req.instants
    for t in times:
        for key, n in counts(t - req.window_s, t).items():
            total[key] = total.get(key, 0.0) + n / req.window_s
    return {k: v / len(times) for k, v in total.items()}


def windowed_pairs(
    req: Request, num: Counts, den: Counts
) -> list[tuple[Mapping[Key, float], Mapping[Key, float]]]:
    """(numerator, denominator) counts in [t - W, t] for each instant t, for ratio truths."""
    if req.window_s <= 0:
        raise ValueError("a ratio truth needs the query to have a range window")
    return [(num(t - req.window_s, t), den(t - req.window_s, t)) for t in req.instants]


def count_between(per_second: Mapping[int, int], start: float, end: float) -> float:
    """Events in [start, end] from counts per whole epoch second, prorating the edges."""
    total = 0.0
    for sec in range(math.floor(start), math.ceil(end)):
        overlap = min(end, sec + 1) - max(start, sec)
        if overlap > 0:
            total += per_second.get(sec, 0) * overlap
    return total


def rank_band(phi: float, per_window: float, z: float = 2.0) -> tuple[float, float]:
    """phi -/+ z standard errors of a quantile's rank estimated from ``per_window``
    observations (binomial: sqrt(phi (1 - phi) / n)): how far one window's estimate of the
    p95 may stray in rank from the phase's."""
    delta = z * math.sqrt(phi * (1 - phi) / max(per_window, 1.0))
    return max(phi - delta, 0.0), min(phi + delta, 1.0)


def quantile_of(expr: str) -> tuple[float, str]:
    """(phi, bucket metric) of the histogram_quantile in ``expr``."""
    for node in promql.nodes(promql.parse(expr)):
        if isinstance(node, pp.Call) and node.func.name == "histogram_quantile":
            phi_node = node.args[0]
            phi = phi_node.val if isinstance(phi_node, pp.NumberLiteral) else math.nan
            names = [n.name for n in promql.nodes(node.args[1]) if isinstance(n, pp.VectorSelector)]
            if math.isfinite(phi) and names:
                return float(phi), str(names[0])
    raise ValueError(f"no histogram_quantile(<number>, ...) in {expr!r}")
