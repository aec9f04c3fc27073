"""`harness run [SCENARIO...]`: run scenarios against the rules and routes under test.

Exit 0 when every expectation holds, 1 when one fails, 2 for bad input or an
environment that cannot run.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from harness.options import build_options, click_options
from harness.paths import SCENARIOS_DIR


@click.command("run")
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path))
@click_options
def command(scenarios: tuple[Path, ...], **values: object) -> int:
    """Run SCENARIOS (files or folders; default: scenarios/) and judge every expectation."""
    from harness.engine.suite import Suite
    from harness.report import console
    from harness.report.writer import write_reports
    from harness.scenarios.loader import load_scenarios

    options = build_options(values)
    asked = scenarios or (SCENARIOS_DIR,)
    loaded = load_scenarios(asked)
    suite = Suite.open(options)
    chosen = suite.choose(loaded, asked=asked)  # bad input stops here, before any stack starts
    # main() makes SIGTERM/SIGHUP unwind like Ctrl-C: every stack and container goes at once.
    with console.Progress() as progress:
        suite.run_all(
            chosen,
            on_result=progress.on_result,
            on_phase=progress.on_phase,
            on_watch=progress.watch,
        )
    result = suite.finish()
    paths = write_reports(result)
    console.summary(result)
    for path in paths:
        console.console.print(f"report: {path}")
    if any(r.error for r in result.results):
        return EXIT_BAD_INPUT  # a scenario that could not run is an error, never a FAIL
    return EXIT_OK if result.passed else EXIT_FAILED
