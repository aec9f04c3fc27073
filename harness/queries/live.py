"""One live run for every query check: the phases (``phases``) on one stack, then every
dashboard query evaluated over the phase its check names and judged against its truth.

Every query runs with its windows scaled, as ``query_range`` over its phase at the
scrape interval; a series' value is its mean (quantile panels: median) over that span.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

from harness.errors import HarnessError
from harness.load import FaultClient
from harness.observe.prometheus import PrometheusClient
from harness.prepare import prepare
from harness.queries.judge import QueryResult, Series, Verdict, judge
from harness.queries.sampler import MetricsSampler
from harness.queries.sources import TRUTHS
from harness.queries.table import PlannedQuery
from harness.queries.truth import Evidence, PhaseRecord, Request, quantile_of
from harness.queries.units import panel_factor
from harness.queries.workload import SAMPLED, LivePlan, drive, injected_values
from harness.rules.rewrite import scale_expression
from harness.stack import open_stack
from harness.target.seed import SeedPlan


@dataclass
class LiveRun:
    evidence: Evidence
    results: dict[str, QueryResult]
    windows: dict[str, float]
    step: float  # seconds between evaluation instants (the scrape interval)
    notes: list[str] = field(default_factory=list)

    def verdict(self, pq: PlannedQuery) -> Verdict:
        check, panel = pq.check, pq.query.panel
        result = self.results[pq.test_id]
        truth = None
        why = check.no_truth_refs.get(pq.query.target.ref_id, check.why)
        if (
            check.truth != "none"
            and panel.expect_data
            and pq.query.target.ref_id not in check.no_truth_refs
        ):
            phase = self.evidence.phases[check.phase]
            req = Request(phase, self.windows[pq.test_id], pq.query.expr, check.params, self.step)
            try:
                truth = TRUTHS[check.truth](self.evidence, req)
            except (ValueError, KeyError) as exc:
                return Verdict(False, f"{pq.title}: no ground truth: {exc}")
        return judge(
            pq.title,
            result,
            truth,
            by=check.by,
            tolerance=check.tol(),
            expect_data=panel.expect_data,
            no_truth_reason=why,
        )


def run_live(
    planned: Sequence[PlannedQuery], plan: LivePlan, out_dir: Path, database: str = "sqlite"
) -> LiveRun:
    """Bring a stack up (on ``database``: sqlite or postgres), drive the phases, evaluate
    every query, take the stack down."""
    prepared = prepare(rules=(), alertmanager_config=None, time_scale=plan.time_scale)
    spec = replace(prepared.for_scenario("queries"), database=database)
    scrape = spec.intervals.scrape
    with (
        open_stack(spec) as stack,
        closing(PrometheusClient(stack.endpoints.prometheus, timeout=30.0)) as prom,
        FaultClient(stack.endpoints.api, spec.fault_token) as faults,
    ):
        ep = stack.endpoints
        stack.wait_scraped()
        metrics = {"api": ep.api + "/metrics", "worker": ep.worker_metrics}
        sampler = MetricsSampler(metrics, SAMPLED, interval=scrape).start()
        try:
            phases = drive(plan, stack, faults, sampler, out_dir, spec.fault_token)
        finally:
            faults.reset()
            sampler.stop()
        evidence = Evidence(phases, sampler, sampler.readings[0].t, _seed_students())
        by_tier = _interventions_by_tier(ep.database or f"sqlite:///{ep.run_dir / 'target.db'}")
        evidence.injected = injected_values(plan, by_tier)
        results, windows = {}, {}
        for pq in planned:
            phase = phases[pq.check.phase]
            windows[pq.test_id] = _window(pq.query.expr, plan.time_scale)
            results[pq.test_id] = _evaluate(prom, pq, phase, plan.time_scale, scrape)
        evidence.buckets = _buckets(prom, planned)
    run = LiveRun(evidence, results, windows, scrape)
    if sampler.errors:
        run.notes.append(f"{len(sampler.errors)} /metrics reads failed: {sampler.errors[:3]}")
    return run


def _window(expr: str, time_scale: float) -> float:
    ranges = [w.after_ms for w in scale_expression(expr, time_scale).windows if w.kind == "range"]
    return max(ranges, default=0) / 1000


def _evaluate(
    prom: PrometheusClient, pq: PlannedQuery, phase: PhaseRecord, k: float, step: float
) -> QueryResult:
    expr = scale_expression(pq.query.expr, k).text
    span = (phase.eval_start, phase.eval_end)
    try:
        matrix = prom.query_range(expr, span[0], span[1], step)
    except HarnessError as exc:
        return QueryResult(expr, error=str(exc), span=span)
    factor = panel_factor(pq.query.panel.unit)
    reduce = statistics.median if pq.check.reduce == "median" else statistics.fmean
    series = []
    for labels, points in matrix:
        values = [v for _, v in points if math.isfinite(v)]
        if values:
            series.append(Series(labels, factor * reduce(values)))
    return QueryResult(expr, tuple(series), span=span)


def _buckets(
    prom: PrometheusClient, planned: Sequence[PlannedQuery]
) -> dict[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {}
    for pq in planned:
        if "histogram_quantile" not in pq.query.expr:
            continue
        metric = quantile_of(pq.query.expr)[1]
        if metric not in out:
            les = {float(s.labels["le"]) for s in prom.query(f"count by (le) ({metric})")}
            out[metric] = tuple(sorted(le for le in les if math.isfinite(le)))
    return out


def _seed_students() -> int:
    plan = SeedPlan()
    return plan.tenants * plan.schools_per_tenant * plan.students_per_school


def _interventions_by_tier(url: str) -> dict[str, int]:
    """Active interventions per tier, counted in the database (the system of record):
    the stack's SQLite file or PostgreSQL (``Endpoints.database``)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT tier, COUNT(*) FROM interventions WHERE status = 'active' GROUP BY tier"
                )
            )
            return {str(tier): int(n) for tier, n in rows}
    finally:
        engine.dispose()
