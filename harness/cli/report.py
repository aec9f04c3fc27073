"""`harness report DIR`: render report.html again from DIR/report.json.

Exit 2 with one clear message when the report is missing or not a harness report.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.errors import EXIT_OK


@click.command("report")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the page. Default: DIR/report.html",
)
def command(directory: Path, output: Path | None) -> int:
    """Render DIR/report.html again from DIR/report.json (DIR: reports/<run-id>)."""
    from harness.report.html import load_report, write_html

    source = directory if directory.suffix == ".json" else directory / "report.json"
    report = load_report(source)
    path = write_html(report, output or source.with_name("report.html"))
    click.echo(f"report: {path}")
    return EXIT_OK
