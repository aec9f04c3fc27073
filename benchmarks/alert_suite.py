"""The alert suite's wall time against its theoretical minimum, and per-alert precision.

    .venv/bin/python -m benchmarks alert_suite

Runs every `alerts` scenario on the project's corrected rules at the default time scale,
one fresh stack each, and reports:
- wall time of the suite vs the sum of the scenarios' theoretical minimums
  (``harness.engine.minimum``: the windows docs/TIMING.md makes unavoidable, divided by k);
  stack start-up and Prometheus's first scrape are reported as overhead;
- per alert, the observed firing time minus the earliest possible: the instant the
  rule's condition first held in Prometheus's own data (the expression against its
  threshold, queried at step S after the run) plus F* = ceil(for/E)*E, next to one
  evaluation plus one scrape interval (the issue's aim). The window's early edge is
  kept too: for a rate condition the condition itself lags the fault by up to W.
"""

from __future__ import annotations

import operator
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

try:
    from benchmarks import Skipped
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import Skipped

from harness.engine.minimum import minimum_seconds
from harness.engine.plans import make_plans
from harness.engine.result import ScenarioResult
from harness.engine.suite import Suite
from harness.errors import HarnessError
from harness.options import RunOptions
from harness.paths import SCENARIOS_DIR
from harness.prepare import PreparedRun
from harness.scenarios.loader import load_scenarios
from harness.scenarios.model import Scenario
from harness.verdicts.windows import ceil_to

NAME = "alert_suite"


def run(out_dir: Path) -> dict[str, Any]:
    options = replace(RunOptions(), marks=("alerts",), report_dir=Path(tempfile.mkdtemp()))
    try:
        suite = Suite.open(options)
    except HarnessError as exc:
        raise Skipped(str(exc)) from None
    scenarios = suite.choose(load_scenarios([SCENARIOS_DIR]))
    minimum = _minimums(scenarios, suite.prepared)
    suite.run_all(scenarios)
    result = suite.finish()
    per_scenario = [
        {"scenario": r.scenario_id, "passed": r.passed, "seconds": r.ended - r.started,
         "minimum": minimum[r.scenario_id]}
        for r in result.results
    ]
    precision = [p for r in result.results for p in _precision(r, suite.prepared)]
    return {
        "figures": _figures(result.ended - result.started, per_scenario, precision),
        "time_scale": suite.prepared.time_scale,
        "intervals": suite.prepared.intervals.__dict__,
        "scenarios": per_scenario,
        "firing_precision": precision,
        "passed": result.passed,
    }


def _minimums(scenarios: list[Scenario], prepared: PreparedRun) -> dict[str, float]:
    """Each scenario's theoretical minimum (``harness.engine.minimum``)."""
    rules = {r.name: r for r in prepared.rules}
    spec = prepared.stack_spec
    return {
        s.id: minimum_seconds(
            s, make_plans(s, rules, spec.intervals, prepared.routes), prepared.time_scale
        )
        for s in scenarios
    }


def _precision(result: ScenarioResult, prepared: PreparedRun) -> list[dict[str, Any]]:
    """Per `fires` verdict: observed firing time against the earliest possible."""
    intervals = prepared.intervals
    phase_start = {p.name: p.start for p in result.phases}
    series = {x["alert"]: x for x in result.series}
    out: list[dict[str, Any]] = []
    for v in result.verdicts:
        w = v.verdict.window
        if v.check != "fires" or v.verdict.observed is None or w is None:
            continue
        rule = prepared.rule(v.alert)
        e = rule.group_interval_s or intervals.evaluation
        t0 = phase_start[_phase_of(v.verdict.reference)]
        became_true = _condition_true_at(series.get(v.alert), t0)
        earliest = (
            ceil_to(rule.for_s, e) + (became_true - t0) if became_true is not None else None
        )
        out.append(
            {"alert": v.alert, "scenario": result.scenario_id,
             "observed": v.verdict.observed, "window_start": w.start,
             "condition_true": None if became_true is None else became_true - t0,
             "earliest": earliest,
             "after_earliest": None if earliest is None else v.verdict.observed - earliest,
             "aim": e + intervals.scrape, "fired_at": t0 + v.verdict.observed}
        )
    return out


def _figures(
    wall: float, per_scenario: list[dict[str, Any]], precision: list[dict[str, Any]]
) -> dict[str, Any]:
    scenarios_time = sum(p["seconds"] for p in per_scenario)
    total_min = sum(p["minimum"] for p in per_scenario)
    judged = [p for p in precision if p["after_earliest"] is not None]
    worst = max((p["after_earliest"] - p["aim"] for p in judged), default=0.0)
    within = sum(p["after_earliest"] <= p["aim"] for p in judged)
    return {
        "suite wall s": round(wall, 1),
        "theoretical minimum s": round(total_min, 1),
        "wall / minimum": round(wall / total_min, 2) if total_min else None,
        "phases only / minimum": round(scenarios_time / total_min, 2) if total_min else None,
        "alerts within E+S of earliest": f"{within}/{len(judged)}",
        "worst excess over E+S s": round(worst, 2),
    }


def _phase_of(reference: str) -> str:
    """``"'fault' started"`` -> ``fault``."""
    match = re.match(r"'([^']+)'", reference)
    return match.group(1) if match else reference


def _condition_true_at(entry: dict[str, Any] | None, t0: float) -> float | None:
    """First instant at or after ``t0`` where the rule's condition held in any series
    (value op threshold; an expression without a threshold holds where it has a value)."""
    if not entry or not entry.get("series"):
        return None
    op, threshold = entry.get("op"), entry.get("threshold")
    compare = _OPS.get(op) if op is not None else None
    times = [
        t
        for s in entry["series"]
        for t, v in s["points"]
        if t >= t0 and (compare is None or threshold is None or compare(v, threshold))
    ]
    return min(times) if times else None


_OPS = {
    ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


if __name__ == "__main__":
    import json

    print(json.dumps(run(Path("benchmarks/results")), indent=2))
