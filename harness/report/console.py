"""Console output during a run: a line per phase, a line per verdict, a summary table."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from harness.engine.result import ScenarioResult
from harness.engine.suite import SuiteResult
from harness.scenarios.model import Phase

console = Console(stderr=True, highlight=False, soft_wrap=True)


def on_phase(scenario_id: str, phase: Phase, deadline: float) -> None:
    left = max(0.0, deadline - time.time())
    kind = "auto, at most" if phase.duration == "auto" else "for"
    faults = ", ".join(f.kind for f in phase.faults) or "no fault"
    console.print(
        f"[dim]{time.strftime('%H:%M:%S')}[/] {scenario_id}: phase [bold]{phase.name}[/] "
        f"({faults}; {kind} {left:.1f} s)"
    )


def on_result(result: ScenarioResult) -> None:
    mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
    console.print(f"{mark} {result.scenario_id} ({result.ended - result.started:.1f} s)")
    if result.error:
        console.print(f"    [red]could not run:[/] {result.error}")
    for v in result.verdicts:
        sign = "[green]ok[/]  " if v.passed else "[red]FAIL[/]"
        console.print(f"    {sign} {v.message}")


def summary(suite: SuiteResult) -> None:
    table = Table(title=f"run {suite.run_id}: {suite.report_dir}")
    for col in ("scenario", "result", "expectations", "failed", "seconds"):
        table.add_column(col)
    for r in suite.results:
        failed = len(r.failures())
        table.add_row(
            r.scenario_id,
            "[green]pass[/]" if r.passed else ("[red]error[/]" if r.error else "[red]fail[/]"),
            str(len(r.verdicts)),
            str(failed),
            f"{r.ended - r.started:.1f}",
        )
    console.print(table)
    for note in suite.prepared.notes:
        console.print(f"[yellow]note:[/] {note}")
