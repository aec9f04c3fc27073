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
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the per-case files and backfilled blocks here.")
def command(files: tuple[Path, ...], json_path: Path | None, no_offline: bool,
            allow_beyond_series: bool, time_scale: float | None, work_dir: Path | None) -> int:
    """Run promtool unit-test FILES through `promtool test rules` (per case), the offline
    evaluator on backfilled blocks and, with --live K, a real Prometheus and Alertmanager
    at time scale K; print a table per file. Exit 0 when every case passes in every leg,
    1 otherwise, 2 on bad input."""
    from harness.promtool.report import print_tables, write_json
    from harness.promtool.run import check_file, run_test_file

    for path in files:  # every file's bad input before any leg runs
        check_file(path, allow_beyond_series, time_scale)
    rows = []
    for i, path in enumerate(files):
        where = work_dir / str(i) if work_dir else None
        file_rows, warnings = run_test_file(path, offline=not no_offline,
                                            allow_beyond_series=allow_beyond_series,
                                            work_dir=where, live_k=time_scale)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        rows += file_rows
    print_tables(rows)
    if json_path is not None:
        write_json(rows, json_path)
    legs = [v for r in rows for v in (r.promtool, r.offline, r.live) if v != "-"]
    return 0 if all(v == "pass" for v in legs) and rows else 1
