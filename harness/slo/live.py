"""The SLO checked live: one stack, a degraded stretch, then baseline load.

``degraded`` comes first and is short: errors and added latency well past the
objectives, to prove the check reports a violation when there is one (a check that
cannot fail proves nothing). It also creates the 5xx series, so the baseline's own
count is not missing the value a series is born with. ``baseline`` is the healthy
traffic the objectives are judged on. Each stretch is its own Locust run, and each is
checked over exactly the seconds its requests span.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.load import FaultClient, LocustConfig, LocustRun
from harness.load.stats import LoadStats
from harness.observe.prometheus import PrometheusClient
from harness.prepare import prepare
from harness.slo.check import ObjectiveResult, check_slo
from harness.slo.model import SloFile
from harness.stack import open_stack


# Shaped like queries' LivePlan (frozen defaults), a different concept: the SLO check's phases.
@dataclass(frozen=True)
class SloPlan:
    time_scale: float = 60.0
    users: int = 20
    baseline_s: float = 60.0
    degraded_s: float = 15.0
    # Past every objective: 5% errors (> 0.3%, < 99.9% available), +0.6 s per request
    # (the whole p95 above the 0.5 s bucket, so even the buckets prove it).
    degraded_faults: Mapping[str, Any] = field(
        default_factory=lambda: {
            "errors": {"ratio": 0.05},
            "latency": {"ratio": 1.0, "seconds": 0.6},
        }
    )


@dataclass(frozen=True)
class Stretch:
    name: str
    start: float
    end: float
    stats: LoadStats
    results: list[ObjectiveResult]


def run_slo_checks(slo: SloFile, plan: SloPlan, out_dir: Path) -> dict[str, Stretch]:
    prepared = prepare(rules=(), alertmanager_config=None, time_scale=plan.time_scale)
    spec = prepared.for_scenario("slo")
    out: dict[str, Stretch] = {}
    with open_stack(spec) as stack:
        ep = stack.endpoints
        stack.wait_scraped()
        with (
            closing(PrometheusClient(ep.prometheus, timeout=30.0)) as prom,
            FaultClient(ep.api, spec.fault_token) as faults,
        ):
            for name, seconds, state in (
                ("degraded", plan.degraded_s, dict(plan.degraded_faults)),
                ("baseline", plan.baseline_s, {}),
            ):
                faults.reset()
                if state:
                    faults.set(state)
                config = LocustConfig(
                    host=ep.api,
                    users=plan.users,
                    spawn_rate=plan.users,
                    run_time=seconds,
                    fault_token=spec.fault_token,
                    html_report=False,
                )
                with LocustRun(config, out_dir / name) as run:
                    stats = run.wait().stats
                faults.reset()
                start, end = _span(stats)
                time.sleep(2 * spec.intervals.scrape + 0.2)  # the last requests scraped
                out[name] = Stretch(
                    name, start, end, stats, check_slo(slo, prom, start, end, stats)
                )
    return out


def _span(stats: LoadStats) -> tuple[float, float]:
    """From the first second with a request to the end of the last one."""
    seconds = [s for s, n in stats.total.per_second.items() if n]
    if not seconds:
        raise HarnessError("Locust made no request; see its log")
    return float(min(seconds)), float(max(seconds) + 1)


def summary(stretches: Mapping[str, Stretch]) -> str:
    lines = []
    for s in stretches.values():
        lines.append(f"{s.name}: {math.ceil(s.end - s.start)} s, {s.stats.total.requests} requests")
        lines += ["  " + r.message.replace("\n", "\n  ") for r in s.results]
    return "\n".join(lines)
