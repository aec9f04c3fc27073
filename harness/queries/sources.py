"""Ground truths: what a panel should show, from sources other than Prometheus.

Each function takes the run's ``Evidence`` and a ``Request`` (the phase, the query's
scaled window, the table's parameters) and returns a ``Truth``; ``TRUTHS`` names them
for checks.yaml. Sources, most independent first: Locust (requests, failures,
latencies as the client saw them), the faults the harness injected and the seed it
loaded, the database, and the target's own counters read straight from its /metrics
pages (``MetricsSampler``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from harness.load.stats import LoadStats
from harness.queries.judge import Key, Truth
from harness.queries.truth import (
    Counts,
    Evidence,
    Request,
    count_between,
    quantile_of,
    rank_band,
    windowed_pairs,
    windowed_rate,
)

_BIRTHS = "rate() and increase() cannot count the value a series is born with"

TruthFn = Callable[[Evidence, Request], Truth]
TRUTHS: dict[str, TruthFn] = {}


def truth(name: str) -> Callable[[TruthFn], TruthFn]:
    def register(fn: TruthFn) -> TruthFn:
        TRUTHS[name] = fn
        return fn

    return register


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


def _band_note(band: tuple[float, float], per_window: float, window: float) -> str:
    return (
        f"p{band[0] * 100:.1f}-p{band[1] * 100:.1f} (two standard errors of a quantile's "
        f"rank over the ~{per_window:.0f} observations of one {window:g} s window)"
    )


@truth("locust_quantile")
def locust_quantile(ev: Evidence, req: Request) -> Truth:
    phi, metric = quantile_of(req.expr)
    total = _stats(ev, req).total
    value = total.percentile(phi)
    if value is None:
        raise ValueError("Locust recorded no response times in this phase")
    a, b = req.span
    per_window = count_between(total.per_second, a, b) * req.window_s / req.seconds
    band = rank_band(phi, per_window)
    low, high = total.percentile(band[0]), total.percentile(band[1])
    return Truth.scalar(
        value / 1000,
        source=f"Locust p{phi * 100:g} over the phase",
        unit="s",
        buckets=ev.buckets.get(metric, ()),
        band=((low or value) / 1000, (high or value) / 1000),
        band_note=_band_note(band, per_window, req.window_s),
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
    total = per_le[math.inf]

    def upper(fraction: float) -> float:
        return next(le for le in sorted(per_le) if per_le[le] >= fraction * total)

    per_window = total * req.window_s / req.seconds
    band = rank_band(phi, per_window)
    return Truth.scalar(
        upper(phi),
        source=f"p{phi * 100:g} of the target's own histogram",
        unit="s",
        buckets=tuple(sorted(le for le in per_le if math.isfinite(le))),
        in_bucket=True,
        band=(upper(band[0]), upper(band[1])),
        band_note=_band_note(band, per_window, req.window_s),
    )


# -- the harness's own setup ------------------------------------------------------------------
@truth("injected")
def injected(ev: Evidence, req: Request) -> Truth:
    dims, values, source = ev.injected[req.params["key"]]
    return Truth(dict(values), dims, source, req.params.get("unit", "count"))


@truth("seed_students")
def seed_students(ev: Evidence, req: Request) -> Truth:
    return Truth.scalar(float(ev.seed_students), source="dbinit's seed plan", unit="count")
