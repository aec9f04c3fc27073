"""`harness backtest`: what an alert (and threshold variants of it) would have done over a
Prometheus-compatible server's history. Read-only: range queries, nothing else."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.errors import InputError
from harness.paths import CORRECTED_DIR

if TYPE_CHECKING:
    from harness.offline.source import SourceOptions
    from harness.rules.model import AlertRule
    from harness.tune.backtest import BacktestResult
    from harness.tune.candidates import Candidate

DEFAULT_RULES = CORRECTED_DIR / "prometheus-alerts.yml"


def _seconds(value: str, what: str) -> float:
    from harness.durations import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=what) from None


def _instant(value: str | None) -> float:
    """Unix seconds of an RFC 3339 time or a number of unix seconds; now if None."""
    if value is None:
        return time.time()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither RFC 3339 (2026-12-01T00:00:00Z) nor unix seconds",
            param_hint="--until",
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not 'Name: value'", param_hint="--header")
        found[name.strip()] = content.strip()
    return found


def candidates(
    rules_file: Path,
    alerts: tuple[str, ...],
    grid_options: tuple[list[float], list[float], list[float], tuple[str, ...]],
) -> list[tuple[str, Candidate, AlertRule]]:
    """(alert, candidate, rule) per candidate: each chosen alert's grid (``build_grid``,
    as ``harness tune``); without candidate options, each alert as written."""
    from harness.rules.load import alert_names, load_rules
    from harness.tune.backtest import candidate_rules
    from harness.tune.candidates import build_grid

    loaded = load_rules(rules_file)
    known = alert_names(loaded)
    for name in alerts:
        if name not in known:
            raise InputError(
                f"No alert {name!r} in this file; it has: {', '.join(known)}.", path=rules_file
            )
    chosen = [r for r in loaded.alerts if not alerts or r.name in alerts]
    found: list[tuple[str, Candidate, AlertRule]] = []
    for rule in chosen:
        grid = build_grid(rule, *grid_options)
        found += [(rule.name, c, r) for c, r in candidate_rules(rule, grid)]
    return found


@click.command(name="backtest")
@click.option(
    "--prometheus-url",
    required=True,
    help="Base URL of a Prometheus-compatible query API (Prometheus, Thanos, Mimir).",
)
@click.option(
    "--rules",
    "rules_file",
    default=DEFAULT_RULES,
    show_default=True,
    type=click.Path(path_type=Path),
    help="Rule file holding the alerts.",
)
@click.option(
    "--alert",
    "alerts",
    multiple=True,
    help="Alert to backtest (repeatable); default: every alert in the file.",
)
@click.option("--since", default="7d", show_default=True, help="How far back from --until.")
@click.option("--until", default=None, help="End: RFC 3339 or unix seconds; default: now.")
@click.option("--threshold", "thresholds", multiple=True,
              help="Thresholds: 0.05, 0.03,0.05 or start:stop:step (0.02:0.10:0.01).")
@click.option("--for", "fors", multiple=True, help="for: values: 0,1m,5m.")
@click.option("--keep-firing-for", "keeps", multiple=True, help="keep_firing_for: values: 0,2m.")
@click.option("--expr", "exprs", multiple=True, help="A whole expression variant; repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--html", type=click.Path(path_type=Path), default=None,
              help="Also write the HTML page (trade-off chart, timelines) there.")
@click.option(
    "--evaluation-interval",
    default="1m",
    show_default=True,
    help="For rule groups without their own interval.",
)
@click.option(
    "--bearer-token",
    envvar="HARNESS_BEARER_TOKEN",
    default=None,
    help="Sent as 'Authorization: Bearer ...' (or set HARNESS_BEARER_TOKEN).",
)
@click.option("--header", "headers", multiple=True,
              help="An extra 'Name: value' header (e.g. 'X-Scope-OrgID: tenant' for Mimir).")
@click.option("--ca-file", default=None, help="CA bundle to verify the server's certificate.")
@click.option("--insecure-skip-verify", is_flag=True, help="Do not verify TLS certificates.")
@click.option("--timeout", default="60s", show_default=True, help="Per query.")
@click.option("--max-queries", default=1000, show_default=True, type=click.IntRange(1),
              help="Cap on range queries sent (checked before each range starts).")
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Retries of a failed connection or a 429/502/504 answer, with backoff.",
)
@click.option(
    "--max-points",
    default=11_000,
    show_default=True,
    type=click.IntRange(1, 11_000),
    help="Steps per range query (longer ranges are chunked).",
)
# The candidate parameters below repeat `harness tune`'s signature by shape: click passes
# each option as its own argument; the parsing behind them is shared (harness.tune.candidates).
def command(
    prometheus_url: str,
    rules_file: Path,
    alerts: tuple[str, ...],
    since: str,
    until: str | None,
    thresholds: tuple[str, ...],
    fors: tuple[str, ...],
    keeps: tuple[str, ...],
    exprs: tuple[str, ...],
    fmt: str,
    html: Path | None,
    evaluation_interval: str,
    bearer_token: str | None,
    headers: tuple[str, ...],
    ca_file: str | None,
    insecure_skip_verify: bool,
    timeout: str,
    max_queries: int,
    retries: int,
    max_points: int,
) -> int:
    """Episodes, time firing and pages per week of each alert, and of each candidate
    variant (--threshold, --for, --keep-firing-for, --expr), over the server's history."""
    from harness.offline.source import SourceOptions
    from harness.tune.candidates import parse_durations, parse_thresholds

    end = _instant(until)
    start = end - _seconds(since, "--since")
    grid_options = (
        parse_thresholds(thresholds),
        parse_durations(fors, "--for"),
        parse_durations(keeps, "--keep-firing-for"),
        exprs,
    )
    chosen = candidates(rules_file, alerts, grid_options)
    options = SourceOptions(
        url=prometheus_url,
        headers=_headers(headers),
        bearer_token=bearer_token,
        ca_file=ca_file,
        insecure_skip_verify=insecure_skip_verify,
        timeout_s=_seconds(timeout, "--timeout"),
        max_queries=max_queries,
        retries=retries,
        max_points=max_points,
    )
    interval = _seconds(evaluation_interval, "--evaluation-interval")
    result = _run(options, chosen, start, end, interval, quiet=fmt == "json")
    _output(result, fmt, html)
    return 0


