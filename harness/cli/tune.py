"""`harness tune ALERT`: candidate thresholds, `for:` and `keep_firing_for:` of one alert,
scored on recorded scenario runs against every expectation the scenarios state.

With ``--from reports/<run>`` the run's recordings are reused; otherwise the alert's
scenarios run once (``harness run --alert ALERT``, same options) and their recordings
are used. Exit 0 when the table is written, 2 for bad input (nothing left running).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from harness.errors import EXIT_OK
from harness.options import build_options, click_options
from harness.scenarios.model import Scenario


@click.command("tune")
@click.argument("alert")
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path))
@click.option("--from", "from_run", type=click.Path(path_type=Path), default=None,
              help="A report run (reports/<run-id>) whose recordings to reuse.")
@click.option("--threshold", "thresholds", multiple=True,
              help="Thresholds: 0.05, 0.03,0.05 or start:stop:step (0.02:0.10:0.01).")
@click.option("--for", "fors", multiple=True, help="for: values, production time: 0,1m,5m.")
@click.option("--keep-firing-for", "keeps", multiple=True,
              help="keep_firing_for: values, production time: 0,2m.")
@click.option("--expr", "exprs", multiple=True,
              help="A whole expression variant (production time windows); repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--html", type=click.Path(path_type=Path), default=None,
              help="Where to write the HTML page. Default: <run>/tune-<ALERT>.html")
@click_options
def command(
    alert: str,
    scenarios: tuple[Path, ...],
    from_run: Path | None,
    thresholds: tuple[str, ...],
    fors: tuple[str, ...],
    keeps: tuple[str, ...],
    exprs: tuple[str, ...],
    fmt: str,
    html: Path | None,
    **values: Any,
) -> int:
    """Score candidate variants of ALERT on recorded runs of its scenarios (SCENARIOS:
    files or folders to run when --from is not given; default: scenarios/)."""
    from harness.report.tune_html import write_tune_html
    from harness.tune.candidates import build_grid, parse_durations, parse_thresholds
    from harness.tune.output import print_table, to_json
    from harness.tune.run import load_run, tune, written_rule

    # Bad options are refused before any stack starts.
    parsed = (
        parse_thresholds(thresholds),
        parse_durations(fors, "--for"),
        parse_durations(keeps, "--keep-firing-for"),
    )
    run_dir = from_run if from_run is not None else _run_scenarios(alert, scenarios, values)
    recorded = load_run(run_dir, alert)
    written, _ = written_rule(recorded, alert)
    grid = build_grid(written, *parsed, exprs)
    result = tune(run_dir, alert, grid, recorded)
    if fmt == "json":
        click.echo(to_json(result))
    else:
        print_table(result)
    page = write_tune_html(result, html or run_dir / f"tune-{alert}.html")
    click.echo(f"tune page: {page}", err=fmt == "json")
    return EXIT_OK


def _run_scenarios(alert: str, scenarios: tuple[Path, ...], values: dict[str, Any]) -> Path:
    """Run the alert's scenarios once (recorded); the run's report folder."""
    from harness.engine.suite import Suite
    from harness.paths import SCENARIOS_DIR
    from harness.report import console
    from harness.report.writer import write_reports
    from harness.scenarios.loader import load_scenarios

    options = replace(build_options(values), alerts=(alert,))
    asked = scenarios or (SCENARIOS_DIR,)
    suite = Suite.open(options)
    chosen = [_hold_fault(s, alert) for s in suite.choose(load_scenarios(asked), asked=asked)]
    with console.Progress() as progress:
        suite.run_all(chosen, on_result=progress.on_result, on_phase=progress.on_phase)
    result = suite.finish()
    write_reports(result)
    return result.report_dir


def _hold_fault(scenario: Scenario, alert: str) -> Scenario:
    """An ``auto`` phase that the alert must fire after ends once the rule as written
    has fired: too soon to see slower candidates. For tuning it is held for 1.5 times
    the detection budget (else its ``max``), never longer than its ``max``."""
    budgets = {
        e.fires.after: e.fires.within
        for e in scenario.expect
        if e.alert == alert and e.fires is not None
    }
    phases = []
    for phase in scenario.phases:
        if phase.duration == "auto" and phase.name in budgets and phase.max is not None:
            budget = budgets[phase.name]
            hold = phase.max if budget is None else min(phase.max, 1.5 * budget)
            phase = phase.model_copy(update={"duration": hold, "max": None})
        phases.append(phase)
    return scenario.model_copy(update={"phases": tuple(phases)})
