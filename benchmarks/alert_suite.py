"""The alert suite's wall time against its theoretical minimum, and per-alert precision.

    .venv/bin/python -m benchmarks alert_suite

Runs every `alerts` scenario on the project's corrected rules at the default time scale,
one fresh stack each, and reports:
- wall time of the suite vs the sum of the scenarios' theoretical minimums
  (``harness.engine.minimum``: the windows TIMING.md makes unavoidable, divided by k);
  stack start-up and Prometheus's first scrape are reported as overhead;
- per alert, the observed firing time minus the earliest possible (the window's early
  edge), next to one evaluation plus one scrape interval (the issue's aim).
"""

from __future__ import annotations

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
from harness.engine.suite import prepare_run, run_suite, select
from harness.errors import HarnessError
from harness.options import RunOptions
from harness.paths import SCENARIOS_DIR
from harness.scenarios.loader import load_scenarios

NAME = "alert_suite"


def run(out_dir: Path) -> dict[str, Any]:
    options = replace(RunOptions(), marks=("alerts",), report_dir=Path(tempfile.mkdtemp()))
    try:
        prepared = prepare_run(options)
    except HarnessError as exc:
        raise Skipped(str(exc)) from None
    scenarios = select(load_scenarios([SCENARIOS_DIR]), prepared, options)
    rules = {r.name: r for r in prepared.rules}
    spec = prepared.stack_spec
    minimum = {
        s.id: minimum_seconds(
            s, make_plans(s, rules, spec.intervals, spec.alertmanager_yaml), prepared.time_scale
        )
        for s in scenarios
    }
    suite = run_suite(scenarios, options, prepared=prepared)
    wall = suite.ended - suite.started
    per_scenario = []
    precision = []
    for result in suite.results:
        took = result.ended - result.started
        per_scenario.append(
            {"scenario": result.scenario_id, "passed": result.passed, "seconds": took,
             "minimum": minimum[result.scenario_id]}
        )
        for v in result.verdicts:
            w = v.verdict.window
            if v.check == "fires" and v.verdict.observed is not None and w is not None:
                rule = rules[v.alert]
                e = rule.group_interval_s or spec.intervals.evaluation
                precision.append(
                    {"alert": v.alert, "scenario": result.scenario_id,
                     "observed": v.verdict.observed, "earliest": w.start,
                     "after_earliest": v.verdict.observed - w.start,
                     "aim": e + spec.intervals.scrape}
                )
    scenarios_time = sum(p["seconds"] for p in per_scenario)
    total_min = sum(minimum.values())
    worst = max((p["after_earliest"] - p["aim"] for p in precision), default=0.0)
    within = sum(p["after_earliest"] <= p["aim"] for p in precision)
    return {
        "figures": {
            "suite wall s": round(wall, 1),
            "theoretical minimum s": round(total_min, 1),
            "wall / minimum": round(wall / total_min, 2) if total_min else None,
            "phases only / minimum": round(scenarios_time / total_min, 2) if total_min else None,
            "alerts within E+S of earliest": f"{within}/{len(precision)}",
            "worst excess over E+S s": round(worst, 2),
        },
        "time_scale": prepared.time_scale,
        "intervals": spec.intervals.__dict__,
        "scenarios": per_scenario,
        "firing_precision": precision,
        "passed": suite.passed,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(Path("benchmarks/results")), indent=2))
