"""Ground truths: what a panel should show, from sources other than Prometheus.

Each function takes the run's ``Evidence`` and a ``Request`` (the phase, the query's
scaled window, the table's parameters) and returns a ``Truth``. Sources, most
independent first: Locust (requests, failures, latencies as the client saw them),
the faults the harness injected and the seed it loaded, the database, and the
target's own counters read straight from its /metrics pages (``MetricsSampler``).

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
from harness.queries.judge import Key, Truth
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


TruthFn = Callable[[Evidence, Request], Truth]
TRUTHS: dict[str, TruthFn] = {}


def truth(name: str) -> Callable[[TruthFn], TruthFn]:
    def register(fn: TruthFn) -> TruthFn:
        TRUTHS[name] = fn
        return fn

    return register


def count_between(per_second: Mapping[int, int], start: float, end: float) -> float:
    """Events in [start, end] from counts per whole epoch second, prorating the edges."""
    total = 0.0
    for sec in range(math.floor(start), math.ceil(end)):
        overlap = min(end, sec + 1) - max(start, sec)
        if overlap > 0:
            total += per_second.get(sec, 0) * overlap
    return total


def _stats(ev: Evidence, req: Request) -> LoadStats:
    if req.phase.stats is None:
        raise ValueError(f"phase {req.phase.name!r} ran no load: no Locust ground truth")
    return req.phase.stats


# -- Locust ------------------------------------------------------------------------------
def _locust_counts(stats: LoadStats, failures: bool = False) -> Counts:
    def counts(a: float, b: float) -> dict[Key, float]:
        return {
            (e.name, e.method): count_between(
                e.failures_per_second if failures else e.per_second, a, b
            )
            for e in stats.endpoints
        }

    return counts


@truth("locust_rate")
def locust_rate(ev: Evidence, req: Request) -> Truth:
    values = windowed_rate(req, _locust_counts(_stats(ev, req)))
    return Truth(values, ("route", "method"), "Locust", "req/s")


def _error_births(ev: Evidence, req: Request) -> float:
    """5xx the API counted at the birth of a series, inside the phase's windows."""
    status = str(req.phase.faults.get("errors", {}).get("status", 500))
    a, b = req.span
    return ev.sampler.births("http_requests_total", a, b, {"status_code": status})


@truth("locust_error_ratio")
def locust_error_ratio(ev: Evidence, req: Request) -> Truth:
    stats = _stats(ev, req)
    pairs = windowed_pairs(req, _locust_counts(stats, failures=True), _locust_counts(stats))
    a, b = req.span
    requests = sum(count_between(e.per_second, a, b) for e in stats.endpoints)
    births = _error_births(ev, req)
    injected = req.phase.faults.get("errors", {}).get("ratio")
    note = f"{births:.0f} error(s) that created a 5xx series ({_BIRTHS})" if births else ""
    if injected:
        note = f"injected {injected:.1%} of requests as errors" + (f"; {note}" if note else "")
    return Truth(
        {},
        ("route", "method"),
        "Locust",
        "ratio",
        den={},
        note=note,
        instants=pairs,
        slack=births / requests if requests else 0.0,
    )


@truth("locust_failure_rate")
def locust_failure_rate(ev: Evidence, req: Request) -> Truth:
    """Failures per second, under the status code the errors fault answers with."""
    failures = _locust_counts(_stats(ev, req), failures=True)
    status = str(req.phase.faults.get("errors", {}).get("status", 500))
    rates = windowed_rate(req, lambda a, b: {(status,): sum(failures(a, b).values())})
    births = _error_births(ev, req)
    return Truth(
        rates,
        ("status_code",),
        f"Locust failures, all answered {status} by the errors fault",
        "req/s",
        slack=births / req.seconds,
        note=f"{births:.0f} error(s) that created a 5xx series ({_BIRTHS})" if births else "",
    )


@truth("locust_quantile")
def locust_quantile(ev: Evidence, req: Request) -> Truth:
    phi, metric = quantile_of(req.expr)
    value = _stats(ev, req).total.percentile(phi)
    if value is None:
        raise ValueError("Locust recorded no response times in this phase")
    return Truth.scalar(
        value / 1000,
        source=f"Locust p{phi * 100:g} over the phase",
        unit="s",
        buckets=ev.buckets.get(metric, ()),
    )


@truth("locust_in_flight")
def locust_in_flight(ev: Evidence, req: Request) -> Truth:
    """Little's law: requests in flight = throughput x mean response time."""
    stats = _stats(ev, req)
    a, b = req.span
    rate = sum(count_between(e.per_second, a, b) for e in stats.endpoints) / req.seconds
    mean_s = (stats.total.avg_ms or 0.0) / 1000
    return Truth.scalar(
        rate * mean_s,
        source=f"Little's law on Locust: {rate:.1f} req/s x "
        f"{mean_s * 1000:.0f} ms mean response time",
        unit="count",
    )


@truth("locust_successes")
def locust_successes(ev: Evidence, req: Request) -> Truth:
    """Successful requests to one endpoint over the whole run (``method``, ``name``)."""
    method, name = req.params["method"], req.params["name"]
    total = 0
    for stats in ev.all_stats():
        for e in stats.endpoints:
            if e.method == method and e.name == name:
                total += e.requests - e.failures
    births = ev.sampler.births(req.params["counter"], ev.run_start, req.phase.eval_end)
    return Truth.scalar(
        float(total),
        source=f"Locust: successful {method} {name} over the run",
        unit="count",
        slack=births,
        note=_BIRTHS,
    )


