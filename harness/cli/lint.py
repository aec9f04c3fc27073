"""`harness lint`: PromQL and Alertmanager mistakes in rule files, dashboards and configs."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from harness.errors import EXIT_FAILED, EXIT_OK, InputError

_SUFFIXES = (".yml", ".yaml", ".json")


def _list_checks(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from harness.lint.checks import CHECKS

    for check, what in CHECKS.items():
        click.echo(f"{check:26} {what}")
    ctx.exit(0)


def _ignore(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> frozenset[str]:
    from harness.lint.checks import CHECKS

    for value in values:
        if value not in CHECKS:
            close = [c for c in CHECKS if value in c] or difflib.get_close_matches(
                value, list(CHECKS), n=1)
            hint = f" -> did you mean {close[0]!r}?" if close else " (see --list-checks)"
            raise click.BadParameter(f"unknown check {value!r}{hint}")
    return frozenset(values)


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; directories become the rule, dashboard and config files inside."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            if not found:
                raise InputError("no .yml, .yaml or .json files in this directory", path=path)
            files += found
        else:
            files.append(path)
    return files


@click.command(name="lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Findings for people, or JSON for tools.")
@click.option("--ignore", "ignore", multiple=True, callback=_ignore, metavar="CHECK-ID",
              help="Do not report this check (repeatable).")
@click.option("--scrape-interval", default="15s", show_default=True,
              help="Scrape interval S: range windows under 4*S are reported.")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="YAML overriding the metric families and high-cardinality labels.")
@click.option("--no-tools", is_flag=True,
              help="Skip promtool check rules, amtool check-config and template rendering.")
@click.option("--list-checks", is_flag=True, expose_value=False, is_eager=True,
              callback=_list_checks, help="List the check ids and exit.")
def command(files: tuple[Path, ...], fmt: str, ignore: frozenset[str], scrape_interval: str,
            catalogue: Path | None, no_tools: bool) -> int:
    """Lint Prometheus rule files, Grafana dashboards (JSON) and Alertmanager configs.

    The kind of each FILE is told by its content; a directory stands for the .yml,
    .yaml and .json files in it. Rule files given in the same run are routed through
    the Alertmanager configurations (routes that receive none of their alerts).
    Exit status: 0 no findings, 1 findings, 2 unreadable input.
    """
    from harness.durations import parse_seconds
    from harness.lint import LintOptions, lint_paths
    from harness.lint.catalogue import default_catalogue, load_catalogue
    from harness.lint.report import as_json, as_text

    try:
        interval = parse_seconds(scrape_interval)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scrape-interval") from None
    options = LintOptions(
        scrape_interval_s=interval,
        catalogue=load_catalogue(catalogue) if catalogue else default_catalogue(),
        ignore=ignore, tools=not no_tools,
    )
    report = lint_paths(_expand(files), options)
    click.echo(as_json(report) if fmt == "json" else as_text(report))
    return EXIT_FAILED if report.findings else EXIT_OK