def _run(
    options: SourceOptions,
    chosen: list[tuple[str, Candidate, AlertRule]],
    start: float,
    end: float,
    interval: float,
    *,
    quiet: bool,
) -> BacktestResult:
    """Evaluate every candidate, with a progress bar over the range queries."""
    from rich.console import Console
    from rich.progress import Progress

    from harness.offline.evaluate import evaluate, grid, plan
    from harness.offline.source import PrometheusSource, SourceError
    from harness.tune.backtest import BacktestResult, Row

    began = time.monotonic()
    rules = [r for _, _, r in chosen]
    console = Console(stderr=True)
    with (
        Progress(console=console, transient=True, disable=quiet or not console.is_terminal)
        as bar,
        PrometheusSource(options, progress=lambda *_: bar.advance(task)) as source,
    ):
        planned = 0
        for query in plan(rules, interval):
            span = grid(start, end, query.interval_ms)
            planned += source.planned_queries(*span, query.interval_ms) if span else 0
        if planned > options.max_queries:
            raise SourceError(
                f"This backtest needs {planned} range queries (chunks of at most "
                f"{options.max_points} points); the cap is {options.max_queries}.",
                hint="shorten the range, choose fewer alerts or raise --max-queries",
            )
        task = bar.add_task("range queries", total=planned)
        results = evaluate(rules, source, start, end, default_interval_s=interval)
        sent = source.queries
    rows = tuple(
        Row(alert, candidate, evaluation, end)
        for (alert, candidate, _), evaluation in zip(chosen, results, strict=True)
    )
    return BacktestResult(options.url, start, end, rows, sent, time.monotonic() - began)


def _output(result: BacktestResult, fmt: str, html: Path | None) -> None:
    from harness.report.tune_html import write_backtest_html
    from harness.tune.backtest import print_table, to_json

    if fmt == "json":
        click.echo(to_json(result))
    else:
        print_table(result)
    if html is not None:
        page = write_backtest_html(result, html)
        click.echo(f"backtest page: {page}", err=fmt == "json")
