"""A failing scenario reads as a report: the scenario, each alert's timeline, the verdicts."""

from __future__ import annotations

from harness.engine.result import ScenarioResult
from harness.scenarios.model import Scenario


def describe_failure(scenario: Scenario, result: ScenarioResult) -> str:
    lines = [f"scenario {scenario.id} ({scenario.source}:{scenario.line})"]
    if scenario.description:
        lines.append("  " + " ".join(scenario.description.split()))
    if result.error:
        lines += ["", "could not run:", f"  {result.error}"]
        return "\n".join(lines)
    t0 = result.started
    lines += ["", "phases (s after start):"]
    for p in result.phases:
        faults = ", ".join(str(f.get("kind")) for f in p.faults) or "no fault"
        lines.append(f"  {p.name:<12} {p.start - t0:7.2f} .. {p.end - t0:7.2f}  ({faults})")
    lines += ["", "alert timelines (s after start; Prometheus evaluation times):"]
    for alert, episodes in result.episodes.items():
        if not episodes:
            lines.append(f"  {alert}: never pending or firing")
        for e in episodes:
            def at(x: float | None) -> str:
                return "-" if x is None else f"{x - t0:.2f}"

            labels = ",".join(f"{k}={v}" for k, v in e.labels.items() if k != "alertname")
            lines.append(
                f"  {alert}{{{labels}}}: pending {at(e.pending_at)}, firing {at(e.fired_at)}, "
                f"resolved {at(e.resolved_at)}"
            )
    if result.notifications:
        lines += ["", "notifications (s after start):"]
        for n in result.notifications:
            lines.append(
                f"  {n['received_at'] - t0:7.2f}  {n['receiver']:<14} {n['status']:<9} "
                f"{', '.join(n['alertnames'])}"
            )
    lines += ["", "verdicts:"]
    for v in result.verdicts:
        lines.append(f"  [{'ok' if v.passed else 'FAIL'}] {v.message}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)
