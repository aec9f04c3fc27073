"""Evaluate a candidate grid of one alert over a report run's recorded scenarios.

``load_run`` pairs each recording of ``reports/<run>`` with its scenario (from the
run's report.json) and keeps those that expect something of the alert; ``tune``
opens each recording once (a throwaway Prometheus on a copy), evaluates every
candidate there (thresholds share one range query) and scores them (``measure``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import InputError
from harness.offline.evaluate import Evaluation
from harness.offline.recording import Recording, find_recordings, load_recording, open_recording
from harness.rules.model import AlertRule
from harness.scenarios.loader import load_scenario
from harness.scenarios.model import Scenario
from harness.tune.candidates import Candidate, production_rule, scaled_rule
from harness.tune.measure import (
    Check,
    evaluate_candidates,
    expectations,
    score,
    vector_values,
)


@dataclass(frozen=True)
class Recorded:
    recording: Recording
    scenario: Scenario


@dataclass
class TuneResult:
    alert: str
    run_dir: Path
    time_scale: float
    written: AlertRule  # production time
    candidates: list[Candidate]
    scenarios: list[str]
    checks: list[list[Check]]  # per candidate: every scenario's checks, in scenario order
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Production minutes from each scenario's first phase: its phases (name, start, end),
    # and per candidate its firing bands (start, end) in each scenario.
    phases: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)
    firing: list[dict[str, list[tuple[float, float]]]] = field(default_factory=list)

    def meets_all(self, index: int) -> bool:
        return all(c.ok for c in self.checks[index])

    def to_dict(self) -> dict[str, object]:
        return {
            "alert": self.alert,
            "run": str(self.run_dir),
            "time_scale": self.time_scale,
            "scenarios": self.scenarios,
            "seconds": self.seconds,
            "notes": self.notes,
            "candidates": [
                {**c.to_dict(), "meets_all": self.meets_all(i),
                 "checks": [x.to_dict() for x in self.checks[i]]}
                for i, c in enumerate(self.candidates)
            ],
        }


def _scenario_sources(run_dir: Path) -> dict[str, str]:
    path = run_dir / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        return {s["id"]: s["source"] for s in report["scenarios"] if s.get("source")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{run_dir} is not a finished report run ({path}: {exc})") from None


def load_run(run_dir: Path, alert: str) -> list[Recorded]:
    """The run's recorded scenarios that expect something of ``alert``."""
    if not run_dir.is_dir():
        raise InputError(f"--from {run_dir}: no such report folder")
    sources = _scenario_sources(run_dir)
    folders = find_recordings(run_dir)
    if not folders:
        raise InputError(f"--from {run_dir}: no recorded scenario (scenarios/*/recording/)")
    recordings = [load_recording(folder) for folder in folders]
    names = {r.name for r in recordings[0].rules()}
    if alert not in names:
        raise InputError(
            f"Alert {alert!r} is not in the rules of the run {run_dir}; "
            f"they have: {', '.join(sorted(names))}"
        )
    found: list[Recorded] = []
    for recording in recordings:
        source = sources.get(recording.scenario)
        if source is None:
            continue
        scenario = next(
            (s for s in load_scenario(source) if s.id == recording.scenario), None
        )
        if scenario is not None and expectations(scenario, alert):
            found.append(Recorded(recording, scenario))
    if not found:
        raise InputError(f"--from {run_dir}: no recorded scenario expects anything of {alert}")
    return found


def written_rule(recorded: Sequence[Recorded], alert: str) -> tuple[AlertRule, float]:
    """The rule as written (production time) and the time scale of the run."""
    first = recorded[0].recording
    return production_rule(first.rule(alert), first.time_scale), first.time_scale


def tune(
    run_dir: Path, alert: str, candidates: Sequence[Candidate], recorded: Sequence[Recorded]
) -> TuneResult:
    started = time.monotonic()
    written, k = written_rule(recorded, alert)
    checks: list[list[Check]] = [[] for _ in candidates]
    phases: dict[str, list[tuple[str, float, float]]] = {}
    firing: list[dict[str, list[tuple[float, float]]]] = [{} for _ in candidates]
    for item in recorded:
        rec = item.recording
        run = rec.rule(alert)
        rules = [scaled_rule(c, run, rec.time_scale) for c in candidates]
        with open_recording(rec) as source:
            evaluations = evaluate_candidates(rec, rules, source, alert)
            values = vector_values(rec, run, source, rec.eval_phase_ms.get(alert, 0))
        per = score(rec, item.scenario, alert, candidates, rules, evaluations, values)
        for i, found in enumerate(per):
            checks[i] += found
        sid = item.scenario.id
        phases[sid], bands = timeline(rec, evaluations)
        for i, band in enumerate(bands):
            firing[i][sid] = band
    return TuneResult(
        alert=alert,
        run_dir=run_dir,
        time_scale=k,
        written=written,
        candidates=list(candidates),
        scenarios=[r.scenario.id for r in recorded],
        checks=checks,
        seconds=time.monotonic() - started,
        phases=phases,
        firing=firing,
    )


def timeline(
    rec: Recording, evaluations: Sequence[Evaluation]
) -> tuple[list[tuple[str, float, float]], list[list[tuple[float, float]]]]:
    """The scenario's phases and each candidate's firing bands, production minutes
    from the first phase's start (the page's per-candidate timelines)."""
    t0 = float(rec.phases[0]["start"]) if rec.phases else rec.prometheus_started
    scale = rec.time_scale / 60

    def at(ts: float) -> float:
        return round((ts - t0) * scale, 3)

    phases = [(str(p["name"]), at(float(p["start"])), at(float(p["end"]))) for p in rec.phases]
    bands = [
        [(at(e.fired_at or 0.0), at(e.resolved_at or rec.ended)) for e in ev.fired]
        for ev in evaluations
    ]
    return phases, bands
