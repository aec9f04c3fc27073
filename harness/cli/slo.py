"""`harness slo`: rules generated from an SLO file."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="slo")
def command() -> None:
    """Service level objectives: generate burn-rate alert rules."""


@command.command()
@click.argument("slo_file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rule file here instead of stdout (then checked with promtool).",
)
def generate(slo_file: Path, output: Path | None) -> int:
    """Multiwindow multi-burn-rate alerts (and their recording rules) for SLO_FILE."""
    from harness.rules.promtool import check_rules
    from harness.slo.burnrate import render
    from harness.slo.model import load_slo

    text = render(load_slo(slo_file), slo_file)
    if output is None:
        click.echo(text, nl=False)
        return 0
    output.write_text(text, encoding="utf-8")
    check_rules(output)  # RuleError (exit 2) with promtool's message if it rejects it
    click.echo(f"wrote {output} (promtool check rules: ok)", err=True)
    return 0
