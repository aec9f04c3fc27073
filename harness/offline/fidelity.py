"""Fidelity: the offline evaluation of a recorded run against its own live ``ALERTS``.

For the rules as run (scaled), each alert's offline episodes (``evaluate`` over the
recording, from Prometheus's start, when the live rule state was empty too, on the
live group's evaluation slots) must match the live ones episode for episode, FiredAt
and ResolvedAt within one evaluation interval. An episode still open at the end on one
side may be closed on the other within one interval of the end. Offline episodes are
read as the live history reads ALERTS (``harness.engine.history``): one that fires
after the run's last phase is not the run's, and one that resolves after it ends one
interval after its last firing evaluation within the run.

Why not exact: a live evaluation at instant t reads what has been ingested by then, and a
scrape stamped just before t may still be in flight; the recording holds it, so offline
the condition can hold one evaluation earlier (seen: pending, firing and resolution all
one interval early). Reading the same samples, the two agree exactly (the promtool
cross-check in tests/integration/offline/test_offline_promtool.py).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.offline.evaluate import evaluate
from harness.offline.recording import (
    Recording,
    RecordingError,
    find_recordings,
    load_recording,
    open_recording,
)
from harness.offline.source import RangeSource

TOLERANCE_EPSILON_S = 0.002  # ms rounding of evaluation timestamps

Times = tuple[float, float | None]  # (fired_at, resolved_at)


@dataclass(frozen=True)
class AlertFidelity:
    alert: str
    interval_s: float
    live: dict[str, list[Times]]  # label set (printed) -> episodes that fired
    offline: dict[str, list[Times]]
    max_diff_s: float  # largest FiredAt/ResolvedAt difference over matched episodes
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class FidelityResult:
    scenario: str
    alerts: tuple[AlertFidelity, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.alerts)

    def describe(self) -> str:
        lines = [f"fidelity of {self.scenario}: {'ok' if self.ok else 'MISMATCH'}"]
        for a in self.alerts:
            fired = sum(len(v) for v in a.live.values())
            lines.append(
                f"  {a.alert}: {fired} live firing(s), max difference {a.max_diff_s:.3f} s "
                f"(E = {a.interval_s:g} s)" + "".join(f"\n    {p}" for p in a.problems)
            )
        return "\n".join(lines)


def _key(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def live_times(episodes: list[dict[str, Any]]) -> dict[str, list[Times]]:
    out: dict[str, list[Times]] = defaultdict(list)
    for ep in episodes:
        if ep.get("fired_at") is not None:
            out[_key(ep["labels"])].append((float(ep["fired_at"]), ep.get("resolved_at")))
    return {k: sorted(v) for k, v in out.items()}


def compare(
    alert: str,
    live: dict[str, list[Times]],
    offline: dict[str, list[Times]],
    interval_s: float,
    end_s: float,
) -> AlertFidelity:
    tolerance = interval_s + TOLERANCE_EPSILON_S
    problems: list[str] = []
    worst = 0.0
    for key in sorted(set(live) | set(offline)):
        a, b = live.get(key, []), offline.get(key, [])
        if len(a) != len(b):
            problems.append(f"{key}: {len(a)} live firing(s), {len(b)} offline")
            continue
        for (f1, r1), (f2, r2) in zip(a, b, strict=True):
            diffs = [abs(f1 - f2)]
            if r1 is not None and r2 is not None:
                diffs.append(abs(r1 - r2))
            elif (r1 if r1 is not None else r2) is not None:  # open on one side only
                closed = r1 if r1 is not None else r2
                assert closed is not None
                diffs.append(max(0.0, end_s - closed))
            worst = max(worst, *diffs)
            if max(diffs) > tolerance:
                problems.append(
                    f"{key}: live fired {f1:.3f} resolved {r1}, offline fired {f2:.3f} "
                    f"resolved {r2} (more than E = {interval_s:g} s apart)"
                )
    return AlertFidelity(alert, interval_s, live, offline, worst, tuple(problems))


def as_live(
    fired: float, resolved: float | None, run_end: float, last_slot: float, interval_s: float
) -> Times | None:
    """An offline episode as the live history reports it: None if it fired after the
    run's end; a resolution after the end is one interval after the last slot in the run."""
    if fired > run_end:
        return None
    if resolved is not None and resolved > run_end:
        resolved = min(resolved, last_slot + interval_s)
    return fired, resolved


def _run_end(recording: Recording) -> float:
    """Where the live run's judgement ended: its last phase's end."""
    ends = [float(p["end"]) for p in recording.phases if p.get("end") is not None]
    return max(ends, default=recording.ended)


def _last_slot(t: float, interval_s: float, offset_ms: int) -> float:
    """The group's last evaluation instant at or before ``t``."""
    step = max(1, round(interval_s * 1000))
    return ((round(t * 1000) - offset_ms) // step * step + offset_ms) / 1000


def check_source(recording: Recording, source: RangeSource) -> FidelityResult:
    """Fidelity over an already open source of the recording's data."""
    results = []
    for alert, episodes in sorted(recording.alerts.items()):
        rule = recording.rule(alert)
        interval = recording.interval_s(alert)
        (evaluation,) = evaluate(
            [rule],
            source,
            recording.prometheus_started,
            recording.ended,
            default_interval_s=recording.evaluation_interval_s,
            offset_ms=recording.eval_phase_ms.get(alert, 0),
        )
        offline: dict[str, list[Times]] = defaultdict(list)
        run_end = _run_end(recording)
        slot = _last_slot(run_end, interval, recording.eval_phase_ms.get(alert, 0))
        for ep in evaluation.fired:
            assert ep.fired_at is not None
            seen = as_live(ep.fired_at, ep.resolved_at, run_end, slot, interval)
            if seen is not None:
                offline[_key(ep.label_dict)].append(seen)
        results.append(
            compare(alert, live_times(episodes), dict(offline), interval, recording.ended)
        )
    return FidelityResult(recording.scenario, tuple(results))


def check_fidelity(recording: Recording) -> FidelityResult:
    """Reopen the recording (a throwaway Prometheus on a copy) and compare."""
    with open_recording(recording) as source:
        return check_source(recording, source)


def check_run(run_dir: Path) -> list[FidelityResult]:
    """Every recorded scenario of a report run (``reports/<run-id>``)."""
    folders = find_recordings(run_dir)
    if not folders:
        raise RecordingError(f"No recorded scenario in {run_dir} (scenarios/*/recording/).")
    return [check_fidelity(load_recording(folder)) for folder in folders]


def main(argv: list[str] | None = None) -> int:
    """``python -m harness.offline.fidelity reports/<run-id>``: after a suite run (CI),
    fidelity on every recorded scenario at no extra scenario run; exit 1 on a mismatch."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m harness.offline.fidelity reports/<run-id>", file=sys.stderr)
        return 2
    try:
        results = check_run(Path(args[0]))
    except HarnessError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return exc.exit_code
    for result in results:
        print(result.describe())
    bad = sum(not r.ok for r in results)
    print(f"{len(results) - bad} of {len(results)} recorded scenarios: offline == live ALERTS")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
