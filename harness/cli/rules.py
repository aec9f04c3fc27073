"""`harness rules`: look at and rewrite Prometheus rule files."""

from __future__ import annotations

from pathlib import Path

import click

from harness.errors import InputError
from harness.options import TIME_SCALE_RANGE


def _seconds(value: str) -> float:
    """A Prometheus duration (500ms, 1s) or a plain number of seconds."""
    from harness.durations import parse_seconds

    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parse_seconds(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(name="rules")
def command() -> None:
    """Check and rewrite Prometheus rule files."""


@command.command()
@click.option(
    "--factor",
    "-k",
    type=click.FloatRange(*TIME_SCALE_RANGE),
    required=True,
    help="Time scale k: every alerting duration is divided by k.",
)
@click.option(
    "--scrape-interval",
    "scrape_interval",
    default="1s",
    show_default=True,
    help="Scrape interval S of the stack; a k leaving a range window under 4*S is refused.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rewritten rules here instead of stdout.",
)
@click.option(
    "--scale-numbers",
    is_flag=True,
    help="Also divide durations written as plain numbers (predict_linear's horizon, "
    "clock and timestamp comparisons, 7*24*60*60); each rewrite is noted on stderr.",
)
@click.argument("file", type=click.Path(path_type=Path))
def scale(factor: float, scrape_interval: str, output: Path | None, scale_numbers: bool,
          file: Path) -> int:
    """Rewrite FILE for time scale K and print it as YAML.

    Durations written as numbers are warned about, or divided with --scale-numbers."""
    from harness.rules.scale import scale_rules

    result = scale_rules(file, factor, scrape_interval_s=_seconds(scrape_interval),
                         scale_numbers=scale_numbers)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output is None:
        click.echo(result.yaml_text, nl=False)
    else:
        try:
            output.write_text(result.yaml_text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror}") from None
        click.echo(f"wrote {output}", err=True)
    return 0


@command.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> int:
    """Load FILES (clear errors with file and line) and run `promtool check rules`."""
    from harness.rules.load import load_rules
    from harness.rules.promtool import check_rules

    for file in files:
        rule_file = load_rules(file)
        click.echo(
            f"{file}: {len(rule_file.alerts)} alerts, {len(rule_file.recording)} recording rules"
        )
        for alert in rule_file.alerts:
            click.echo(f"  line {alert.line}: {alert.name}")
    check_rules(*files)
    click.echo("promtool check rules: SUCCESS")
    return 0