@truth("locust_events")
def locust_events(ev: Evidence, req: Request) -> Truth:
    """Events published per second: each successful write publishes one (``publishes``:
    endpoint name -> event type)."""
    stats, publishes = _stats(ev, req), req.params["publishes"]

    def counts(a: float, b: float) -> dict[Key, float]:
        out: dict[Key, float] = {}
        for e in stats.endpoints:
            event = publishes.get(e.name) if e.method == "POST" else None
            if event:
                ok = count_between(e.per_second, a, b) - count_between(e.failures_per_second, a, b)
                out[(event,)] = out.get((event,), 0.0) + ok
        return out

    return Truth(
        windowed_rate(req, counts),
        ("event_type",),
        "Locust: successful writes, one event each",
        "ops/s",
    )


# -- the target's own counters -------------------------------------------------------------
def _grouped(
    raw: Mapping[frozenset[tuple[str, str]], float], dims: tuple[str, ...]
) -> dict[Key, float]:
    out: dict[Key, float] = {}
    for labels, value in raw.items():
        have = dict(labels)
        key = tuple(have.get(d, "") for d in dims)
        out[key] = out.get(key, 0.0) + value
    return out


def _dims(req: Request) -> tuple[str, ...]:
    return tuple(req.params.get("dims", ()))


def _sampled(
    ev: Evidence, metric: str, match: Mapping[str, str] | None, dims: tuple[str, ...]
) -> Counts:
    return lambda a, b: _grouped(ev.sampler.delta(metric, a, b, match), dims)


@truth("counter_rate")
def counter_rate(ev: Evidence, req: Request) -> Truth:
    counts = _sampled(ev, req.params["metric"], req.params.get("match"), _dims(req))
    return Truth(windowed_rate(req, counts), _dims(req), "the target's own /metrics", "ops/s")


@truth("counter_ratio")
def counter_ratio(ev: Evidence, req: Request) -> Truth:
    metric, dims = req.params["metric"], _dims(req)
    pairs = windowed_pairs(
        req,
        _sampled(ev, metric, req.params["match_num"], dims),
        _sampled(ev, metric, req.params.get("match"), dims),
    )
    return Truth({}, dims, "the target's own /metrics", "ratio", den={}, instants=pairs)


@truth("counter_increase")
def counter_increase(ev: Evidence, req: Request) -> Truth:
    """Growth over the whole run, as a "today" panel's 24 h window (24 min at k=60) sees it."""
    metric, end = req.params["metric"], req.phase.eval_end
    raw = ev.sampler.delta(metric, ev.run_start, end, req.params.get("match"))
    births = ev.sampler.births(metric, ev.run_start, end, req.params.get("match"))
    return Truth(
        _grouped(raw, _dims(req)),
        _dims(req),
        "the target's own /metrics",
        "count",
        slack=births,
        note=_BIRTHS,
    )


@truth("histogram_above")
def histogram_above(ev: Evidence, req: Request) -> Truth:
    """Observations per second above ``le``: _count minus the le bucket, per group."""
    base, le, dims = req.params["metric"], req.params["le"], _dims(req)
    count = _sampled(ev, f"{base}_count", None, dims)
    below = _sampled(ev, f"{base}_bucket", {"le": le}, dims)

    def above(a: float, b: float) -> dict[Key, float]:
        under = below(a, b)
        return {k: v - under.get(k, 0.0) for k, v in count(a, b).items()}

    return Truth(
        windowed_rate(req, above),
        dims,
        f"the target's own histogram (observations > {le} s)",
        "ops/s",
    )


@truth("sampled_quantile")
def sampled_quantile(ev: Evidence, req: Request) -> Truth:
    """The bucket the true quantile lies in, from the target's own histogram counts."""
    phi, metric = quantile_of(req.expr)
    a, b = req.span
    per_le: dict[float, float] = {}
    for labels, v in ev.sampler.delta(metric, a, b).items():
        le = float(dict(labels)["le"])
        per_le[le] = per_le.get(le, 0.0) + v
    if not per_le or per_le.get(math.inf, 0.0) <= 0:
        raise ValueError(f"the target observed nothing in {metric} during the phase")
    rank = phi * per_le[math.inf]
    upper = next(le for le in sorted(per_le) if per_le[le] >= rank)
    bounds = tuple(sorted(le for le in per_le if math.isfinite(le)))
    return Truth.scalar(
        upper,
        source=f"p{phi * 100:g} of the target's own histogram",
        unit="s",
        buckets=bounds,
        in_bucket=True,
    )


# -- the harness's own setup ------------------------------------------------------------------
@truth("injected")
def injected(ev: Evidence, req: Request) -> Truth:
    dims, values, source = ev.injected[req.params["key"]]
    return Truth(dict(values), dims, source, req.params.get("unit", "count"))


@truth("seed_students")
def seed_students(ev: Evidence, req: Request) -> Truth:
    return Truth.scalar(float(ev.seed_students), source="dbinit's seed plan", unit="count")


_BIRTHS = "rate() and increase() cannot count the value a series is born with"


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
