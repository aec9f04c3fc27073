"""`harness report DIR`: render report.html again from DIR/report.json.
`harness report --merge DIR... [--out DIR]`: one report from the shards' reports.

Exit 2 with one clear message when the report is missing or not a harness report.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.errors import EXIT_OK


@click.command("report")
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--merge",
    is_flag=True,
    help="Merge the reports of DIR... (the shards of a --shard run) into one",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="With --merge: the folder for the merged report. Default: DIR1/../merged",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the page. Default: DIR/report.html",
)
@click.option("--prune", is_flag=True,
              help="Delete old runs' recordings under DIR (a reports root); reports stay")
@click.option("--keep", type=click.IntRange(min=0), default=None,
              help="With --prune: keep the recordings of the N newest runs")
@click.option("--older-than", default=None,
              help="With --prune: delete the recordings of runs older than this (e.g. 7d)")
def command(
    directories: tuple[Path, ...],
    merge: bool,
    out: Path | None,
    output: Path | None,
    prune: bool = False,
    keep: int | None = None,
    older_than: str | None = None,
) -> int:
    """Render DIR/report.html again from DIR/report.json (DIR: reports/<run-id>);
    with --merge, merge the reports of DIR... into one (json, html, junit);
    with --prune, delete old runs' recordings under DIR (e.g. reports/)."""
    from harness.errors import HarnessError
    from harness.report.html import load_report, write_html

    if prune or keep is not None or older_than is not None:
        from harness.offline.prune import prune_command

        for line in prune_command(directories, prune, keep, older_than):
            click.echo(line)
        return EXIT_OK
    if merge:
        from harness.report.merge import write_merged

        target = out or directories[0].resolve().parent / "merged"
        for written in write_merged(directories, target):
            click.echo(f"report: {written}")
        return EXIT_OK
    if len(directories) != 1 or out is not None:
        raise HarnessError("One report directory (several, and --out, only with --merge).")
    directory = directories[0]
    source = directory if directory.suffix == ".json" else directory / "report.json"
    report = load_report(source)
    path = write_html(report, output or source.with_name("report.html"))
    click.echo(f"report: {path}")
    return EXIT_OK
