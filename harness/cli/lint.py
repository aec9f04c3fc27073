"""`harness lint`: PromQL and Alertmanager mistakes in rule files, dashboards and configs."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from harness.lint import LintOptions

from harness.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError

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
            found = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file()
                           and p.name != ".harness-lint.yml")  # the settings, not input
            if not found:
                raise InputError("no .yml, .yaml or .json files in this directory", path=path)
            files += found
        else:
            files.append(path)
    return files


@click.command(name="lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Findings for people, JSON for tools, or SARIF 2.1.0.")
@click.option("--profile", type=click.Choice(["correctness", "policy"]), default=None,
              help="correctness (default): what is wrong whoever wrote the rule; policy: "
                   "also the project's conventions (runbook_url, annotations).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Settings file (default: .harness-lint.yml here or in a folder above).")
@click.option("--ignore", "ignore", multiple=True, callback=_ignore, metavar="CHECK-ID",
              help="Do not report this check (repeatable).")
@click.option("--scrape-interval", default=None,
              help="Scrape interval S: range windows under 4*S are reported [default: 15s].")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="YAML overriding the metric families and high-cardinality labels.")
@click.option("--no-tools", is_flag=True,
              help="Skip promtool check rules, amtool check-config and template rendering.")
@click.option("--list-checks", is_flag=True, expose_value=False, is_eager=True,
              callback=_list_checks, help="List the check ids and exit.")
def command(files: tuple[Path, ...], fmt: str, profile: str | None, config_path: Path | None,
            ignore: frozenset[str], scrape_interval: str | None, catalogue: Path | None,
            no_tools: bool) -> int:
    """Lint Prometheus rule files, Grafana dashboards (JSON) and Alertmanager configs.

    The kind of each FILE is told by its content (PrometheusRule manifests: their
    spec.groups); a directory stands for the .yml, .yaml and .json files in it; files
    with nothing to lint (promtool tests, other YAML) are skipped with the reason. Rule
    files given in the same run are routed through the Alertmanager configurations.
    `# harness-lint disable=<check-id>` on a rule silences that check for it.
    Exit status: 0 no findings, 1 findings, 2 a file could not be read (the others are
    still linted and their findings printed).
    """
    from harness.lint import lint_paths
    from harness.lint.report import as_json, as_sarif, as_text, unreadable_text

    options = _options(profile, config_path, ignore, scrape_interval, catalogue, no_tools)
    report = lint_paths(_expand(files), options)
    if report.files or fmt != "text":
        click.echo({"json": as_json, "sarif": as_sarif}.get(fmt, as_text)(report))
    if report.unreadable:
        click.echo(unreadable_text(report), err=True)
        return EXIT_BAD_INPUT
    return EXIT_FAILED if report.findings else EXIT_OK


def _options(profile: str | None, config_path: Path | None, ignore: frozenset[str],
             scrape_interval: str | None, catalogue: Path | None, no_tools: bool) -> LintOptions:
    """Command-line options over the settings file over the defaults."""
    from harness.durations import parse_seconds
    from harness.lint import LintOptions
    from harness.lint.catalogue import default_catalogue, load_catalogue
    from harness.lint.config import LintConfig, find_config, load_config

    found = config_path or find_config()
    config = load_config(found) if found else LintConfig()
    interval_text = scrape_interval or config.scrape_interval or "15s"
    try:
        interval = parse_seconds(interval_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scrape-interval") from None
    catalogue = catalogue or config.catalogue
    return LintOptions(
        scrape_interval_s=interval,
        catalogue=load_catalogue(catalogue) if catalogue else default_catalogue(),
        ignore=ignore | config.disable, tools=not no_tools,
        profile=profile or config.profile or "correctness",
    )
