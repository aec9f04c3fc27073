"""`harness promtool-test FILE...`: promtool unit-test files through promtool and offline.

A separate command rather than `harness run` guessing by content: a promtool test file
and a scenario file are both YAML, and a guess would turn a scenario's typo into a
confusing promtool error.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="promtool-test")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON here.")
@click.option("--no-offline", is_flag=True, help="Run promtool only.")
@click.option("--allow-beyond-series", is_flag=True,
              help="Accept an eval_time after every input series has ended (absent() tests).")
@click.option("--live", "time_scale", type=float, default=None, metavar="K",
              help="Also replay each group live at time scale K (a real Prometheus and "
                   "Alertmanager; takes the longest eval_time / K seconds per group).")
@click.option("--alertmanager-config", type=click.Path(dir_okay=False, path_type=Path),
              help="With --live: route the replay's alerts through this alertmanager.yml "
                   "to the capture receiver, list the notifications and check the "
                   "exp_notifications of <test>.notifications.yml.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the per-case files and backfilled blocks here.")
def command(files: tuple[Path, ...], json_path: Path | None, no_offline: bool,
            allow_beyond_series: bool, time_scale: float | None,
            alertmanager_config: Path | None, work_dir: Path | None) -> int:
    """Run promtool unit-test FILES through `promtool test rules` (per case), the offline
    evaluator on backfilled blocks and, with --live K, a real Prometheus and Alertmanager
    at time scale K; print a table per file. Exit 0 when every case passes in every leg
    (and every exp_notifications verdict, docs/PROMTOOL.md), 1 otherwise, 2 on bad input."""
    from harness.promtool.report import passed, print_tables, write_json
    from harness.promtool.run import check_file, run_test_file

    for path in files:  # every file's bad input before any leg runs
        check_file(path, allow_beyond_series, time_scale, alertmanager_config)
    rows, expectations, observed = [], [], []
    for i, path in enumerate(files):
        where = work_dir / str(i) if work_dir else None
        result = run_test_file(path, offline=not no_offline,
                               allow_beyond_series=allow_beyond_series, work_dir=where,
                               live_k=time_scale, alertmanager_config=alertmanager_config)
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        rows += result.rows
        expectations += result.notifications
        observed += result.observed
    routed = alertmanager_config is not None
    print_tables(rows, expectations=expectations if routed else None,
                 observed=observed if routed else None)
    if json_path is not None:
        write_json(rows, json_path, expectations if routed else None,
                   observed if routed else None)
    return 0 if passed(rows, expectations) else 1
